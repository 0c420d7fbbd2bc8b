import CasefileEnrich
import CasefileModel
import Logging
import ServiceLifecycle

/// The enricher and the runtime connections it asks through, as one `Service`: run it in the
/// same `ServiceGroup` as the `Recorder`, before it (`Recorder.services` does), so it is shut
/// down after the recorder has let it settle. Everything it does — gRPC connections, event
/// streams, calls, retries — runs in child tasks of `run()`.
public final class EnrichmentService: Service, Sendable {
    public let enricher: Enricher
    /// Which sockets are asked, for the session row: `docker:/var/run/docker.sock, …` or `none found`.
    public let description: String
    private let connections: RuntimeConnections

    /// Finds runtime sockets (the explicit ones and every default that exists now) and makes
    /// their clients; `sink` receives every answer and failure.
    init(options: RecorderOptions, logger: Logger, sink: @escaping @Sendable (Enricher.Outcome) -> Void) {
        let endpoints = RuntimeDiscovery.discover(explicit: options.runtimeSockets, candidates: options.runtimeSocketCandidates)
        connections = RuntimeConnections(endpoints: endpoints, timeout: options.enricher.callTimeout, logger: logger)
        enricher = Enricher(clients: connections.clients, configuration: options.enricher, logger: logger, sink: sink)
        description = endpoints.isEmpty ? "none found" : connections.clients.map(\.source).joined(separator: ", ")
    }

    /// Runs until graceful shutdown, then closes the connections. The recorder's stop protocol
    /// finishes the enricher first (so its last answers are written); the service then waits for
    /// the group to shut it down, since a service that returns early ends the whole group.
    public func run() async throws {
        let enricher = self.enricher
        try await connections.run {
            await withGracefulShutdownHandler {
                await enricher.run()
            } onGracefulShutdown: {
                enricher.finish()
            }
            try? await gracefulShutdown()
        }
    }
}
