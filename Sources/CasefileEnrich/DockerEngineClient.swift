import AsyncHTTPClient
import CasefileModel
import Foundation
import NIOCore
import NIOHTTP1

/// Docker and Podman through the Docker Engine API (Podman's Docker-compatible API), over a unix socket.
///
/// `inspect` asks `GET /containers/{id}/json`, then `GET /images/{image id}/json` for the image's repo
/// digests; `events` follows `GET /events?filters={"type":["container"]}`. Paths are unversioned, so the
/// daemon answers with its own API version (checked with dockerd 20.10 / API 1.41 and Podman 4.3's
/// compatible API).
///
/// One `HTTPClient` is shared by every client of a process. Use ``makeHTTPClient(connectTimeout:)`` to make
/// it: a client with default settings retries a refused connection until the request's deadline, so a
/// daemon that died and left its socket file behind costs the whole timeout (then `.unreachable`) instead
/// of failing at once. A missing socket file fails at once with either client.
public struct DockerEngineClient: RuntimeClient {
    /// `docker` or `podman`.
    public let runtime: String
    public let socketPath: String
    /// Limit for one `inspect` (both requests together), and for `events` to get the stream's headers.
    public let timeout: Duration
    private let transport: UnixHTTPTransport

    public var source: String { "\(runtime):\(socketPath)" }

    public init(runtime: String, socketPath: String, http: HTTPClient, timeout: Duration = .seconds(5)) {
        self.runtime = runtime
        self.socketPath = socketPath
        self.timeout = timeout
        self.transport = UnixHTTPTransport(socketPath: socketPath, source: "\(runtime):\(socketPath)", http: http, timeout: timeout)
    }

    /// An `HTTPClient` suited to runtime sockets: a connection that is refused fails the request at once
    /// (instead of being retried until the deadline), no redirects, connect limited to `connectTimeout`.
    /// The caller shuts it down.
    public static func makeHTTPClient(connectTimeout: Duration = .seconds(2)) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = TimeAmount(connectTimeout)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
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
        let parsed = try Self.decode(EngineContainerJSON.self, from: container.body, source: source, what: "GET \(containerPath)")

