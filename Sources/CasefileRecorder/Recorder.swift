import CasefileEnrich
import CasefileModel
import CasefilePipeline
import CasefileProbe
import CasefileStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// `casefile record`: probe → decode → pipeline → store, as a swift-service-lifecycle `Service`.
///
/// `run()` opens everything (BPF programs, case file, session row), then runs two loops on
/// threads of their own, each a small type with one job:
/// - `ProbeLoop` drains the kernel ring buffer, decodes and queues (it never waits on SQLite);
/// - `WriterLoop` resolves events in the pipeline and writes each batch in one transaction.
/// Enrichment is a separate service, `EnrichmentService`, run in the same group (see
/// ``services``); its answers reach the writer through the same queue.
///
/// The stop protocol, on graceful shutdown (SIGINT, SIGTERM, `--duration`) or when the case
/// file cannot be written: the probe loop drains the ring one last time and returns; the writer
/// catches up (bounded), so containers in the last events are handed to the enricher; enrichment
/// settles (bounded by `enrichmentGrace`) and stops taking requests; the queue is closed; the
/// writer drains it, closes the session row and returns.
public final class Recorder: Service, Sendable {
    public let options: RecorderOptions
    /// The enrichment service of this recording (nil with `enrichment` off): run it with the
    /// recorder, as ``services`` does.
    public let enrichment: EnrichmentService?
    private let logger: Logger
    private let queue: WriterQueue
    private let statsBox = Mutex(RecorderStats())
    private let startup = Latch<Result<Int64, any Error>>()
    private let outcome = Latch<Result<RecordingSummary, any Error>>()

    public init(options: RecorderOptions, logger: Logger = Logger(label: "casefile.recorder")) {
        self.options = options
        self.logger = logger
        let queue = WriterQueue(capacity: options.backlogBytes)
        self.queue = queue
        enrichment = options.enrichment
            ? EnrichmentService(options: options, logger: logger) { outcome in queue.push(.enrichment(outcome), force: true) }
            : nil
    }

    /// The services of one recording, in `ServiceGroup` order: enrichment first (so it is shut
    /// down last), then the recorder, whose end ends the group.
    public var services: [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let enrichment { services.append(.init(service: enrichment)) }
        // A recorder that fails (to start, or while writing) ends the group the same way a stop
        // does: gracefully, so enrichment's connections close in their normal order.
        services.append(.init(service: self, successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        return services
    }

    public var stats: RecorderStats { statsBox.withLock { $0 } }

    /// Waits until recording has started (the session id) or failed to (the error).
    public func started() async throws -> Int64 {
        guard let result = await startup.wait() else { throw CancellationError() }
        return try result.get()
    }

    /// The summary once `run()` has returned; nil before.
    public var summary: Result<RecordingSummary, any Error>? { outcome.value }

    // MARK: Service

    public func run() async throws {
        let result = await record()
        startup.set(result.map(\.sessionID))
        outcome.set(result)
        _ = try result.get()
    }

    private func record() async -> Result<RecordingSummary, any Error> {
        // Cancellation (rather than graceful shutdown) stops the recording the same way.
        let stop = self.stop
        return await withTaskCancellationHandler {
            await recordUntilStopped()
        } onCancel: {
            stop.request()
        }
    }

    /// What start-up opens, handed from the set-up thread to the loops' threads.
    private struct Opened: @unchecked Sendable {
        // @unchecked: each is used by one thread at a time (set-up, then its loop).
        let probe: Probe
        let writerLoop: WriterLoop
    }

    /// Loads the BPF programs and opens the case file, on a thread of its own (verifying BPF
    /// programs and migrating a case file block).
    private func open() async -> Result<Opened, any Error> {
        await onOwnThread(named: "casefile-setup") { [self] in
            Result {
                // One recorder per case file, from before it is opened until after it is closed.
                let existed = FileManager.default.fileExists(atPath: options.databasePath)
                let lock = try RecordingLock(path: options.databasePath)
                do {
                    return try openLocked(lock)
                } catch {
                    // A start that failed (BPF not loadable, not root, ...) leaves no empty file behind.
                    if !existed { lock.removeIfEmpty() }
                    throw error
                }
            }
        }
    }

    private func openLocked(_ lock: RecordingLock) throws -> Opened {
        let facts = try HostFacts.read(preferV1Cpuset: options.cgroupV1Cpuset)
        if let warning = facts.cgroupWarning { logger.warning("\(warning)") }
        let choices = ProbeChoices(syscallKinds: options.events.filter(\.isSyscall), scoped: !options.scope.isWholeHost,
                                   argvMax: options.argvMax, environmentMax: options.captureEnvironment ? Probe.environmentCeiling : 0)
        let probe = try Probe(ringBufferBytes: options.ringBufferBytes, sliceBytes: options.drainSliceBytes,
                              cgroupV1Cpuset: !(facts.cgroups.tracked?.isV2 ?? true), choices: choices)
        for failure in probe.failed {
            logger.warning("BPF program \(failure.program) did not attach: \(failure.reason)")
        }
        let session = facts.session(options: options, probe: probe)
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: options.databasePath), session: session)
        let cgroupFS = facts.cgroups.tracked.map { CgroupFS(mountPoint: $0.mountPoint, hierarchyID: facts.trackedHierarchy) }
        let writerLoop = WriterLoop(
            writer: writer, lock: lock,
            pipeline: Pipeline(clock: facts.clock, trackedHierarchy: facts.trackedHierarchy, cgroupFS: cgroupFS,
                               sessionStartedAt: session.startedAt, scope: options.scope,
                               foldWindow: Int64(max(0, options.foldWindowMilliseconds)) * 1_000_000),
            skipList: probe.skipList, kernelScopeSkips: kernelScopeSkips,
            queue: queue, enricher: enrichment?.enricher, runtimes: enrichment?.description ?? "enrichment off",
            options: options, stop: self.stop, logger: logger,
            written: { [self] w in
                statsBox.withLock {
                    $0.eventsWritten = w.stored
                    $0.eventsLost = w.lost
                    $0.duplicateExits = w.duplicates
                    $0.eventsFolded = w.folded
                    $0.scopeSkipped = w.scopeSkipped
                    $0.notChosen = w.notChosen
                }
            })
        statsBox.withLock { $0.sessionID = writer.sessionID }
        return Opened(probe: probe, writerLoop: writerLoop)
    }

