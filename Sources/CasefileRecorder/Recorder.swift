import CasefileDecode
import CasefileEnrich
import CasefileModel
import CasefilePipeline
import CasefileProbe
import CasefileStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// How to record.
public struct RecorderOptions: Sendable {
    public var databasePath: String
    public var ringBufferBytes: Int = 16 << 20
    /// How often the probe thread drains the ring when the kernel does not wake it.
    public var drainIntervalMilliseconds: Int32 = 5
    /// Events the writer may fall behind by before batches are dropped (and counted as gaps).
    public var backlogLimit: Int = 4_000_000
    /// The largest number of events per transaction.
    public var maxTransactionEvents: Int = 65_536
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
    /// Called by `run()` once recording has started, with the session id.
    public var onStarted: (@Sendable (Int64) -> Void)?

    public init(databasePath: String) { self.databasePath = databasePath }
}

/// Live figures for the status line and tests.
public struct RecorderStats: Sendable, Equatable {
    public var eventsDrained: UInt64 = 0
    public var eventsWritten: UInt64 = 0
    public var eventsLost: UInt64 = 0
    public var sessionID: Int64 = 0
}

/// What `stop()` returns.
public struct RecordingSummary: Sendable {
    public var sessionID: Int64
    public var eventsWritten: UInt64
    public var eventsLost: UInt64
    public var attached: [String]
    public var attachFailures: [String]
}

/// `casefile record`: probe → decode → pipeline → store, on two threads.
///
/// - The probe thread drains the kernel ring buffer (on a short timer, or early when the kernel
///   forces a wake-up), decodes records and queues them. It does nothing else, so the ring never
///   waits on SQLite.
/// - The writer thread resolves events in the pipeline and writes each queued batch in one
///   transaction.
///
/// A `Service` for swift-service-lifecycle: `run()` records until graceful shutdown (SIGINT,
/// SIGTERM, or `--duration`), then drains the ring, commits everything and closes the session.
public final class Recorder: Service, Sendable {
    public let options: RecorderOptions
    private let logger: Logger
    private let state = Mutex(State())
    private let statsBox = Mutex(RecorderStats())

    private struct State: Sendable {
        var stopping = false
        var started = false
        var finished: [CheckedContinuation<Result<RecordingSummary, any Error>, Never>] = []
        var summary: Result<RecordingSummary, any Error>?
    }

    private enum Message: Sendable {
        case events([Event])
        case gap(Gap)
        case enrichment(Enricher.Outcome)
        /// Signalled by the writer once everything queued before it is written (and its new
        /// containers handed to the enricher).
        case barrier(DispatchSemaphore)
    }

    public init(options: RecorderOptions, logger: Logger = Logger(label: "casefile.recorder")) {
        self.options = options
        self.logger = logger
    }

    public var stats: RecorderStats { statsBox.withLock { $0 } }

    // MARK: Service

    public func run() async throws {
        if !state.withLock({ $0.started }) { try await start() }
        options.onStarted?(stats.sessionID)
        await withGracefulShutdownHandler {
            await waitUntilStopRequested()
        } onGracefulShutdown: {
            self.requestStop()
        }
        _ = try await stop()
    }

    // MARK: Start and stop

    /// Loads the BPF programs, opens the case file and starts both threads. Returns once events
    /// are being recorded; throws what failed (not root, BPF refused, bad case file).
    public func start() async throws {
        let already = state.withLock { s in
            defer { s.started = true }
            return s.started
        }
        guard !already else { return }
        let ready: Result<Enricher?, any Error> = await withCheckedContinuation { started in
            let thread = Thread { [self] in self.probeThread(started: started) }
            thread.name = "casefile-probe"
            thread.start()
        }
        // Recording starts once runtime event streams are up (bounded): a container created right
        // after `start` returns is then enriched at creation, however short its life.
        try await ready.get()?.waitForEventStreams(timeout: .seconds(2))
    }

