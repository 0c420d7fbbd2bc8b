import AsyncHTTPClient
import CasefileModel
import Logging

/// The clients for a set of runtime endpoints, and the connections they share (one HTTP client
/// for Engine APIs, one gRPC connection per socket). The connections live inside `run(_:)`.
public final class RuntimeConnections: Sendable {
    public let clients: [any RuntimeClient]
    private let http: HTTPClient
    private let grpc: [GRPCConnection]

    public init(endpoints: [RuntimeEndpoint], timeout: Duration, logger: Logger = Logger(label: "casefile.enrich")) {
        let http = UnixHTTPTransport.makeHTTPClient()
        var clients: [any RuntimeClient] = []
        var grpc: [GRPCConnection] = []
        for endpoint in endpoints {
            switch endpoint.runtime {
            case .docker, .podman:
                clients.append(DockerEngineClient(runtime: endpoint.runtime, socketPath: endpoint.path, http: http, timeout: timeout))
            case .containerd:
                do {
                    let connection = try GRPCConnection(socketPath: endpoint.path)
                    grpc.append(connection)
                    // CRI first: for Kubernetes containers it knows pod labels and sandboxes; it does not
                    // know containers made outside CRI (ctr, nerdctl, moby), which containerd's API answers.
                    clients.append(CRIClient(runtime: .containerd, connection: connection, timeout: timeout))
                    clients.append(ContainerdClient(connection: connection, timeout: timeout))
                } catch {
                    logger.warning("cannot use containerd socket \(endpoint.path): \(error)")
                }
            case .crio:
                do {
                    let connection = try GRPCConnection(socketPath: endpoint.path)
                    grpc.append(connection)
                    clients.append(CRIClient(runtime: .crio, connection: connection, timeout: timeout))
                } catch {
                    logger.warning("cannot use CRI-O socket \(endpoint.path) for CRI: \(error)")
                }
                clients.append(CRIOInspectClient(socketPath: endpoint.path, http: http, timeout: timeout))
            case .garden, .unknown:
                logger.warning("no API client for \(endpoint): only docker, podman, containerd and crio sockets are asked")
            }
        }
        self.clients = clients
        self.http = http
        self.grpc = grpc
    }

    /// The HTTP client the Engine API and CRI-O inspect clients share (see
    /// `UnixHTTPTransport.makeHTTPClient`); the caller shuts it down.
    public static func makeHTTPClient() -> HTTPClient { UnixHTTPTransport.makeHTTPClient() }

    /// Keeps the connections up while `body` runs (the gRPC connections run in child tasks of
    /// this call), then closes them all, whether `body` returned or threw. Must be called once:
    /// the shared HTTP client is shut down at its end.
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let grpc = self.grpc
        let result: Result<T, any Error> = await withDiscardingTaskGroup { group in
            for connection in grpc { group.addTask { await connection.run() } }
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            for connection in grpc { connection.shutdown() }
            return result
        }
        try? await http.shutdown()
        return try result.get()
    }
}