        // The image's repo digests: only the image inspect has them.
        var image: EngineImageJSON?
        if let imageRef = parsed.image ?? parsed.config?.image, !imageRef.isEmpty,
           let escaped = UnixHTTPTransport.escapePath(imageRef) {
            let imagePath = "/images/\(escaped)/json"
            let answer = try await transport.get(imagePath, deadline: deadline)
            switch answer.status {
            case 200: image = try Self.decode(EngineImageJSON.self, from: answer.body, source: source, what: "GET \(imagePath)")
            case 404: image = nil  // removed since the container was made: no digest, the container's image id stands
            default: throw transport.httpError(answer, what: "GET \(imagePath)")
            }
        }
        return Self.metadata(container: parsed, image: image, requestedID: id, runtime: runtime, source: source)
    }

    /// Maps the answers of `GET /containers/{id}/json` and (optionally) `GET /images/{id}/json` to
    /// metadata. Throws `RuntimeError.badResponse` when either is not the JSON object expected (a field
    /// of the wrong type); missing fields are nil.
    public static func metadata(containerJSON: Data, imageJSON: Data?, runtime: String, source: String) throws -> ContainerMetadata {
        let container = try decode(EngineContainerJSON.self, from: ByteBuffer(bytes: containerJSON), source: source, what: "container JSON")
        let image = try imageJSON.map { try decode(EngineImageJSON.self, from: ByteBuffer(bytes: $0), source: source, what: "image JSON") }
        return metadata(container: container, image: image, requestedID: container.id ?? "", runtime: runtime, source: source)
    }

    static func metadata(container: EngineContainerJSON, image: EngineImageJSON?, requestedID: String,
                         runtime: String, source: String) -> ContainerMetadata {
        let labels = container.config?.labels ?? [:]
        var name = container.name
        if let n = name, n.hasPrefix("/") { name = String(n.dropFirst()) }
        let imageName = container.config?.image.flatMap { $0.isEmpty ? nil : $0 }
        let digest = repoDigest(from: image?.repoDigests ?? [], image: imageName)
        let imageID = ImageReference.imageID(image?.id) ?? ImageReference.imageID(container.image)
        return ContainerMetadata(
            id: container.id.flatMap { $0.isEmpty ? nil : $0 } ?? requestedID,
            runtime: runtime,
            source: source,
            name: name.flatMap { $0.isEmpty ? nil : $0 },
            image: imageName,
            imageDigest: digest,
            imageID: imageID,
            labels: labels,
            createdAt: container.created.flatMap(RFC3339.nanoseconds),
            startedAt: container.state?.startedAt.flatMap(RFC3339.nanoseconds),
            pod: KubeletLabels.pod(labels),
            kubernetesContainerName: KubeletLabels.containerName(labels),
            isSandbox: KubeletLabels.isSandbox(labels)
        )
    }

    /// The repo digest to record for an image run as `image`, from the image's `RepoDigests`: the one whose
    /// repository is the image's (`nginx` = `docker.io/library/nginx`), else the first. Only well-formed
    /// digests count (`repo@sha256:<64 hex>` or `sha256:<64 hex>`); nil when there is none: never a name.
    public static func repoDigest(from repoDigests: [String], image: String?) -> String? {
        let valid = repoDigests.filter(ImageReference.isDigest)
        if let image, !image.isEmpty, !ImageReference.isImageID(image) {
            let wanted = ImageReference.repository(of: image)
            if let match = valid.first(where: { ImageReference.repository(of: $0) == wanted }) { return match }
        }
        return valid.first
    }

    // MARK: events

    /// Follows the daemon's container events. The stream finishes when the daemon ends the answer and
    /// throws `RuntimeError` when it cannot be opened or carries something that is not an event; other
    /// actions than create/start/die/destroy (attach, init, kill, exec_*, health_status, ...) are skipped.
    /// Podman's compatible API says `remove` where Docker says `destroy`: both are `.destroy`.
    public func events() -> AsyncThrowingStream<RuntimeEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: RuntimeEvent.self, throwing: (any Error).self)
        let transport = self.transport
        let source = self.source
        let task = Task {
            do {
                let filters = #"{"type":["container"]}"#
                let query = filters.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let body = try await transport.open("/events?filters=\(query)", deadline: .now + transport.timeout)
                continuation.yield(RuntimeEvent(containerID: "", action: .subscribed))
                var lines = JSONLineSplitter()
                for try await chunk in body {
                    for line in try lines.append(chunk, source: source) {
                        if let event = try Self.event(fromJSON: line, source: source) { continuation.yield(event) }
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: transport.mapError(error, what: "GET /events"))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// One event object of the `/events` stream; nil when it is not a container create/start/die/destroy.
    /// Throws `RuntimeError.badResponse` when it is not an event object.
    public static func event(fromJSON data: Data, source: String) throws -> RuntimeEvent? {
        try event(fromJSON: ByteBuffer(bytes: data), source: source)
    }

    static func event(fromJSON line: ByteBuffer, source: String) throws -> RuntimeEvent? {
        let e = try decode(EngineEventJSON.self, from: line, source: source, what: "event stream line")
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
        if let image, !image.isEmpty, let escaped = UnixHTTPTransport.escapePath(image),
           let answer = try? await transport.get("/images/\(escaped)/json", deadline: .now + transport.timeout), answer.status == 200,
           let parsed = try? Self.decode(EngineImageJSON.self, from: answer.body, source: source, what: "image JSON") {
            digest = Self.repoDigest(from: parsed.repoDigests ?? [], image: image)
            imageID = ImageReference.imageID(parsed.id)
        }
        return ContainerMetadata(id: event.containerID, runtime: runtime, source: "\(source) (event)", name: name,
                                 image: image, imageDigest: digest, imageID: imageID, labels: labels,
                                 createdAt: event.action == .create ? event.time : nil,
                                 pod: KubeletLabels.pod(labels), kubernetesContainerName: KubeletLabels.containerName(labels),
                                 isSandbox: KubeletLabels.isSandbox(labels))
    }

    // MARK: decoding

    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer, source: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw RuntimeError(.badResponse, source: source, detail: "\(what): \(AnswerText.describe(error)); answer began \(AnswerText.preview(body))")
        } catch {
            throw RuntimeError(.badResponse, source: source, detail: "\(what): \(error); answer began \(AnswerText.preview(body))")
        }
    }
}

// MARK: - Engine API JSON (only the fields used; a missing field or null is nil, a wrong type is an error)

struct EngineContainerJSON: Decodable {
    var id: String?
    var name: String?
    var created: String?
    var image: String?
    var state: State?
    var config: Config?

    struct State: Decodable {
        var startedAt: String?
        enum CodingKeys: String, CodingKey { case startedAt = "StartedAt" }
    }

