package import AWSCore
import DDBTypes
package import Timekeeping

/// One invocation handed out by the Lambda Runtime API.
package struct Invocation: Sendable {
    package var requestID: String
    /// Epoch milliseconds by which the function must answer.
    package var deadline: EpochMillis
    package var functionARN: String
    package var traceID: String?
    package var body: [UInt8]

    package init(requestID: String, deadline: EpochMillis, functionARN: String, traceID: String?, body: [UInt8]) {
        self.requestID = requestID
        self.deadline = deadline
        self.functionARN = functionARN
        self.traceID = traceID
        self.body = body
    }
}

/// The error document the Runtime API takes.
package struct LambdaError: Error, Sendable {
    package var type: String
    package var message: String

    package var json: [UInt8] {
        var out: [UInt8] = Array(#"{"errorType":"#.utf8)
        appendJSON(type, to: &out)
        out += Array(#","errorMessage":"#.utf8)
        appendJSON(message, to: &out)
        out += Array(#","stackTrace":[]}"#.utf8)
        return out
    }
}

/// The Lambda Runtime API (`/2018-06-01/runtime/…`), behind a protocol so the loop can be tested with a fake.
package protocol LambdaRuntimeClient: Sendable {
    func next() async throws -> Invocation
    func respond(requestID: String, body: [UInt8]) async throws
    func fail(requestID: String, error: LambdaError) async throws
    func initFailed(_ error: LambdaError) async throws
}

/// The Runtime API over HTTP at `AWS_LAMBDA_RUNTIME_API`.
package struct HTTPRuntimeClient: LambdaRuntimeClient {
    package let base: String
    package let transport: any HTTPTransport

    package init(api: String, transport: any HTTPTransport) {
        base = "http://\(api)/2018-06-01/runtime"
        self.transport = transport
    }

    package struct RuntimeAPIError: Error, CustomStringConvertible {
        package var description: String
    }

    package func next() async throws -> Invocation {
        // The request waits until an event arrives: no practical timeout.
        let response = try await transport.send(HTTPRequest(method: "GET", url: base + "/invocation/next", timeoutMillis: 7 * 24 * 3_600_000))
        guard response.status == 200, let requestID = response.header("Lambda-Runtime-Aws-Request-Id") else {
            throw RuntimeAPIError(description: "runtime API answered \(response.status) to invocation/next")
        }
        return Invocation(
            requestID: requestID, deadline: EpochMillis(rawValue: response.header("Lambda-Runtime-Deadline-Ms").flatMap { Int64($0) } ?? .max),
            functionARN: response.header("Lambda-Runtime-Invoked-Function-Arn") ?? "",
            traceID: response.header("Lambda-Runtime-Trace-Id"), body: response.body)
    }

    package func respond(requestID: String, body: [UInt8]) async throws {
        try await post("/invocation/\(requestID)/response", body: body, headers: [])
    }

    package func fail(requestID: String, error: LambdaError) async throws {
        try await post("/invocation/\(requestID)/error", body: error.json, headers: [("Lambda-Runtime-Function-Error-Type", error.type)])
    }

    package func initFailed(_ error: LambdaError) async throws {
        try await post("/init/error", body: error.json, headers: [("Lambda-Runtime-Function-Error-Type", error.type)])
    }

    private func post(_ path: String, body: [UInt8], headers: [(name: String, value: String)]) async throws {
        let response = try await transport.send(
            HTTPRequest(method: "POST", url: base + path, headers: [("Content-Type", "application/json")] + headers, body: body, timeoutMillis: 10_000))
        guard (200..<300).contains(response.status) else {
            throw RuntimeAPIError(description: "runtime API answered \(response.status) to \(path): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
    }
}

/// Appends `text` as a JSON string (DDBTypes' escaping, shared with the row writer).
package func appendJSON(_ text: String, to out: inout [UInt8]) {
    appendJSONString(text.utf8, to: &out)
}
