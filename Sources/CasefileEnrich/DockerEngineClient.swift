import AsyncHTTPClient
import CasefileModel
import Foundation
import NIOCore
import Synchronization

/// Docker and Podman through the Docker Engine API (Podman's Docker-compatible API), over a unix socket.
///
/// `inspect` asks `GET /containers/{id}/json`, then `GET /images/{image id}/json` for the image's repo
/// digests; `events` follows `GET /events?filters={"type":["container"]}`. Paths are unversioned, so the
/// daemon answers with its own API version (checked with dockerd 20.10 / API 1.41 and Podman 4.3's
/// compatible API).
///
/// One `HTTPClient` is shared by every client of a process (`UnixHTTPTransport.makeHTTPClient`).
public struct DockerEngineClient: RuntimeClient {
    /// `.docker` or `.podman`.
    public let runtime: ContainerRuntime
    public var api: RuntimeAPI { .engine }
    public let socketPath: String
    /// Limit for one `inspect` (both requests together), and for `events` to get the stream's headers.
    public let timeout: Duration
    private let transport: UnixHTTPTransport
    /// Image reference → (repo digest, image id), learned by `metadata(fromEvent:)`: a burst of
    /// containers of one image asks about the image once.
    private let images = ImageCache()

    public var source: String { "\(runtime.rawValue):\(socketPath)" }

    public init(runtime: ContainerRuntime, socketPath: String, http: HTTPClient, timeout: Duration = .seconds(5)) {
        self.runtime = runtime
        self.socketPath = socketPath
        self.timeout = timeout
        self.transport = UnixHTTPTransport(socketPath: socketPath, source: "\(runtime.rawValue):\(socketPath)", http: http, timeout: timeout)
    }

    // MARK: inspect

    public func inspect(containerID id: String) async throws -> ContainerMetadata? {
        guard UnixHTTPTransport.isPlausibleID(id) else { return nil }
        let deadline = ContinuousClock.now + timeout
        let containerPath = "/containers/\(id)/json"
        let container = try await transport.get(containerPath, deadline: deadline)
        switch container.status {
        case 200: break
        case 404: return nil
        default: throw transport.httpError(container, what: "GET \(containerPath)")
        }
        let parsed = try JSONAnswer.decode(EngineContainerJSON.self, from: container.body, source: source, what: "GET \(containerPath)")

        // The image's repo digests: only the image inspect has them.
        var image: EngineImageJSON?
        if let imageRef = parsed.image ?? parsed.config?.image, !imageRef.isEmpty,
           let escaped = UnixHTTPTransport.escapePath(imageRef) {
            let imagePath = "/images/\(escaped)/json"
            let answer = try await transport.get(imagePath, deadline: deadline)
            switch answer.status {
            case 200: image = try JSONAnswer.decode(EngineImageJSON.self, from: answer.body, source: source, what: "GET \(imagePath)")
            case 404: image = nil  // removed since the container was made: no digest, the container's image id stands
            default: throw transport.httpError(answer, what: "GET \(imagePath)")
            }
        }
        return Self.metadata(container: parsed, image: image, requestedID: id, runtime: runtime, source: source)
    }

    /// Maps the answers of `GET /containers/{id}/json` and (optionally) `GET /images/{id}/json` to
    /// metadata. Throws `RuntimeError.badResponse` when either is not the JSON object expected (a field
    /// of the wrong type); missing fields are nil.
    public static func metadata(containerJSON: Data, imageJSON: Data?, runtime: ContainerRuntime, source: String) throws -> ContainerMetadata {
        let container = try JSONAnswer.decode(EngineContainerJSON.self, from: ByteBuffer(bytes: containerJSON), source: source, what: "container JSON")
        let image = try imageJSON.map { try JSONAnswer.decode(EngineImageJSON.self, from: ByteBuffer(bytes: $0), source: source, what: "image JSON") }
        return metadata(container: container, image: image, requestedID: container.id ?? "", runtime: runtime, source: source)
    }

    static func metadata(container: EngineContainerJSON, image: EngineImageJSON?, requestedID: String,
                         runtime: ContainerRuntime, source: String) -> ContainerMetadata {
        let labels = container.config?.labels ?? [:]
        var name = container.name
        if let n = name, n.hasPrefix("/") { name = String(n.dropFirst()) }
        let imageName = container.config?.image.flatMap { $0.isEmpty ? nil : $0 }
        var m = ContainerMetadata(
            id: container.id.flatMap { $0.isEmpty ? nil : $0 } ?? requestedID,
            runtime: runtime,
            source: source,
            name: name.flatMap { $0.isEmpty ? nil : $0 },
            image: imageName,
            imageDigest: ImageReference.repoDigest(from: image?.repoDigests ?? [], image: imageName),
            imageID: ImageReference.imageID(image?.id) ?? ImageReference.imageID(container.image),
            labels: labels,
            createdAt: container.created.flatMap(Timestamp.rfc3339),
            startedAt: container.state?.startedAt.flatMap(Timestamp.rfc3339),
            pod: KubeletLabels.pod(labels),
            kubernetesContainerName: KubeletLabels.containerName(labels),
            isSandbox: KubeletLabels.isSandbox(labels)
        )
        m.pid = container.state?.pid.flatMap { $0 > 0 ? $0 : nil }
        return m
    }

    // MARK: events

    /// The daemon's container events, read as they arrive (see ``EngineEvents``).
    public func events() -> EngineEvents {
        EngineEvents(transport: transport)
    }

    public func followEvents(_ onEvent: @escaping @Sendable (RuntimeEvent) async -> Void) async throws {
        for try await event in events() { await onEvent(event) }
    }

