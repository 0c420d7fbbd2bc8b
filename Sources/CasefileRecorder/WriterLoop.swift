import CasefileEnrich
import CasefileModel
import CasefilePipeline
import CasefileProbe
import CasefileStore
import Foundation
import Logging

/// The writer side of a recording, on its own thread: resolves queued events in the pipeline
/// (time, process, cgroups, containers), writes each batch in one transaction, and hands new
/// containers to the enricher, whose answers come back through the same queue as back-fills.
///
/// A commit that fails (a full disk, an I/O error) does not stop the recording: what it could
/// not store is counted (`Unstored`) and written as gaps with the first commit that works again.
///
/// Stop protocol: `run` returns once its queue is closed and drained; it then closes the session
/// row and the case file, and releases the file's `RecordingLock`.
final class WriterLoop: @unchecked Sendable {
    // @unchecked: used by one thread at a time — made on the caller's, then run on its own.
    private let writer: SessionWriter
    private let lock: RecordingLock
    private var pipeline: Pipeline
    private let queue: WriterQueue
    private let enricher: Enricher?
    private let runtimes: String
    private let options: RecorderOptions
    private let stop: StopSignal
    private let logger: Logger
    private let written: @Sendable (RecorderStats.Written) -> Void
    private var askedAbout: Set<String> = []
    private let skipList: CgroupSkipList?
    private let kernelScopeSkips: SharedCount

    /// - Parameters:
    ///   - runtimes: what the session row says about the runtimes asked.
    ///   - written: told the running totals after each commit (for live figures): events stored,
    ///     events counted lost, duplicate exit reports dropped by the pipeline.
    init(writer: SessionWriter, lock: RecordingLock, pipeline: Pipeline, skipList: CgroupSkipList? = nil,
         kernelScopeSkips: SharedCount = SharedCount(), queue: WriterQueue, enricher: Enricher?, runtimes: String,
         options: RecorderOptions, stop: StopSignal, logger: Logger,
         written: @escaping @Sendable (RecorderStats.Written) -> Void) {
        self.writer = writer
        self.lock = lock
        self.pipeline = pipeline
        self.skipList = skipList
        self.kernelScopeSkips = kernelScopeSkips
        self.queue = queue
        self.enricher = enricher
        self.runtimes = runtimes
        self.options = options
        self.stop = stop
        self.logger = logger
        self.written = written
    }

    var sessionID: Int64 { writer.sessionID }