    struct Config: Decodable {
        var image: String?
        var labels: [String: String]?
        enum CodingKeys: String, CodingKey { case image = "Image", labels = "Labels" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", created = "Created", image = "Image", state = "State", config = "Config"
    }
}

struct EngineImageJSON: Decodable {
    var id: String?
    var repoDigests: [String]?
    enum CodingKeys: String, CodingKey { case id = "Id", repoDigests = "RepoDigests" }
}

struct EngineEventJSON: Decodable {
    var type: String?
    var action: String?
    var status: String?
    var id: String?
    var actor: Actor?
    var time: Int64?
    var timeNano: Int64?

    struct Actor: Decodable {
        var id: String?
        var attributes: [String: String]?
        enum CodingKeys: String, CodingKey { case id = "ID", attributes = "Attributes" }
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type", action = "Action", status, id, actor = "Actor", time, timeNano
    }
}

// MARK: - Shared by the Engine API and CRI-O inspect clients

/// GET requests over a unix socket with one deadline for the whole exchange (AsyncHTTPClient's own
/// deadline stops at the response head; the body is bounded here too).
struct UnixHTTPTransport: Sendable {
    let socketPath: String
    let source: String
    let http: HTTPClient
    let timeout: Duration
    /// Largest answer read for an inspect.
    static let maxAnswerBytes = 8 << 20

    struct Answer: Sendable {
        var status: Int
        var body: ByteBuffer
    }

    /// Container ids and names: `[A-Za-z0-9_.-]`, not empty. Anything else is no container of ours.
    static func isPlausibleID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 256 && id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F
        }
    }

    /// Percent-escapes a value for a URL path (`/` stays: Docker routes `/images/{name}/json` with slashes).
    static func escapePath(_ value: String) -> String? {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%;")
        return value.addingPercentEncoding(withAllowedCharacters: allowed)
    }

    /// Fails at once, as unreachable, when there is no unix socket at the path.
    func checkSocket() throws {
        var st = stat()
        guard stat(socketPath, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            throw RuntimeError(.unreachable, source: source, detail: "no socket at \(socketPath): \(reason)")
        }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else {
            throw RuntimeError(.unreachable, source: source, detail: "\(socketPath) is not a unix socket")
        }
    }

    func request(_ uri: String) throws -> HTTPClientRequest {
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: uri) else {
            throw RuntimeError(.unreachable, source: source, detail: "cannot make a URL for \(uri) on \(socketPath)")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        // Go's net/http (dockerd, Podman, CRI-O) refuses HTTP/1.1 without a Host header with 400, and
        // AsyncHTTPClient sends none for unix sockets. The name is a placeholder, as in the Docker CLI.
        request.headers.replaceOrAdd(name: "Host", value: "localhost")
        request.headers.add(name: "Accept", value: "application/json")
        return request
    }

    /// GET `uri` and read the whole answer by `deadline`.
    func get(_ uri: String, deadline: ContinuousClock.Instant) async throws -> Answer {
        try checkSocket()
        let request = try self.request(uri)
        let what = "GET \(uri)"
        let remaining = deadline - .now
        guard remaining > .zero else { throw timeoutError(what) }
        let http = self.http
        return try await withDeadline(deadline, what: what) {
            do {
                let response = try await http.execute(request, deadline: .now() + TimeAmount(remaining))
                let body = try await response.body.collect(upTo: Self.maxAnswerBytes)
                return Answer(status: Int(response.status.code), body: body)
            } catch {
                throw self.mapError(error, what: what)
            }
        }
    }

    /// GET `uri` and return the body as it streams, once a 200 head arrived by `deadline`.
    func open(_ uri: String, deadline: ContinuousClock.Instant) async throws -> HTTPClientResponse.Body {
        try checkSocket()
        let request = try self.request(uri)
        let what = "GET \(uri)"
        let remaining = deadline - .now
        guard remaining > .zero else { throw timeoutError(what) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .now() + TimeAmount(remaining))
        } catch {
            throw mapError(error, what: what)
        }
        guard response.status == .ok else {
            let body = (try? await response.body.collect(upTo: 64 << 10)) ?? ByteBuffer()
            throw httpError(Answer(status: Int(response.status.code), body: body), what: what)
        }
        return response.body
    }

    /// Runs `body`, or throws `.timeout` at `deadline` (cancelling it). The timer fires a little after the
    /// deadline given to AsyncHTTPClient, so that when the connection never came up its own error wins
    /// (with a client that retries refused connections: the refusal, i.e. `.unreachable`, not `.timeout`).
    func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant, what: String,
                                   _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try? await Task.sleep(until: deadline + .milliseconds(100), clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                if Task.isCancelled { throw CancellationError() }
                throw timeoutError(what)
            }
            return value
        }
    }

    func timeoutError(_ what: String) -> RuntimeError {
        RuntimeError(.timeout, source: source, detail: "\(what): no complete answer within \(timeout)")
    }

    /// A non-2xx answer, with the daemon's message (`{"message": ...}` or plain text).
    func httpError(_ answer: Answer, what: String) -> RuntimeError {
        var message = String(decoding: answer.body.readableBytesView.prefix(300), as: UTF8.self)
        if let object = try? JSONSerialization.jsonObject(with: Data(answer.body.readableBytesView)) as? [String: Any],
           let text = object["message"] as? String {
            message = text
        }
        message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return RuntimeError(.http(answer.status), source: source, detail: "\(what): \(message.isEmpty ? "(no message)" : message)")
    }

    /// Maps what AsyncHTTPClient and NIO throw to `RuntimeError` (cancellation stays cancellation).
    func mapError(_ error: any Error, what: String) -> any Error {
        switch error {
        case let e as RuntimeError:
            return e
        case let e as CancellationError:
            return e
        case let e as HTTPClientError:
            switch e {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return timeoutError(what)
            case .connectTimeout:
                return RuntimeError(.unreachable, source: source, detail: "\(what): connecting to \(socketPath) timed out")
            case .remoteConnectionClosed:
                return RuntimeError(.unreachable, source: source, detail: "\(what): \(socketPath) closed the connection before answering")
            case .cancelled:
                return CancellationError()
            case .bodyLengthMismatch, .contentLengthMissing, .redirectLimitReached, .redirectCycleDetected:
                return RuntimeError(.badResponse, source: source, detail: "\(what): \(e)")
            default:
                return RuntimeError(.unreachable, source: source, detail: "\(what): \(e)")
            }
        case let e as HTTPParserError:
            return RuntimeError(.badResponse, source: source, detail: "\(what): the answer is not HTTP/1.1 (\(e))")
        case is NIOTooManyBytesError:
            return RuntimeError(.badResponse, source: source, detail: "\(what): answer larger than \(Self.maxAnswerBytes) bytes")
        case let e as IOError:
            return RuntimeError(.unreachable, source: source, detail: "\(what): cannot connect to \(socketPath): \(e)")
        default:
            return RuntimeError(.unreachable, source: source, detail: "\(what) on \(socketPath): \(error)")
        }
    }
}

