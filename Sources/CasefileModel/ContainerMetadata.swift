/// What a container runtime says about a container: the answer enrichment writes into
/// `containers` and `pods` (back-filling rows that events already point to).
public struct ContainerMetadata: Sendable, Equatable {
    /// Full container id (64 hex).
    public var id: String
    /// The runtime that answered.
    public var runtime: ContainerRuntime
    /// The endpoint that answered, e.g. `docker:/var/run/docker.sock` or `cri:/run/containerd/containerd.sock`.
    public var source: String
    /// Container name without the leading `/` Docker adds.
    public var name: String?
    /// Image reference as the runtime reports it (e.g. `docker.io/library/nginx:1.27`).
    public var image: String?
    /// Image repo digest (`repo@sha256:…` or `sha256:…`), never the image name.
    public var imageDigest: String?
    /// The image's id (`sha256:…` of its config), when known.
    public var imageID: String?
    public var labels: [String: String]
    /// Creation and start time, UTC ns.
    public var createdAt: Int64?
    public var startedAt: Int64?
    /// Kubernetes: from `io.kubernetes.*` labels (or CRI metadata).
    public var pod: PodMetadata?
    /// Kubernetes container name (`io.kubernetes.container.name`).
    public var kubernetesContainerName: String?
    /// The pod's sandbox ("pause") container rather than a workload container.
    public var isSandbox: Bool
    /// The container's init process as the runtime names it (host pid namespace), when running.
    public var pid: Int32?
    /// The container's own cgroup path in the tracked hierarchy, found from `pid` (its
    /// `/proc/PID/cgroup` line names this container's id in a runtime layout): the runtime's
    /// confirmation that the container lives there. Set by the pipeline, nil when unconfirmed.
    public var confirmedCgroupPath: String?

    public init(id: String, runtime: ContainerRuntime, source: String, name: String? = nil, image: String? = nil,
                imageDigest: String? = nil, imageID: String? = nil, labels: [String: String] = [:],
                createdAt: Int64? = nil, startedAt: Int64? = nil, pod: PodMetadata? = nil,
                kubernetesContainerName: String? = nil, isSandbox: Bool = false) {
        self.id = id
        self.runtime = runtime
        self.source = source
        self.name = name
        self.image = image
        self.imageDigest = imageDigest
        self.imageID = imageID
        self.labels = labels
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.pod = pod
        self.kubernetesContainerName = kubernetesContainerName
        self.isSandbox = isSandbox
    }
}

public struct PodMetadata: Sendable, Equatable {
    public var uid: String
    public var name: String?
    public var namespace: String?
    /// Pod labels, when the runtime has them (CRI pod sandbox status).
    public var labels: [String: String]
    public init(uid: String, name: String? = nil, namespace: String? = nil, labels: [String: String] = [:]) {
        self.uid = uid
        self.name = name
        self.namespace = namespace
        self.labels = labels
    }
}

/// An enrichment that failed: stored in `containers.enrich_error`, the row keeps what it had.
public struct EnrichmentFailure: Sendable, Equatable {
    public var containerID: String
    public var source: String
    public var error: String
    public var at: Int64
    public init(containerID: String, source: String, error: String, at: Int64) {
        self.containerID = containerID
        self.source = source
        self.error = error
        self.at = at
    }
}
