/// Why a runtime call failed, and whether trying again may help.
public struct RuntimeError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case unreachable, timeout, badResponse, http(Int), rpc(String) }
    public var kind: Kind
    /// The endpoint asked (`RuntimeClient.source`).
    public var source: String
    public var detail: String

    public init(_ kind: Kind, source: String, detail: String) {
        self.kind = kind
        self.source = source
        self.detail = detail
    }

    /// Unreachable sockets, timeouts and 5xx answers may pass; a malformed answer will not.
    public var isTransient: Bool {
        switch kind {
        case .unreachable, .timeout: true
        case .http(let code): code >= 500
        case .rpc(let code): ["unavailable", "deadlineExceeded", "resourceExhausted", "aborted", "internalError", "unknown"].contains(code)
        case .badResponse: false
        }
    }

    public var description: String {
        let what: String
        switch kind {
        case .unreachable: what = "unreachable"
        case .timeout: what = "timed out"
        case .badResponse: what = "answered something unreadable"
        case .http(let code): what = "answered HTTP \(code)"
        case .rpc(let code): what = "answered gRPC \(code)"
        }
        return "\(source) \(what): \(detail)"
    }
}
