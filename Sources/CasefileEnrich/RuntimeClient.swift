import CasefileModel

/// One container runtime endpoint that can describe containers.
///
/// Implementations: `DockerEngineClient` (Docker and Podman, Engine API over a unix socket),
/// `ContainerdClient` (containerd's gRPC API), `CRIClient` (Kubernetes CRI `runtime.v1`, for
/// containerd's CRI plugin and CRI-O), `CRIOInspectClient` (CRI-O's HTTP inspect endpoint).
public protocol RuntimeClient: Sendable {
    /// Runtime kind: `docker`, `podman`, `containerd`, `crio`.
    var runtime: String { get }
    /// `kind:path` of the endpoint, recorded as the source of what it answers.
    var source: String { get }

    /// What the runtime knows about container `id`; nil when it does not know that container
    /// (another runtime may). Throws `RuntimeError` for failures (unreachable, bad answer, timeout).
    func inspect(containerID id: String) async throws -> ContainerMetadata?

    /// Container lifecycle notifications, for enriching containers as soon as they are created
    /// (a container that lives 50 ms is gone before its cgroup is even read). Finishes or throws
    /// when the connection ends; the caller reconnects.
    func events() -> AsyncThrowingStream<RuntimeEvent, any Error>

    /// Metadata from what an event of this runtime said, for a container that no longer exists
    /// when it is inspected (it lived a few milliseconds). Nil when the event says too little.
    func metadata(fromEvent event: RuntimeEvent) async -> ContainerMetadata?
}

extension RuntimeClient {
    public func metadata(fromEvent event: RuntimeEvent) async -> ContainerMetadata? { nil }
}

/// A container lifecycle notification from a runtime.
public struct RuntimeEvent: Sendable, Equatable {
    public enum Action: String, Sendable {
        case create, start, exit, destroy
        /// Not a container event: the stream is established (`containerID` is empty). Lets the
        /// recorder start only once it will hear about every container created from then on.
        case subscribed
    }
    public var containerID: String
    public var action: Action
    /// UTC ns, when the runtime says.
    public var time: Int64?
    /// What the event itself says about the container (Docker and Podman send name, image and
    /// labels with every container event): the fallback for a container gone before it could be
    /// inspected.
    public var attributes: [String: String]
    public init(containerID: String, action: Action, time: Int64? = nil, attributes: [String: String] = [:]) {
        self.containerID = containerID
        self.action = action
        self.time = time
        self.attributes = attributes
    }
}

/// Why a runtime call failed, and whether trying again may help.
public struct RuntimeError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case unreachable, timeout, badResponse, http(Int), rpc(String) }
    public var kind: Kind
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
