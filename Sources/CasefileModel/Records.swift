/// What the pipeline hands the store besides events: facts about cgroups, containers and
/// processes, learned from events, the start-up snapshot, lookups and (later) runtime APIs.
public struct StoreBatch: Sendable {
    public var cgroups: [CgroupRecord] = []
    public var processes: [ProcessRecord] = []
    public var events: [ResolvedEvent] = []
    public var gaps: [Gap] = []
    /// Answers from container runtimes (back-filled into `containers` and `pods`).
    public var enrichments: [ContainerMetadata] = []
    public var enrichmentFailures: [EnrichmentFailure] = []

    public init(cgroups: [CgroupRecord] = [], processes: [ProcessRecord] = [], events: [ResolvedEvent] = [], gaps: [Gap] = [],
                enrichments: [ContainerMetadata] = [], enrichmentFailures: [EnrichmentFailure] = []) {
        self.cgroups = cgroups
        self.processes = processes
        self.events = events
        self.gaps = gaps
        self.enrichments = enrichments
        self.enrichmentFailures = enrichmentFailures
    }

    public var isEmpty: Bool {
        cgroups.isEmpty && processes.isEmpty && events.isEmpty && gaps.isEmpty && enrichments.isEmpty && enrichmentFailures.isEmpty
    }
}

/// A container as its cgroup path shows it (no runtime asked yet).
public struct ContainerRef: Sendable, Hashable {
    /// Full container id.
    public var id: String
    /// Runtime guessed from the path shape.
    public var runtime: ContainerRuntime
    /// Kubernetes pod UID, when the path holds it.
    public var podUID: String?
    /// True when this cgroup is the container's own cgroup (not one inside it).
    public var isRoot: Bool
    /// The path of the container's own cgroup this cgroup claims (its path up to the component
    /// holding the id), in the tracked hierarchy; nil for cgroups of other hierarchies. The
    /// first claim of an id fixes the container's `cgroup_path` until its runtime confirms one.
    public var cgroupPath: String?
    public init(id: String, runtime: ContainerRuntime, podUID: String?, isRoot: Bool, cgroupPath: String? = nil) {
        self.id = id
        self.runtime = runtime
        self.podUID = podUID
        self.isRoot = isRoot
        self.cgroupPath = cgroupPath
    }
}

/// A cgroup the pipeline learned about, with what it decided about the container the cgroup
/// belongs to (the store writes these decisions; it makes none).
public struct CgroupRecord: Sendable {
    public var hierarchyID: UInt32
    public var id: UInt64
    /// Path inside the hierarchy; nil when it could not be found (removed before lookup).
    public var path: ByteString?
    public var level: UInt32?
    /// Creation time (UTC ns): the mkdir event, or the directory's ctime for pre-existing cgroups.
    public var createdAt: Int64?
    /// It existed when the session started (found by the start-up walk).
    public var existedAtStart: Bool
    /// `path` is cut: the kernel's buffer was full and the cgroup could not be looked up by id.
    public var pathTruncated = false
    /// The container this cgroup belongs to (its own cgroup or one inside it), when its path shows one.
    public var container: ContainerRef?
    /// When the container was first seen through this cgroup (UTC ns); set with `container`.
    public var containerSeenAt: Int64?
    /// When the container was created: set only when this cgroup says so — the container's own
    /// cgroup, in the tracked hierarchy (its mkdir time, or its ctime when found by the walk).
    public var containerCreatedAt: Int64?
    /// The container existed before the session: its own cgroup, in the tracked hierarchy, was
    /// found by the start-up walk.
    public var containerExistedAtStart: Bool

    public init(hierarchyID: UInt32, id: UInt64, path: ByteString?, level: UInt32? = nil, createdAt: Int64? = nil,
                existedAtStart: Bool = false, container: ContainerRef? = nil, containerSeenAt: Int64? = nil,
                containerCreatedAt: Int64? = nil, containerExistedAtStart: Bool = false) {
        self.hierarchyID = hierarchyID
        self.id = id
        self.path = path
        self.level = level
        self.createdAt = createdAt
        self.existedAtStart = existedAtStart
        self.container = container
        self.containerSeenAt = containerSeenAt
        self.containerCreatedAt = containerCreatedAt
        self.containerExistedAtStart = containerExistedAtStart
    }
}

/// A process found running when the session started (from `/proc`).
public struct ProcessRecord: Sendable {
    public var key: ProcessKey
    public var ppid: UInt32
    /// The parent's instance, when it was found too.
    public var parent: ProcessKey?
    public var exe: ByteString?
    public var argv: ByteString?
    public var comm: ByteString?
    public var uid: UInt32?
    public var gid: UInt32?
    public var namespacePID: UInt32?
    public var mountNamespace: UInt32?
    public var pidNamespace: UInt32?
    /// Cgroup id in the tracked hierarchy.
    public var cgroupID: UInt64?

    public init(key: ProcessKey, ppid: UInt32, exe: ByteString? = nil, argv: ByteString? = nil, comm: ByteString? = nil,
                uid: UInt32? = nil, gid: UInt32? = nil, namespacePID: UInt32? = nil, mountNamespace: UInt32? = nil,
                pidNamespace: UInt32? = nil, cgroupID: UInt64? = nil) {
        self.key = key
        self.ppid = ppid
        self.exe = exe
        self.argv = argv
        self.comm = comm
        self.uid = uid
        self.gid = gid
        self.namespacePID = namespacePID
        self.mountNamespace = mountNamespace
        self.pidNamespace = pidNamespace
        self.cgroupID = cgroupID
    }
}