    private func recordUntilStopped() async -> Result<RecordingSummary, any Error> {
        let opened: Opened
        switch await open() {
        case .success(let value): opened = value
        case .failure(let error): return .failure(error)
        }
        let (probe, writerLoop) = (opened.probe, opened.writerLoop)
        logger.info("container runtimes: \(enrichment?.description ?? "enrichment off")")
        let probeLoop = ProbeLoop(probe: probe, queue: queue, options: options, logger: logger, scopeSkips: kernelScopeSkips) { [self] count in
            statsBox.withLock { $0.eventsDrained += UInt64(count) }
        }
        let stop = self.stop
        // The programs are attached: drain from now on, while the rest starts.
        async let writing = onOwnThread(named: "casefile-writer") { writerLoop.run() }
        async let probing: Void = withGracefulShutdownHandler {
            await onOwnThread(named: "casefile-probe") { probeLoop.run(until: stop) }
        } onGracefulShutdown: {
            stop.request()
        }

        // Recording counts as started once runtime event streams are up (bounded): a container
        // created right after the start is then enriched at creation, however short its life.
        await enrichment?.enricher.waitForEventStreams(timeout: .seconds(2))
        startup.set(.success(writerLoop.sessionID))
        options.onStarted?(writerLoop.sessionID)

        await probing
        await settleEnrichment()
        queue.close()
        let written = await writing
        withExtendedLifetime(probe) {}  // detached by the probe loop at stop; its ring and maps are released only now
        return written.map { totals in
            RecordingSummary(sessionID: writerLoop.sessionID, eventsWritten: totals.written, eventsLost: totals.lost,
                             attached: probe.attached, attachFailures: probe.failed.map { "\($0.program): \($0.reason)" },
                             sealHead: totals.sealHead, seals: totals.seals)
        }
    }

    private let stop = StopSignal()
    /// Events the kernel did not write because they were out of scope (read by the probe loop).
    private let kernelScopeSkips = SharedCount()

    /// Lets the writer catch up, so containers in the last events are handed to the enricher,
    /// then lets running calls answer, so the last containers get names; then stops enrichment.
    /// Every wait is bounded: a stuck disk or a hanging runtime cannot hold up the stop.
    private func settleEnrichment() async {
        guard let enrichment else { return }
        let caughtUp = Latch<Void>()
        queue.push(.barrier(caughtUp), force: true)
        if await caughtUp.wait(atMost: options.writerCatchUpLimit) == nil {
            logger.warning("the writer did not catch up within \(options.writerCatchUpLimit); stopping enrichment without it")
        }
        await enrichment.enricher.settle(timeout: options.enrichmentGrace)
        enrichment.enricher.finish()
    }
}

extension HostFacts {
    /// The session row's facts.
    func session(options: RecorderOptions, probe: Probe) -> SessionInfo {
        var info = SessionInfo(
            host: host, kernel: kernel, machineID: machineID, clock: clock,
            cgroupLayout: cgroups.kind.rawValue, cgroupHierarchy: trackedHierarchy,
            cgroupMount: cgroups.tracked?.mountPoint, warnings: cgroupWarning, startedAt: nowNanoseconds(),
            casefileVersion: CasefileVersion.current, abiVersion: Probe.abiVersion,
            commandLine: options.commandLine, attached: probe.attached,
            attachFailures: probe.failed.map { "\($0.program): \($0.reason)" },
            ringBufferBytes: options.ringBufferBytes)
        var settings = RecordingSettings()
        settings.kinds = options.events
        settings.scope = options.scope
        settings.argvMax = min(options.argvMax, Probe.argvCeiling)
        settings.captureEnvironment = options.captureEnvironment
        settings.foldWindowMilliseconds = max(0, options.foldWindowMilliseconds)
        settings.hooks = Self.hooks(attached: Set(probe.attached), richer: Probe.probeRicherHooks())
        settings.notAttached = probe.notAttached.map { "\($0.program): \($0.reason)" }
        info.settings = settings
        return info
    }

    /// Which kernel hooks each event family used (what `session_settings.hooks` says).
    static func hooks(attached: Set<String>, richer: [(hook: String, outcome: String)]) -> String {
        func state(_ programs: [String]) -> String { programs.allSatisfy(attached.contains) ? "" : " (NOT attached)" }
        return [
            "process: tp_btf/sched_process_exec, sched_process_fork, sched_process_exit" + state(["cf_exec", "cf_fork", "cf_exit"]),
            "cgroup: tp_btf/cgroup_mkdir, cgroup_rmdir" + state(["cf_cgroup_mkdir", "cf_cgroup_rmdir"]),
            "file, network, privilege: tp_btf/sys_enter + sys_exit (arguments and strings read at entry, result at exit; paths as the process gave them)"
                + state(["cf_sys_enter", "cf_sys_exit"]),
            "richer hooks probed (" + richer.map { "\($0.hook): \($0.outcome)" }.joined(separator: ", ")
                + "); this version records through the tracepoints above either way",
        ].joined(separator: "; ")
    }
}