    /// Writes until the queue is closed; returns the totals, or what made the case file unwritable.
    func run() -> Result<(written: UInt64, lost: UInt64, sealHead: String, seals: Int), any Error> {
        var failure: (any Error)?
        // What existed before recording: written before the first event. The probe is already
        // attached, so nothing that starts from now on is missed.
        do {
            let snapshot = pipeline.snapshot()
            applyScope()
            try writer.write(snapshot)
            askRuntimes(snapshot)
            if options.reducePrivileges {
                // Set-up is over: from here on the recorder needs almost nothing (see Privileges).
                switch Privileges.reduce() {
                case .success(let kept):
                    try writer.notePrivileges(kept)
                    logger.info("privileges reduced to \(kept)")
                case .failure(let error):
                    try writer.notePrivileges("not reduced: \(error.reason)")
                    logger.warning("\(error)")
                }
            }
        } catch {
            logger.error("writing the start-up snapshot to \(options.databasePath) failed: \(error); stopping the recording")
            failure = error
            stop.request()
        }
        var unstored: Unstored?
        var clockChecked = ContinuousClock.now
        while let messages = queue.takeAll(timeout: 0.1) {
            if ContinuousClock.now - clockChecked >= options.clockCheckInterval, failure == nil {
                clockChecked = ContinuousClock.now
                checkClock()
            }
            var pending: [Event] = []
            pending.reserveCapacity(messages.reduce(0) { if case .events(let batch) = $1 { $0 + batch.count } else { $0 } })
            var extra = StoreBatch()
            var barriers: [Latch<Void>] = []
            defer { barriers.forEach { $0.set(()) } }
            for message in messages {
                switch message {
                case .events(let batch): pending.append(contentsOf: batch)
                case .gap(let gap): extra.gaps.append(gap)
                case .enrichment(.enriched(var metadata)):
                    // Where the runtime says the container's process is: its confirmation.
                    pipeline.confirm(&metadata)
                    pipeline.learnNames(metadata)
                    extra.enrichments.append(metadata)
                case .enrichment(.failed(let failure)): extra.enrichmentFailures.append(failure)
                case .barrier(let latch): barriers.append(latch)
                }
            }
            let newGaps = extra.gaps
            if let failure {
                // The snapshot could not be written: keep draining so the probe never blocks, and count.
                var u = unstored ?? Unstored(since: nowNanoseconds(), error: failure)
                u.events += UInt64(pending.count)
                u.gaps += newGaps
                unstored = u
                continue
            }
            extra.gaps = (unstored?.gapsToWrite ?? []) + newGaps
            if let carried = unstored?.records {
                extra.cgroups = carried.cgroups
                extra.processes = carried.processes
                extra.enrichments = carried.enrichments + extra.enrichments
                extra.enrichmentFailures = carried.enrichmentFailures + extra.enrichmentFailures
            }
            writer.scopeSkipped = pipeline.scopeSkipped &+ kernelScopeSkips.current
            let outcome = write(pending, extra)
            applyScope()
            if let error = outcome.error {
                if unstored == nil {
                    logger.error("writing to \(options.databasePath) failed: \(error). Counting what cannot be stored; trying again with every batch")
                }
                var u = unstored ?? Unstored(since: nowNanoseconds(), error: error)
                u.error = error
                if outcome.extraStored {
                    (u.events, u.gaps) = (outcome.eventsNotStored, [])
                } else {
                    u.events += outcome.eventsNotStored
                    u.gaps += newGaps
                }
                u.records = outcome.recordsNotStored
                unstored = u
            } else {
                if unstored != nil { logger.notice("writing to \(options.databasePath) works again; the events it could not store are counted in a gap") }
                unstored = nil
            }
            written(RecorderStats.Written(stored: writer.eventsWritten, lost: writer.eventsLost, duplicates: pipeline.duplicateExits,
                                          folded: writer.eventsFolded, scopeSkipped: pipeline.scopeSkipped,
                                          notChosen: writer.eventsNotChosen))
        }
        if let u = unstored {
            do {
                var last = u.records
                last.gaps = u.gapsToWrite
                try writer.write(last)
            } catch {
                logger.error("\(u.events) events could not be stored in \(options.databasePath), and could not be counted there either: \(error)")
                failure = failure ?? error
            }
        }
        do {
            try writer.finish(clean: failure == nil, runtimes: runtimes, enrichmentDropped: enricher?.stats.dropped ?? 0,
                              scopeSkipped: pipeline.scopeSkipped &+ kernelScopeSkips.current,
                              at: stop.finalDrainAt ?? nowNanoseconds())
        } catch {
            failure = failure ?? error
        }
        do {
            try writer.close()
            lock.release()
        } catch {
            // The lock stays held (until the process exits) rather than dropping SQLite's locks.
            lock.abandon()
            logger.error("closing \(options.databasePath) failed: \(error)")
        }
        if let failure { return .failure(failure) }
        return .success((writer.eventsWritten, writer.eventsLost, writer.sealHeadHex, writer.seals))
    }

    /// Measures the boot-clock offset again; a step (NTP, a manual change, a resume) is recorded
    /// and used for what is resolved from now on. A failed write leaves the old offset in use
    /// (it is tried again at the next check).
    private func checkClock() {
        let offset = options.measureBootOffset()
        let step = offset - pipeline.clock.offsetNanoseconds
        guard abs(step) >= options.clockStepThreshold else { return }
        var boot = timespec()
        clock_gettime(CLOCK_BOOTTIME, &boot)
        let bootNs = Int64(boot.tv_sec) * 1_000_000_000 + Int64(boot.tv_nsec)
        do {
            try writer.noteClockStep(offset: offset, bootNanoseconds: bootNs, at: bootNs + offset)
            pipeline.setClockOffset(offset)
            logger.notice("the boot clock's offset to UTC moved by \(Double(step) / 1e9) s; events from now on use the new offset (clock_steps)")
        } catch {
            logger.warning("recording a clock step of \(step) ns failed: \(error)")
        }
    }