/// Splits a byte stream into lines (one JSON object each), whatever the read boundaries.
struct JSONLineSplitter {
    /// Longest line accepted: an event is a few hundred bytes.
    let maxLine: Int
    private var pending = ByteBuffer()

    init(maxLine: Int = 1 << 20) { self.maxLine = maxLine }

    /// The complete, non-blank lines `chunk` finishes (without the newline).
    mutating func append(_ chunk: ByteBuffer, source: String) throws -> [ByteBuffer] {
        var chunk = chunk
        pending.writeBuffer(&chunk)
        var lines: [ByteBuffer] = []
        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - pending.readerIndex
            guard var line = pending.readSlice(length: length) else { break }
            pending.moveReaderIndex(forwardBy: 1)
            if line.readableBytesView.last == UInt8(ascii: "\r") { line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1) ?? line }
            if line.readableBytesView.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) { lines.append(line) }
        }
        pending.discardReadBytes()
        if pending.readableBytes > maxLine {
            throw RuntimeError(.badResponse, source: source, detail: "event stream: more than \(maxLine) bytes without a newline")
        }
        return lines
    }
}

/// What the kubelet's labels say about a container (Docker/cri-dockerd, containerd, CRI-O all carry them).
enum KubeletLabels {
    static func pod(_ labels: [String: String]) -> PodMetadata? {
        guard let uid = labels["io.kubernetes.pod.uid"], !uid.isEmpty else { return nil }
        return PodMetadata(uid: uid, name: labels["io.kubernetes.pod.name"], namespace: labels["io.kubernetes.pod.namespace"])
    }

