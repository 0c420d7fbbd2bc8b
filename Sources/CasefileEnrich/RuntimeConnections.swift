import AsyncHTTPClient
import Logging

/// The clients for a set of runtime endpoints, and the connections they share (one HTTP client
/// for Engine APIs, one gRPC connection per socket).
public final class RuntimeConnections: Sendable {
    public let clients: [any RuntimeClient]
    private let http: HTTPClient
    private let grpc: [GRPCConnection]

    public init(endpoints: [RuntimeEndpoint], timeout: Duration, logger: Logger = Logger(label: "casefile.enrich")) {
        let http = DockerEngineClient.makeHTTPClient()
        var clients: [any RuntimeClient] = []
        var grpc: [GRPCConnection] = []
        for endpoint in endpoints {
            switch endpoint.kind {
            case .docker, .podman:
                clients.append(DockerEngineClient(runtime: endpoint.kind.rawValue, socketPath: endpoint.path, http: http, timeout: timeout))
            case .containerd:
                do {
                    let connection = try GRPCConnection(socketPath: endpoint.path)
                    grpc.append(connection)
                    // CRI first: for Kubernetes containers it knows pod labels and sandboxes; it does not
                    // know containers made outside CRI (ctr, nerdctl, moby), which containerd's API answers.
                    clients.append(CRIClient(runtime: "containerd", connection: connection, timeout: timeout))
                    clients.append(ContainerdClient(connection: connection, timeout: timeout))
                } catch {
                    logger.warning("cannot use containerd socket \(endpoint.path): \(error)")
                }
            case .crio:
                do {
                    let connection = try GRPCConnection(socketPath: endpoint.path)
                    grpc.append(connection)
                    clients.append(CRIClient(runtime: "crio", connection: connection, timeout: timeout))
                } catch {
                    logger.warning("cannot use CRI-O socket \(endpoint.path) for CRI: \(error)")
                }
                clients.append(CRIOInspectClient(socketPath: endpoint.path, http: http, timeout: timeout))
            }
        }
        self.clients = clients
        self.http = http
        self.grpc = grpc
    }

    public func shutdown() async {
        for connection in grpc { await connection.shutdown() }
        try? await http.shutdown()
    }
}