    /// Asks the threads to finish: the ring is drained, everything is committed, the session row
    /// is closed. Returns the summary.
    public func stop() async throws -> RecordingSummary {
        requestStop()
        let result: Result<RecordingSummary, any Error> = await withCheckedContinuation { continuation in
            let ready: Result<RecordingSummary, any Error>? = state.withLock { s in
                if let summary = s.summary { return summary }
                if !s.started { return .failure(RecorderError.notStarted) }
                s.finished.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        return try result.get()
    }

    public func requestStop() {
        state.withLock { $0.stopping = true }
    }

    private var stopping: Bool { state.withLock { $0.stopping } }

    private func waitUntilStopRequested() async {
        while !stopping && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private func finish(_ result: Result<RecordingSummary, any Error>) {
        let waiting = state.withLock { s -> [CheckedContinuation<Result<RecordingSummary, any Error>, Never>] in
            s.summary = result
            defer { s.finished = [] }
            return s.finished
        }
        for continuation in waiting { continuation.resume(returning: result) }
    }

    // MARK: Threads

    private func probeThread(started: CheckedContinuation<Result<Enricher?, any Error>, Never>) {
        let probe: Probe
        let writer: SessionWriter
        let facts: HostFacts
        do {
            facts = try HostFacts.read(preferV1Cpuset: options.cgroupV1Cpuset)
            if let warning = facts.cgroupWarning { logger.warning("\(warning)") }
            probe = try Probe(ringBufferBytes: options.ringBufferBytes, cgroupV1Cpuset: !(facts.cgroups.tracked?.isV2 ?? true))
            let queue = try CaseFile.openForRecording(path: options.databasePath)
            writer = try SessionWriter(queue: queue, session: SessionInfo(
                host: facts.host, kernel: facts.kernel, machineID: facts.machineID, clock: facts.clock,
                cgroupLayout: facts.cgroups.kind.rawValue, cgroupHierarchy: facts.trackedHierarchy,
                cgroupMount: facts.cgroups.tracked?.mountPoint, warnings: facts.cgroupWarning, startedAt: nowNanoseconds(),
                casefileVersion: CasefileVersion.current, abiVersion: Probe.abiVersion,
                commandLine: options.commandLine, attached: probe.attached,
                attachFailures: probe.failed.map { "\($0.program): \($0.reason)" },
                ringBufferBytes: options.ringBufferBytes))
        } catch {
            state.withLock { $0.summary = .failure(error) }
            started.resume(returning: .failure(error))
            return
        }
        for failure in probe.failed {
            logger.warning("BPF program \(failure.program) did not attach: \(failure.reason)")
        }
        statsBox.withLock { $0.sessionID = writer.sessionID }

        let queue = BlockingQueue<Message>(capacity: options.backlogLimit)
        let enrichment = startEnrichment(queue: queue)
        let writerDone = DispatchSemaphore(value: 0)
        let sendableWriter = UncheckedBox(writer)
        let cgroupFS = facts.cgroups.tracked.map { CgroupFS(mountPoint: $0.mountPoint, hierarchyID: facts.trackedHierarchy) }
        let attached = probe.attached
        let failures = probe.failed.map { "\($0.program): \($0.reason)" }
        let writerThread = Thread { [self] in
            self.writerThread(writer: sendableWriter.value, queue: queue, clock: facts.clock,
                              cgroupFS: cgroupFS, enricher: enrichment?.enricher, runtimes: enrichment?.description ?? "enrichment off",
                              attached: attached, failures: failures)
            writerDone.signal()
        }
        writerThread.name = "casefile-writer"
        writerThread.start()
        started.resume(returning: .success(enrichment?.enricher))

        var decoder = Decoder()
        var reported = (dropped: UInt64(0), alloc: UInt64(0), undecodable: UInt64(0))
        var lastCounters = ContinuousClock.now

        func drainAll() {
            var events: [Event] = []
            do {
                try probe.drain { buffer in decoder.decode(bytes: buffer.bytes, records: buffer.count, into: &events) }
            } catch {
                logger.error("\(error)")
            }
            guard !events.isEmpty else { return }
            let count = events.count
            statsBox.withLock { $0.eventsDrained += UInt64(count) }
            if !queue.push(.events(events), weight: count) {
                queue.push(.gap(Gap(detectedAt: nowNanoseconds(), count: UInt64(count), reason: .writerBacklog,
                                    detail: "writer more than \(options.backlogLimit) events behind")), force: true)
            }
        }

        func reportLosses() {
            let now = nowNanoseconds()
            if let (_, dropped) = try? probe.counters(), dropped > reported.dropped {
                queue.push(.gap(Gap(detectedAt: now, count: dropped - reported.dropped, reason: .ringBufferFull,
                                    detail: "kernel ring buffer (\(options.ringBufferBytes) bytes) was full")), force: true)
                reported.dropped = dropped
            }
            if probe.allocationFailures > reported.alloc {
                queue.push(.gap(Gap(detectedAt: now, count: probe.allocationFailures - reported.alloc, reason: .userSpaceMemory)), force: true)
                reported.alloc = probe.allocationFailures
            }
            if decoder.undecodable > reported.undecodable {
                queue.push(.gap(Gap(detectedAt: now, count: decoder.undecodable - reported.undecodable, reason: .undecodable,
                                    detail: "records of unknown kind or bad length")), force: true)
                reported.undecodable = decoder.undecodable
            }
        }

        while !stopping {
            probe.wait(timeoutMilliseconds: options.drainIntervalMilliseconds)
            drainAll()
            if ContinuousClock.now - lastCounters > .milliseconds(250) {
                reportLosses()
                lastCounters = .now
            }
        }
        // Stop: programs stay attached until the probe is released, so drain what is there now.
        drainAll()
        reportLosses()
        if let enrichment {
            // First let the writer catch up, so containers in the last events are handed to the
            // enricher before it settles (bounded: a stuck disk must not hold the stop forever).
            let caughtUp = DispatchSemaphore(value: 0)
            queue.push(.barrier(caughtUp), force: true)
            _ = caughtUp.wait(timeout: .now() + 30)
            // Let running enrichment calls answer (bounded), so the last containers get names; then
            // stop it. Every wait here is bounded: a runtime that hangs cannot hold up the stop.
            let done = DispatchSemaphore(value: 0)
            let grace = options.enrichmentGrace
            Task.detached {
                await enrichment.enricher.settle(timeout: grace)
                enrichment.enricher.finish()
                enrichment.task.cancel()
                await enrichment.connections.shutdown()
                done.signal()
            }
            let seconds = Double(grace.components.seconds) + 5
            if done.wait(timeout: .now() + seconds) == .timedOut {
                logger.warning("enrichment did not stop within \(seconds) s; closing the case file without it")
            }
        }
        queue.close()
        writerDone.wait()
        withExtendedLifetime(probe) {}
    }

    private struct Enrichment: Sendable {
        let enricher: Enricher
        let connections: RuntimeConnections
        let task: Task<Void, Never>
        let description: String
    }

    /// Finds runtime sockets and starts the enricher; its answers go into the writer's queue.
    private func startEnrichment(queue: BlockingQueue<Message>) -> Enrichment? {
        guard options.enrichment else { return nil }
        let endpoints = RuntimeDiscovery.discover(explicit: options.runtimeSockets, candidates: options.runtimeSocketCandidates)
        let connections = RuntimeConnections(endpoints: endpoints, timeout: options.enricher.callTimeout, logger: logger)
        let enricher = Enricher(clients: connections.clients, configuration: options.enricher, logger: logger) { outcome in
            queue.push(.enrichment(outcome), force: true)
        }
        let task = Task.detached { await enricher.run() }
        let description = endpoints.isEmpty ? "none found" : connections.clients.map(\.source).joined(separator: ", ")
        logger.info("container runtimes: \(description)")
        return Enrichment(enricher: enricher, connections: connections, task: task, description: description)
    }

    private func writerThread(writer: SessionWriter, queue: BlockingQueue<Message>, clock: BootClock,
                              cgroupFS: CgroupFS?, enricher: Enricher?, runtimes: String, attached: [String], failures: [String]) {
        var askedAbout: Set<String> = []
        func askRuntimes(_ batch: StoreBatch) {
            guard let enricher else { return }
            for cgroup in batch.cgroups {
                guard let container = cgroup.container, askedAbout.insert(container.id).inserted else { continue }
                enricher.submit(containerID: container.id, runtimeGuess: container.runtime)
            }
        }
        var pipeline = Pipeline(clock: clock, trackedHierarchy: cgroupFS?.hierarchyID ?? 0, cgroupFS: cgroupFS)
        var failure: (any Error)?
        // What existed before recording: written before the first event. The probe is already
        // attached, so nothing that starts from now on is missed.
        do {
            let snapshot = pipeline.snapshot()
            try writer.write(snapshot)
            askRuntimes(snapshot)
        } catch {
            logger.error("writing the start-up snapshot to \(options.databasePath) failed: \(error)")
            failure = error
            requestStop()
        }
        var discarded: UInt64 = 0
        while let messages = queue.takeAll(timeout: 0.1) {
            var pending: [Event] = []
            var extra = StoreBatch()
            var barriers: [DispatchSemaphore] = []
            defer { barriers.forEach { $0.signal() } }
            for message in messages {
                switch message {
                case .events(let batch): pending.append(contentsOf: batch)
                case .gap(let gap): extra.gaps.append(gap)
                case .enrichment(.enriched(let metadata)): extra.enrichments.append(metadata)
                case .enrichment(.failed(let failure)): extra.enrichmentFailures.append(failure)
                case .barrier(let semaphore): barriers.append(semaphore)
                }
            }
            guard failure == nil else {
                // The case file cannot be written: keep draining so the probe never blocks, and count.
                discarded += UInt64(pending.count) + extra.gaps.reduce(0) { $0 + $1.count }
                continue
            }
            do {
                var start = 0
                repeat {
                    let end = min(pending.count, start + options.maxTransactionEvents)
                    var batch = pipeline.resolve(Array(pending[start..<end]))
                    if start == 0 {
                        batch.gaps = extra.gaps
                        batch.enrichments = extra.enrichments
                        batch.enrichmentFailures = extra.enrichmentFailures
                    }
                    try writer.write(batch)
                    askRuntimes(batch)
                    start = end
                } while start < pending.count
                statsBox.withLock {
                    $0.eventsWritten = writer.eventsWritten
                    $0.eventsLost = writer.eventsLost
                }
            } catch {
                logger.error("writing to \(options.databasePath) failed: \(error); stopping the recording")
                failure = error
                requestStop()
            }
        }
        if discarded > 0 {
            logger.error("\(discarded) events could not be written after the failure; trying to record them as a gap")
            try? writer.write(StoreBatch(gaps: [Gap(detectedAt: nowNanoseconds(), count: discarded, reason: .writerFailure,
                                                    detail: failure.map { "\($0)" })]))
        }
        do {
            try writer.setRuntimes(runtimes, enrichmentDropped: enricher?.stats.dropped ?? 0)
            try writer.finish(clean: failure == nil)
        } catch {
            failure = failure ?? error
        }
        if let failure {
            finish(.failure(failure))
        } else {
            finish(.success(RecordingSummary(sessionID: writer.sessionID, eventsWritten: writer.eventsWritten,
                                             eventsLost: writer.eventsLost, attached: attached, attachFailures: failures)))
        }
    }
}

public enum RecorderError: Error, CustomStringConvertible {
    case notStarted
    public var description: String { "the recorder was stopped before it was started" }
}

/// Moves a non-Sendable value to exactly one other thread, which becomes its only user.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