    /// What could not be stored since the last commit that worked (a full disk, an I/O error):
    /// the events, which become one `writer_failure` gap, and the loss gaps that were to be
    /// written with them, which are written as they are (their reasons kept). The recording goes
    /// on meanwhile; both are written with the first commit that works again.
    struct Unstored {
        var events: UInt64 = 0
        var gaps: [Gap] = []
        /// What the pipeline learned from the refused events (cgroups and their containers,
        /// processes, enrichment answers): upserts, written with the next commit, since the
        /// pipeline will not tell them again.
        var records = StoreBatch()
        /// When writing first failed (UTC ns), and the latest error.
        var since: Int64
        var error: any Error

        var gapsToWrite: [Gap] {
            guard events > 0 else { return gaps }
            return gaps + [Gap(detectedAt: nowNanoseconds(), count: events, reason: .writerFailure,
                               detail: "could not be stored from \(Display.utc(since)) on: \(error)")]
        }
    }

    /// Resolves and writes `events` in transactions of at most `maxTransactionEvents`; `extra`
    /// (cgroups and processes carried over, gaps, enrichment answers) goes with the first. On
    /// failure: how many events were not stored (those of the failed transaction, as the pipeline
    /// resolved them — duplicates it dropped are counted there — and all after it), whether
    /// `extra` was, and the records of the failed transaction to write with the next one.
    private func write(_ events: [Event], _ extra: StoreBatch)
        -> (eventsNotStored: UInt64, extraStored: Bool, recordsNotStored: StoreBatch, error: (any Error)?) {
        var start = 0
        var extraStored = false
        var failed: (resolved: Int, end: Int, records: StoreBatch) = (0, 0, StoreBatch())
        do {
            repeat {
                let end = min(events.count, start + options.maxTransactionEvents)
                var batch = pipeline.resolve(events[start..<end])
                if start == 0 {
                    batch.cgroups = extra.cgroups + batch.cgroups
                    batch.processes = extra.processes + batch.processes
                    batch.gaps = extra.gaps
                    batch.enrichments = extra.enrichments
                    batch.enrichmentFailures = extra.enrichmentFailures
                }
                // a folded row stands for several drained events: count them all
                failed = (batch.events.reduce(0) { $0 + Int($1.foldCount) }, end,
                          StoreBatch(cgroups: batch.cgroups, processes: batch.processes, enrichments: batch.enrichments,
                                     enrichmentFailures: batch.enrichmentFailures))
                try writer.write(batch)
                extraStored = true
                askRuntimes(batch)
                start = end
            } while start < events.count
            return (0, true, StoreBatch(), nil)
        } catch {
            return (UInt64(failed.resolved + (events.count - failed.end)), extraStored, failed.records, error)
        }
    }

    /// Tells the kernel which cgroups the pipeline judged out of scope since last time (their
    /// events are then not even written), and which removed ones it can forget. A full kernel
    /// list only costs speed: those events are still dropped here, and counted.
    private func applyScope() {
        guard let skipList else { return }
        let changes = pipeline.takeScopeChanges()
        for id in changes.out { skipList.skip(id) }
        for id in changes.forgotten { skipList.unskip(id) }
    }

    /// Hands containers seen for the first time to the enricher (never waits).
    private func askRuntimes(_ batch: StoreBatch) {
        guard let enricher else { return }
        for cgroup in batch.cgroups {
            // Bounded: past 100k containers the memory starts again (the enricher skips the ones it answered).
            if askedAbout.count >= 100_000 { askedAbout.removeAll(keepingCapacity: true) }
            guard let container = cgroup.container, askedAbout.insert(container.id).inserted else { continue }
            enricher.submit(containerID: container.id, runtimeGuess: container.runtime)
        }
    }
}