    static func containerName(_ labels: [String: String]) -> String? {
        labels["io.kubernetes.container.name"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// dockershim/cri-dockerd: `io.kubernetes.docker.type=podsandbox`; containerd: `io.cri-containerd.kind=sandbox`.
    static func isSandbox(_ labels: [String: String]) -> Bool {
        let dockerType = labels["io.kubernetes.docker.type"]
        return dockerType == "podsandbox" || dockerType == "sandbox" || labels["io.cri-containerd.kind"] == "sandbox"
    }
}

/// Image references and digests, as far as choosing a repo digest needs.
enum ImageReference {
    /// `repo@sha256:<64 lowercase hex>` or `sha256:<64 lowercase hex>`.
    static func isDigest(_ value: String) -> Bool {
        if value.hasPrefix("sha256:") { return isHex64(value.utf8.dropFirst(7)) }
        guard let at = value.range(of: "@sha256:"), at.lowerBound > value.startIndex else { return false }
        return isHex64(value[at.upperBound...].utf8)
    }

    /// An image id rather than a name: `sha256:<hex>` or 64 hex.
    static func isImageID(_ value: String) -> Bool {
        value.hasPrefix("sha256:") || isHex64(value.utf8)
    }

    /// `sha256:<64 hex>` for an image id given as 64 hex or `sha256:<64 hex>`; nil for anything else (a name).
    static func imageID(_ value: String?) -> String? {
        guard let value else { return nil }
        if isHex64(value.utf8) { return "sha256:" + value }
        if value.hasPrefix("sha256:"), isHex64(value.utf8.dropFirst(7)) { return value }
        return nil
    }

    static func isHex64<S: Sequence<UInt8>>(_ bytes: S) -> Bool {
        var count = 0
        for b in bytes {
            guard (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) else { return false }
            count += 1
        }
        return count == 64
    }

    /// The repository of a reference, normalized the way Docker does: `nginx:1.27` and
    /// `docker.io/library/nginx@sha256:…` are both `docker.io/library/nginx`.
    static func repository(of reference: String) -> String {
        var name = Substring(reference)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") { name = name[..<colon] }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        var domain = "docker.io"
        var path = String(name)
        if parts.count > 1, let first = parts.first, first.contains(".") || first.contains(":") || first == "localhost" {
            domain = String(first)
            path = parts.dropFirst().joined(separator: "/")
        }
        if domain == "index.docker.io" { domain = "docker.io" }
        if domain == "docker.io", !path.contains("/") { path = "library/" + path }
        return domain + "/" + path
    }
}

/// RFC 3339 timestamps as Go writes them (`2026-11-30T10:03:56.937271979Z`, offsets allowed) to UTC ns.
enum RFC3339 {
    /// nil for empty, malformed, out of the Int64 ns range, or Go's zero time (`0001-01-01T00:00:00Z`: unset).
    static func nanoseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func number(_ at: Int, _ length: Int) -> Int? {
            guard at + length <= b.count else { return nil }
            var value = 0
            for i in at..<(at + length) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 20,
              let year = number(0, 4), b[4] == UInt8(ascii: "-"),
              let month = number(5, 2), b[7] == UInt8(ascii: "-"),
              let day = number(8, 2), [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[10]),
              let hour = number(11, 2), b[13] == UInt8(ascii: ":"),
              let minute = number(14, 2), b[16] == UInt8(ascii: ":"),
              let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var i = 19
        var nanos = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if digits < 9 { nanos = nanos * 10 + Int(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 9)..<9 { nanos *= 10 }
        }
        guard i < b.count else { return nil }
        var offset = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let hh = number(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let mm = number(i + 4, 2) else { return nil }
            offset = (hh * 3600 + mm * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == b.count, year > 1 else { return nil }
        let days = Display.days(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflow2) = ns.addingReportingOverflow(Int64(nanos))
        return overflow2 ? nil : total
    }
}

/// Answers in error messages.
enum AnswerText {
    /// A short, printable start of an answer, for error messages.
    static func preview(_ body: ByteBuffer, limit: Int = 120) -> String {
        guard body.readableBytes > 0 else { return "(empty)" }
        let text = String(decoding: body.readableBytesView.prefix(limit), as: UTF8.self)
            .map { $0.isNewline ? " " : String($0) }.joined()
        return "\"" + text + (body.readableBytes > limit ? "…" : "") + "\""
    }

    /// A DecodingError in one line: what was wrong where.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "top level" : p
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context)) is not \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)) has no \(type) value"
        case .keyNotFound(let key, let context):
            return "\(path(context)) lacks \(key.stringValue)"
        case .dataCorrupted(let context):
            return "not JSON at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
