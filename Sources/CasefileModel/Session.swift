/// Facts about one `casefile record` run, written once into `sessions`.
public struct SessionInfo: Sendable {
    public var host: String
    public var kernel: String
    public var machineID: String?
    public var clock: BootClock
    public var cgroupLayout: String
    public var cgroupHierarchy: UInt32
    public var cgroupMount: String?
    /// What the recorder warned about at start (e.g. a non-host cgroup namespace).
    public var warnings: String?
    public var startedAt: Int64
    public var casefileVersion: String
    public var abiVersion: Int
    public var commandLine: String
    public var attached: [String]
    public var attachFailures: [String]
    public var ringBufferBytes: Int
    /// What the session records, and the hooks used (`session_settings`).
    public var settings = RecordingSettings()

    public init(host: String, kernel: String, machineID: String?, clock: BootClock, cgroupLayout: String,
                cgroupHierarchy: UInt32, cgroupMount: String?, warnings: String? = nil, startedAt: Int64, casefileVersion: String,
                abiVersion: Int, commandLine: String, attached: [String], attachFailures: [String],
                ringBufferBytes: Int) {
        self.host = host
        self.kernel = kernel
        self.machineID = machineID
        self.clock = clock
        self.cgroupLayout = cgroupLayout
        self.cgroupHierarchy = cgroupHierarchy
        self.cgroupMount = cgroupMount
        self.warnings = warnings
        self.startedAt = startedAt
        self.casefileVersion = casefileVersion
        self.abiVersion = abiVersion
        self.commandLine = commandLine
        self.attached = attached
        self.attachFailures = attachFailures
        self.ringBufferBytes = ringBufferBytes
    }
}

/// An event after the pipeline: with its UTC time and the process instance it belongs to.
public struct ResolvedEvent: Sendable {
    public var event: Event
    /// UTC nanoseconds since the epoch.
    public var time: Int64
    /// The process instance that was running (nil when it cannot be known).
    public var process: ProcessKey?
    /// For exec: the parent's instance, when known.
    public var parent: ProcessKey?
    /// For cgroup mkdir/rmdir: the container whose cgroup it is, when the path shows one.
    public var container: ContainerRef?
    /// The container this event removes (the pipeline decides: an rmdir of the container's own
    /// cgroup in the tracked hierarchy).
    public var removesContainer: String?
    /// False for an event of a cgroup out of the recording's scope: the writer applies what it
    /// changes (a cgroup removed, a container gone) but stores no row for it.
    public var storeRow = true
    /// How many identical events of its thread this one stands for (exact folding; 1: itself only),
    /// and when the last of them happened (UTC ns).
    public var foldCount: Int64 = 1
    public var lastTime: Int64?

    public init(event: Event, time: Int64, process: ProcessKey?, parent: ProcessKey? = nil, container: ContainerRef? = nil,
                removesContainer: String? = nil) {
        self.event = event
        self.time = time
        self.process = process
        self.parent = parent
        self.container = container
        self.removesContainer = removesContainer
    }
}

/// Events that were lost, and why. Every loss becomes a `gaps` row.
public struct Gap: Sendable, Equatable {
    public enum Reason: String, Sendable {
        /// The kernel could not write to the ring buffer: it was full.
        case ringBufferFull = "ring_buffer_full"
        /// User space could not allocate memory to hold drained records.
        case userSpaceMemory = "user_space_memory"
        /// A record could not be decoded (unknown kind or bad length).
        case undecodable = "undecodable"
        /// The writer fell too far behind and a batch was dropped to bound memory.
        case writerBacklog = "writer_backlog"
        /// Writing the case file failed (e.g. disk full); these events were drained but not stored.
        case writerFailure = "writer_failure"
        /// A syscall's entry could not be kept in the kernel until its exit (no memory for the
        /// thread's slot), or an entry was not its exit's (the exit was missed while programs were
        /// being attached): that syscall has no row.
        case syscallTableFull = "syscall_table_full"
        /// 32-bit (ia32) syscalls of 64-bit kernels: their numbers and registers differ, they are
        /// not recorded, only counted (a 32-bit program's file, network and privilege calls).
        case compatSyscall = "compat_syscall"
    }
    public var detectedAt: Int64
    public var count: UInt64
    public var reason: Reason
    public var detail: String?

    public init(detectedAt: Int64, count: UInt64, reason: Reason, detail: String? = nil) {
        self.detectedAt = detectedAt
        self.count = count
        self.reason = reason
        self.detail = detail
    }
}
