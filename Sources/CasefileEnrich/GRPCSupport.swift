import GRPCCore
import GRPCNIOTransportHTTP2

/// One gRPC connection to a runtime's unix socket, shared by the clients of the services on it
/// (containerd's own API and its CRI plugin listen on the same socket). Calls wait until `run()`
/// is running (`RuntimeConnections.run` runs it).
public final class GRPCConnection: Sendable {
    public let path: String
    let client: GRPCClient<HTTP2ClientTransport.Posix>

    public init(socketPath: String) throws {
        path = socketPath
        let transport = try HTTP2ClientTransport.Posix(target: .unixDomainSocket(path: socketPath), transportSecurity: .plaintext)
        client = GRPCClient(transport: transport)
    }

    /// Maintains the connection until `shutdown()` (or cancellation).
    func run() async {
        try? await client.runConnections()
    }

    func shutdown() {
        client.beginGracefulShutdown()
    }
}

func callOptions(_ timeout: Duration?) -> CallOptions {
    var options = CallOptions.defaults
    options.timeout = timeout
    return options
}

/// gRPC status → RuntimeError (nil for NOT_FOUND: "not this runtime's container").
func runtimeError(_ error: any Error, source: String, what: String) -> RuntimeError {
    guard let rpc = error as? RPCError else {
        return RuntimeError(.unreachable, source: source, detail: "\(what): \(error)")
    }
    let code: String
    switch rpc.code {
    case .unavailable: code = "unavailable"
    case .deadlineExceeded: return RuntimeError(.timeout, source: source, detail: "\(what): \(rpc.message)")
    case .resourceExhausted: code = "resourceExhausted"
    case .aborted: code = "aborted"
    case .internalError: code = "internalError"
    case .unknown: code = "unknown"
    case .unimplemented: code = "unimplemented"
    case .permissionDenied: code = "permissionDenied"
    case .unauthenticated: code = "unauthenticated"
    case .invalidArgument: code = "invalidArgument"
    case .notFound: code = "notFound"
    default: code = "\(rpc.code)"
    }
    return RuntimeError(.rpc(code), source: source, detail: "\(what): \(rpc.message)")
}

func isNotFound(_ error: any Error) -> Bool {
    (error as? RPCError)?.code == .notFound
}
