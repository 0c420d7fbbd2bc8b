/// A container runtime, one type end to end: what a cgroup path's shape points to
/// (`ContainerPath`), which API answers on a socket (`RuntimeEndpoint`), and what a container row
/// says ran it (`containers.runtime` stores the raw value).
public enum ContainerRuntime: String, Sendable, Hashable, CaseIterable {
    case docker, containerd, crio, podman, garden
    /// A path shape several runtimes share (a bare id under a Kubernetes pod cgroup, say): the
    /// runtimes are asked in turn.
    case unknown

    /// The runtimes with an API Casefile can ask, in `--runtime-socket` order.
    public static let askable: [ContainerRuntime] = [.docker, .podman, .containerd, .crio]
}

/// A runtime's API socket: which runtime answers there, on which unix socket.
public struct RuntimeEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// One of ``ContainerRuntime/askable``: docker (Engine API), podman (its Docker-compatible
    /// API), containerd (its gRPC API and, on the same socket, its CRI plugin), crio (CRI plus its
    /// HTTP inspect endpoint on the same socket).
    public var runtime: ContainerRuntime
    public var path: String
    /// Given with --runtime-socket (kept even when the socket is missing at start).
    public var explicit: Bool

    public init(runtime: ContainerRuntime, path: String, explicit: Bool = false) {
        self.runtime = runtime
        self.path = path
        self.explicit = explicit
    }

    public var description: String { "\(runtime.rawValue):\(path)" }

    /// Parses `RUNTIME=PATH` (the `--runtime-socket` syntax); nil when it is not that.
    public init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let runtime = ContainerRuntime(rawValue: parts[0].lowercased()),
              ContainerRuntime.askable.contains(runtime), parts[1].hasPrefix("/")
        else { return nil }
        self.init(runtime: runtime, path: parts[1], explicit: true)
    }

    /// What `--runtime-socket` expects, for error messages.
    public static let syntax = "RUNTIME=/absolute/path.sock with RUNTIME one of "
        + ContainerRuntime.askable.map(\.rawValue).joined(separator: ", ")
}
