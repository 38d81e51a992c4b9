import AWSCore
import Synchronization

/// A scripted transport: answers each request with what `respond` says, and records them.
final class ScriptedTransport: HTTPTransport, Sendable {
    let requests = Mutex<[HTTPRequest]>([])
    let respond: @Sendable (Int, HTTPRequest) -> Result<HTTPResponse, AWSError>

    init(_ respond: @escaping @Sendable (Int, HTTPRequest) -> Result<HTTPResponse, AWSError>) { self.respond = respond }

    func send(_ request: HTTPRequest) async throws(AWSError) -> HTTPResponse {
        let index = requests.withLock { $0.append(request); return $0.count - 1 }
        return try respond(index, request).get()
    }

    var sent: [HTTPRequest] { requests.withLock { $0 } }
}

struct StaticCredentials: CredentialProvider {
    var value: AWSCredentials?
    var name: String { "static" }
    func credentials() async throws(AWSError) -> AWSCredentials? { value }
}