    /// One event object of the `/events` stream; nil when it is not a container create/start/die/destroy.
    /// Throws `RuntimeError.badResponse` when it is not an event object.
    public static func event(fromJSON data: Data, source: String) throws -> RuntimeEvent? {
        try EngineEvents.event(fromJSON: ByteBuffer(bytes: data), source: source)
    }

    /// Docker and Podman send the container's name, image and labels with every container event:
    /// enough to name a container that was gone before it could be inspected. The digest comes
    /// from the image, which usually outlives the container.
    public func metadata(fromEvent event: RuntimeEvent) async -> ContainerMetadata? {
        var labels = event.attributes
        guard let name = labels.removeValue(forKey: "name"), !name.isEmpty else { return nil }
        let image = labels.removeValue(forKey: "image")
        for key in ["exitCode", "execDuration", "signal", "containerExitCode", "podId"] { labels[key] = nil }
        var digest: String?
        var imageID: String?
        if let image, let known = images.lookup(image) {
            (digest, imageID) = known
        } else if let image, !image.isEmpty, let escaped = UnixHTTPTransport.escapePath(image),
           let answer = try? await transport.get("/images/\(escaped)/json", deadline: .now + transport.timeout), answer.status == 200,
           let parsed = try? JSONAnswer.decode(EngineImageJSON.self, from: answer.body, source: source, what: "image JSON") {
            digest = ImageReference.repoDigest(from: parsed.repoDigests ?? [], image: image)
            imageID = ImageReference.imageID(parsed.id)
            images.learn(image, (digest, imageID))
        }
        return ContainerMetadata(id: event.containerID, runtime: runtime, source: "\(source) (event)", name: name,
                                 image: image, imageDigest: digest, imageID: imageID, labels: labels,
                                 createdAt: event.action == .create ? event.time : nil,
                                 pod: KubeletLabels.pod(labels), kubernetesContainerName: KubeletLabels.containerName(labels),
                                 isSandbox: KubeletLabels.isSandbox(labels))
    }
}

/// The Engine API's `/events` stream of container events, read in the consuming task (no task of
/// its own): iterating opens the stream, yields `.subscribed` once the daemon answered, then one
/// event per line. It finishes when the daemon ends the answer and throws `RuntimeError` when it
/// cannot be opened or carries something that is not an event; other actions than
/// create/start/die/destroy (attach, init, kill, exec_*, health_status, ...) are skipped. Podman's
/// compatible API says `remove` where Docker says `destroy`: both are `.destroy`. Cancelling the
/// consuming task closes the connection.
public struct EngineEvents: AsyncSequence, Sendable {
    public typealias Element = RuntimeEvent
    let transport: UnixHTTPTransport

    public func makeAsyncIterator() -> Iterator { Iterator(transport: transport) }

    public struct Iterator: AsyncIteratorProtocol {
        let transport: UnixHTTPTransport
        private var body: HTTPClientResponse.Body.AsyncIterator?
        private var lines = JSONLineSplitter()
        private var pending: [ByteBuffer] = []
        private var finished = false

        init(transport: UnixHTTPTransport) { self.transport = transport }

        public mutating func next() async throws -> RuntimeEvent? {
            guard !finished else { return nil }
            do {
                guard var body else {
                    let filters = #"{"type":["container"]}"#
                    let query = filters.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                    self.body = try await transport.open("/events?filters=\(query)", deadline: .now + transport.timeout).makeAsyncIterator()
                    return RuntimeEvent(containerID: "", action: .subscribed)
                }
                defer { self.body = body }
                while true {
                    while !pending.isEmpty {
                        if let event = try EngineEvents.event(fromJSON: pending.removeFirst(), source: transport.source) { return event }
                    }
                    guard let chunk = try await body.next() else {
                        finished = true
                        return nil
                    }
                    pending = try lines.append(chunk, source: transport.source)
                }
            } catch {
                finished = true
                throw transport.mapError(error, what: "GET /events")
            }
        }
    }

    static func event(fromJSON line: ByteBuffer, source: String) throws -> RuntimeEvent? {
        let e = try JSONAnswer.decode(EngineEventJSON.self, from: line, source: source, what: "event stream line")
        if let type = e.type, type != "container" { return nil }
        let action: RuntimeEvent.Action
        switch e.action ?? e.status ?? "" {
        case "create": action = .create
        case "start": action = .start
        case "die", "died": action = .exit
        case "destroy", "remove": action = .destroy
        default: return nil
        }
        guard let id = e.actor?.id ?? e.id, !id.isEmpty else { return nil }
        let time = e.timeNano ?? e.time.flatMap { $0.multipliedReportingOverflow(by: 1_000_000_000).overflow ? nil : $0 * 1_000_000_000 }
        return RuntimeEvent(containerID: id, action: action, time: time, attributes: e.actor?.attributes ?? [:])
    }
}

/// What the Engine API said about images, by the reference containers were made from, for a
/// short while: a tag can be moved to another image (`docker pull`, `docker tag`), so an entry is
/// trusted for `lifetime` only (the container's own inspect, which names the image by id, follows
/// and corrects a row made from a stale entry). Bounded.
final class ImageCache: Sendable {
    private let entries = Mutex<[String: (digest: String?, id: String?, at: ContinuousClock.Instant)]>([:])
    let lifetime: Duration = .seconds(30)
    static let limit = 1_024

    func lookup(_ reference: String) -> (String?, String?)? {
        entries.withLock { entries in
            guard let entry = entries[reference], ContinuousClock.now - entry.at < lifetime else { return nil }
            return (entry.digest, entry.id)
        }
    }

    func learn(_ reference: String, _ answer: (String?, String?)) {
        entries.withLock { entries in
            if entries.count >= Self.limit { entries.removeAll(keepingCapacity: true) }
            entries[reference] = (answer.0, answer.1, .now)
        }
    }
}
