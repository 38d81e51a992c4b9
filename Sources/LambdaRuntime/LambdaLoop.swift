#if canImport(Glibc)
import Glibc
#endif

/// The runtime loop: take an invocation, handle it, answer; a handler error is reported and the
/// loop goes on.
package struct LambdaLoop<Client: LambdaRuntimeClient> {
    package let client: Client

    /// Serves invocations until the Runtime API goes away (or `limit` invocations, for tests).
    package func run(limit: Int? = nil, handler: (Invocation) async throws -> [UInt8]) async throws {
        var served = 0
        while limit.map({ served < $0 }) ?? true {
            let invocation = try await client.next()
            served += 1
            if let trace = invocation.traceID {
                setenv("_X_AMZN_TRACE_ID", trace, 1)
            } else {
                unsetenv("_X_AMZN_TRACE_ID")
            }
            do {
                let body = try await handler(invocation)
                try await client.respond(requestID: invocation.requestID, body: body)
            } catch let error as LambdaError {
                try await client.fail(requestID: invocation.requestID, error: error)
            } catch {
                try await client.fail(requestID: invocation.requestID, error: LambdaError(type: "Runtime.HandlerError", message: "\(error)"))
            }
        }
    }
}
