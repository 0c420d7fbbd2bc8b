import CasefileModel

/// Which API of a runtime a client speaks.
public enum RuntimeAPI: String, Sendable {
    /// Docker Engine API (Docker, and Podman's compatible API).
    case engine
    /// containerd's own gRPC API.
    case containerd
    /// Kubernetes CRI `runtime.v1` (containerd's CRI plugin, CRI-O).
    case cri
    /// CRI-O's HTTP inspect endpoint.
    case crioInspect
}

/// One container runtime endpoint that can describe containers.
///
/// Implementations: `DockerEngineClient` (Docker and Podman, Engine API over a unix socket),
/// `ContainerdClient` (containerd's gRPC API), `CRIClient` (Kubernetes CRI `runtime.v1`, for
/// containerd's CRI plugin and CRI-O), `CRIOInspectClient` (CRI-O's HTTP inspect endpoint).
public protocol RuntimeClient: Sendable {
    /// The runtime that answers (a Docker socket: docker; containerd's CRI plugin: containerd).
    var runtime: ContainerRuntime { get }
    /// The API this client speaks.
    var api: RuntimeAPI { get }
    /// `kind:path` of the endpoint, recorded as the source of what it answers.
    var source: String { get }

    /// What the runtime knows about container `id`; nil when it does not know that container
    /// (another runtime may). Throws `RuntimeError` for failures (unreachable, bad answer, timeout).
    func inspect(containerID id: String) async throws -> ContainerMetadata?

    /// Follows the runtime's container lifecycle events, in the caller's task, so containers are
    /// enriched as soon as they are created (a container that lives 50 ms is gone before its
    /// cgroup is even read). Calls `onEvent` with `.subscribed` once the stream is established,
    /// then with each event. Returns when the runtime ends the stream (at once for an API with
    /// none); throws `RuntimeError` when it cannot be opened or fails. The caller reconnects;
    /// cancelling the calling task ends it.
    func followEvents(_ onEvent: @escaping @Sendable (RuntimeEvent) async -> Void) async throws

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
