import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// GET requests over a unix socket with one deadline for the whole exchange (AsyncHTTPClient's own
/// deadline stops at the response head; the body is bounded here too).
struct UnixHTTPTransport: Sendable {
    let socketPath: String
    let source: String
    let http: HTTPClient
    let timeout: Duration
    /// Largest answer read for an inspect.
    static let maxAnswerBytes = 8 << 20

    /// An `HTTPClient` suited to runtime sockets, shared by every client of a process: a refused
    /// connection fails the request at once (a client with default settings retries it until the
    /// deadline, so a daemon that died and left its socket file behind would cost the whole
    /// timeout), no redirects, connect limited to `connectTimeout`. The caller shuts it down.
    static func makeHTTPClient(connectTimeout: Duration = .seconds(2)) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = TimeAmount(connectTimeout)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

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
        // The timer fires a little after the deadline given to AsyncHTTPClient, so that when the
        // connection never came up its own error wins (`.unreachable`, not `.timeout`).
        return try await withDeadline(deadline + .milliseconds(100), onTimeout: { self.timeoutError(what) }) {
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

