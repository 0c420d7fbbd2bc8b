import CasefileEnrich
import CasefileModel

/// How to record.
public struct RecorderOptions: Sendable {
    public var databasePath: String
    public var ringBufferBytes: Int = 16 << 20
    /// How often the probe thread drains the ring when the kernel does not wake it.
    public var drainIntervalMilliseconds: Int32 = 5
    /// How far behind the writer may fall, in bytes of queued events (`Event.approximateBytes`),
    /// before drained batches are dropped (and counted as `writer_backlog` gaps). 32 MiB is about
    /// 0.7 s of the highest rate the writer sustains (the kernel ring holds more behind it), and
    /// keeps the recorder under 100 MB resident at full load (256 MiB let it reach 554 MB).
    public var backlogBytes: Int = Self.defaultBacklogBytes
    public static let defaultBacklogBytes = 32 << 20
    /// The most one drain of the ring takes at a time (the rest waits in the ring for the next).
    public var drainSliceBytes: Int = 4 << 20
    /// The largest number of events per transaction: 16,384 keeps a batch's rows, encoded for
    /// its seal as they are written (100–150 bytes an event), within the writer's 4 MiB for them.
    public var maxTransactionEvents: Int = 16_384
    public var commandLine: String = CommandLine.arguments.joined(separator: " ")
    /// Attribute events to the v1 cpuset hierarchy even when a v2 hierarchy exists (what a host
    /// without v2 gets automatically). For testing the v1 path on hybrid hosts.
    public var cgroupV1Cpuset = false
    /// Ask container runtimes for names, images and pods (`--no-enrichment` turns it off).
    public var enrichment = true
    /// Runtime sockets given with `--runtime-socket`, used besides the discovered ones.
    public var runtimeSockets: [RuntimeEndpoint] = []
    /// Candidate default sockets (tests point this elsewhere).
    public var runtimeSocketCandidates: [RuntimeEndpoint] = RuntimeDiscovery.defaults
    public var enricher = Enricher.Configuration()
    /// How long a stop waits for enrichment calls still running, so the last containers get names.
    public var enrichmentGrace: Duration = .seconds(3)
    /// How long a stop waits for the writer to catch up before enrichment settles.
    public var writerCatchUpLimit: Duration = .seconds(30)
    /// After start-up (programs attached, case file open, start-up snapshot written), reduce the
    /// whole process to the capabilities it still uses and set no_new_privs (`Privileges`).
    /// Irreversible for the process: `casefile record` sets it; in-process tests do not.
    public var reducePrivileges = false
    /// How often the writer measures the boot-clock-to-UTC offset again, and by how much it must
    /// have moved to be a step (a `clock_steps` row; later events use the new offset).
    public var clockCheckInterval: Duration = .seconds(60)
    public var clockStepThreshold: Int64 = 1_000_000
    /// The measurement (tests replace it: the host's clock is not theirs to step).
    public var measureBootOffset: @Sendable () -> Int64 = { HostFacts.measureBootOffset() }
    /// Kinds stored (`--events`); syscall kinds not chosen are not even written by the kernel.
    public var events: Set<EventKind> = Set(EventKind.allCases)
    /// Which cgroups are recorded (`--exclude-host`, `--container`, `--pod`).
    public var scope = RecordingScope()
    /// argv bytes kept per exec (at most 4096).
    public var argvMax = 4096
    /// Capture the environment of execs (it may hold secrets: off unless asked for).
    public var captureEnvironment = false
    /// Exact folding of identical repeated syscall events of one thread within this many
    /// milliseconds into one row with a count and the last time (`event_folds`); 0: off.
    public var foldWindowMilliseconds = 1000
    /// Called by `run()` once recording has started, with the session id.
    public var onStarted: (@Sendable (Int64) -> Void)?

    public init(databasePath: String) { self.databasePath = databasePath }
}

/// Live figures for the status line and tests.
public struct RecorderStats: Sendable, Equatable {
    public var eventsDrained: UInt64 = 0
    public var eventsWritten: UInt64 = 0
    public var eventsLost: UInt64 = 0
    /// Second reports of one process's exit that the pipeline dropped. Events drained = written
    /// + folded + those in `writer_failure` and `writer_backlog` gaps + these + scopeSkipped +
    /// notChosen.
    public var duplicateExits: UInt64 = 0
    /// Events stored as repeats of an identical one (`event_folds`).
    public var eventsFolded: UInt64 = 0
    /// Events dropped in user space because their cgroup was out of scope (the kernel skips most).
    public var scopeSkipped: UInt64 = 0
    /// Process and cgroup events traced but not stored (`--events` left their kind out).
    public var notChosen: UInt64 = 0

    /// What the writer reports after each commit.
    struct Written: Sendable {
        var stored: UInt64, lost: UInt64, duplicates: UInt64, folded: UInt64, scopeSkipped: UInt64, notChosen: UInt64
    }
    public var sessionID: Int64 = 0
}

/// What a finished recording says about itself.
public struct RecordingSummary: Sendable {
    public var sessionID: Int64
    public var eventsWritten: UInt64
    public var eventsLost: UInt64
    public var attached: [String]
    public var attachFailures: [String]
    /// The seal chain's head after the session's last batch (hex): keep it off the host, and
    /// give it to `casefile verify --expect` later.
    public var sealHead: String
    /// Batches this session sealed.
    public var seals: Int
}
