import ArgumentParser
import CasefileModel
import CasefileRecorder
import Foundation
import Logging
import ServiceLifecycle

struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record this host into a case file until Ctrl-C, SIGTERM or --duration.",
        discussion: """
            Needs root: it loads eBPF programs. Events are appended to the case file; an existing case \
            file gets a new session. At the stop it prints the seal chain's head: keep it elsewhere \
            (`casefile verify --expect HEAD` proves the file unchanged since).

            Examples:
              sudo casefile record --db case.db
              sudo casefile record --db case.db --duration 600 --events process,file,network
              sudo casefile record --db case.db --exclude-host --container web --pod prod/api
            """
    )

    @OptionGroup var database: DatabaseOption

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(help: "Kernel ring buffer size in MiB (a power of two).")
    var ringBufferMib: Int = 16

    @Option(help: ArgumentHelp(
        "Events held in memory, in MiB, while writing to the case file is behind the kernel (1 to 4096).",
        discussion: "More rides out longer bursts without loss, at the cost of resident memory; a drained batch that does not fit is dropped and counted (gaps, reason writer_backlog). The kernel ring buffer (--ring-buffer-mib) holds more behind it.",
        valueName: "MIB"))
    var backlogMib: Int = RecorderOptions.defaultBacklogBytes >> 20

    @Flag(help: "Never print the live status line (it is printed only when stderr is a terminal).")
    var quiet = false

    @Option(name: .customLong("runtime-socket"), help: ArgumentHelp(
        "A container runtime socket to ask, besides the discovered ones (repeatable): \(RuntimeEndpoint.syntax).",
        discussion: "RUNTIME is docker, podman, containerd or crio, e.g. containerd=/run/k3s/containerd/containerd.sock.",
        valueName: "RUNTIME=PATH"))
    var runtimeSockets: [RuntimeEndpoint] = []

    @Flag(help: "Do not ask container runtimes for names, images and pods (containers keep what their cgroup path says).")
    var noEnrichment = false

    @Flag(help: ArgumentHelp("Attribute events to the v1 cpuset cgroup hierarchy even when cgroup v2 is mounted.", visibility: .hidden))
    var cgroupV1Cpuset = false

    @Option(help: ArgumentHelp(
        "What to record: groups (\(EventGroup.allCases.map(\.rawValue).joined(separator: ", "))) and single kinds, comma-separated.",
        discussion: "Default: all. Kinds: \(EventKind.allCases.map(\.name).joined(separator: ", ")). File, network and privilege kinds not chosen cost the kernel one table lookup per syscall; process and cgroup events are always traced (processes and containers are known from them) and only their rows are left out. The case file says what was chosen (session_settings).",
        valueName: "LIST"), transform: { try EventSelection.parse($0).get() })
    var events: EventSelection = .all

    @Flag(help: "Record containers only: events of host processes are not recorded (filtered in the kernel by cgroup once judged; counted in session_settings.scope_skipped).")
    var excludeHost = false

    @Option(name: .customLong("container"), help: ArgumentHelp(
        "Record only this container (repeatable): an id prefix (4+ hex digits) or a name. Implies --exclude-host.",
        discussion: "A container whose name decides is recorded until its runtime answers; then the rest of the host is filtered in the kernel.",
        valueName: "ID-OR-NAME"))
    var containers: [String] = []

    @Option(name: .customLong("pod"), help: ArgumentHelp(
        "Record only this Kubernetes pod's containers (repeatable): NAME, NAMESPACE/NAME or the pod UID. Implies --exclude-host.",
        valueName: "POD"))
    var pods: [String] = []

    @Option(help: "argv bytes kept per exec, 0 to 4096 (longer argv is cut and flagged).")
    var argvMax: Int = 4096

    @Flag(help: "Also record the environment of every exec (up to 4 KiB each). Off by default: environments often hold secrets.")
    var captureEnvironment = false

    @Option(help: ArgumentHelp(
        "Fold identical repeated file, network and privilege events of one thread within this many milliseconds into one row with a count (0: off).",
        discussion: "Exact: only events identical in process, thread, comm, cgroup, kind, arguments, strings and result, one right after the other, are folded; the row keeps the first time, the count and the last time (event_folds). The times in between are what is not kept.",
        valueName: "MS"))
    var foldWindowMs: Int = 1000

    func validate() throws {
        if noEnrichment && !runtimeSockets.isEmpty {
            throw ValidationError("--runtime-socket and --no-enrichment contradict each other: runtimes are only asked when enrichment is on")
        }
        if let duration, !(duration > 0 && duration <= 31_536_000) {
            throw ValidationError("--duration must be a number of seconds between 0 and 31536000 (a year), got \(duration)")
        }
        guard ringBufferMib > 0, ringBufferMib & (ringBufferMib - 1) == 0, ringBufferMib <= 1024 else {
            throw ValidationError("--ring-buffer-mib must be a power of two between 1 and 1024, got \(ringBufferMib)")
        }
        guard (1...4096).contains(backlogMib) else {
            throw ValidationError("--backlog-mib must be between 1 and 4096 MiB, got \(backlogMib)")
        }
        guard (0...60_000).contains(foldWindowMs) else {
            throw ValidationError("--fold-window-ms must be between 0 (off) and 60000 milliseconds, got \(foldWindowMs)")
        }
        guard (0...4096).contains(argvMax) else {
            throw ValidationError("--argv-max must be between 0 and 4096 bytes, got \(argvMax)")
        }
        for value in containers + pods where value.isEmpty || value.utf8.count > 256 || value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw ValidationError("--container and --pod take a name, id or UID of 1 to 256 printable characters, got '\(SafeText.escape(value))'")
        }
    }

    func run() async throws {
        guard geteuid() == 0 else {
            throw CLIError("casefile record must run as root: it loads eBPF programs into the kernel. Try: sudo casefile record --db \(database.db)")
        }
        var options = RecorderOptions(databasePath: database.db)
        options.ringBufferBytes = ringBufferMib << 20
        options.backlogBytes = backlogMib << 20
        options.enrichment = !noEnrichment
        options.runtimeSockets = runtimeSockets
        options.cgroupV1Cpuset = cgroupV1Cpuset
        options.reducePrivileges = true
        options.events = events.kinds
        options.scope = RecordingScope(containersOnly: excludeHost || !containers.isEmpty || !pods.isEmpty,
                                       containers: containers, pods: pods)
        options.argvMax = argvMax
        options.captureEnvironment = captureEnvironment
        options.foldWindowMilliseconds = foldWindowMs
        let path = database.db
        options.onStarted = { session in
            FileHandle.standardError.write(Data("casefile: recording into \(path) (session \(session)); Ctrl-C to stop\n".utf8))
        }
        var logger = Logger(label: "casefile")
        logger.logLevel = .info
        // The group runs the recorder (start included) with SIGINT/SIGTERM handled from the first
        // moment: a stop during start-up is still a clean stop.
        let recorder = Recorder(options: options, logger: logger)
        let showStatus = !quiet && isatty(STDERR_FILENO) == 1

        var services = recorder.services
        if let duration {
            services.append(.init(service: Deadline(seconds: duration), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        if showStatus {
            services.append(.init(service: StatusLine(recorder: recorder, path: database.db)))
        }
        var config = ServiceGroupConfiguration(services: services, logger: logger)
        config.gracefulShutdownSignals = [.sigterm, .sigint]
        // A stop that takes longer than this (a hung disk) is cancelled rather than waited on forever.
        config.maximumGracefulShutdownDuration = .seconds(60)
        let group = ServiceGroup(configuration: config)
        try await group.run()
        let stats = recorder.stats
        if showStatus { FileHandle.standardError.write(Data("\n".utf8)) }
        FileHandle.standardError.write(Data("casefile: stopped; session \(stats.sessionID): \(stats.eventsWritten) events stored\(stats.eventsFolded > 0 ? " (and \(stats.eventsFolded) identical repeats counted in them)" : ""), \(stats.eventsLost) lost\(stats.scopeSkipped > 0 ? ", \(stats.scopeSkipped) out of scope" : ""). Look: casefile timeline --db \(database.db)\n".utf8))
        if case .success(let summary)? = recorder.summary {
            // The head goes to stdout alone on its line, so it can be piped off the host.
            FileHandle.standardError.write(Data("casefile: seal head after \(summary.seals) sealed batches (keep it off this host; check the file later with `casefile verify --db \(database.db) --expect HEAD`):\n".utf8))
            print("seal-head \(summary.sealHead)")
        }
    }
}

/// Ends the recording after `--duration`.
struct Deadline: Service {
    let seconds: Double
    func run() async throws {
        // Ends early on Ctrl-C/SIGTERM too: the group shuts services down one by one.
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        }
    }
}

/// `casefile: 12345 ev/s  total 1234567  lost 0  db 12.3 MiB`, redrawn every second on stderr.
struct StatusLine: Service {
    let recorder: Recorder
    let path: String

    func run() async throws {
        var last = recorder.stats.eventsWritten
        var lastTime = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .seconds(1))
            let stats = recorder.stats
            let now = ContinuousClock.now
            let seconds = Double((now - lastTime).components.attoseconds) / 1e18 + Double((now - lastTime).components.seconds)
            let rate = seconds > 0 ? Double(stats.eventsWritten - last) / seconds : 0
            last = stats.eventsWritten
            lastTime = now
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            let line = String(format: "\r\u{1B}[Kcasefile: %.0f ev/s  total %llu  lost %llu  db %.1f MiB",
                              rate, stats.eventsWritten, stats.eventsLost, Double(size + wal) / 1_048_576)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}

/// How `--events`'s default shows in `--help`.
extension EventSelection: CustomStringConvertible {
    public var description: String { kinds.count == EventKind.allCases.count ? "all" : kinds.map(\.name).sorted().joined(separator: ",") }
}

/// `--runtime-socket RUNTIME=PATH` (parsed by `RuntimeEndpoint.init?(argument:)`).
extension RuntimeEndpoint: ExpressibleByArgument {}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
