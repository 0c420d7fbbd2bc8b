import CasefileEnrich
import CasefileModel
import CasefilePipeline
import CasefileStore
import Foundation
import Logging

/// The writer side of a recording, on its own thread: resolves queued events in the pipeline
/// (time, process, cgroups, containers), writes each batch in one transaction, and hands new
/// containers to the enricher, whose answers come back through the same queue as back-fills.
///
/// Stop protocol: `run` returns once its queue is closed and drained; it then closes the session
/// row and the case file, and releases the file's `RecordingLock`. When the case file cannot be written it requests the recording's stop, keeps draining
/// (so the probe never blocks) and counts what it could not store as one `writer_failure` gap.
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
    private let written: @Sendable (_ written: UInt64, _ lost: UInt64) -> Void
    private var askedAbout: Set<String> = []

    /// - Parameters:
    ///   - runtimes: what the session row says about the runtimes asked.
    ///   - written: told the running totals after each commit (for live figures).
    init(writer: SessionWriter, lock: RecordingLock, pipeline: Pipeline, queue: WriterQueue, enricher: Enricher?, runtimes: String,
         options: RecorderOptions, stop: StopSignal, logger: Logger,
         written: @escaping @Sendable (_ written: UInt64, _ lost: UInt64) -> Void) {
        self.writer = writer
        self.lock = lock
        self.pipeline = pipeline
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
    func run() -> Result<(written: UInt64, lost: UInt64), any Error> {
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
            stop.request()
        }
        var discarded: UInt64 = 0
        while let messages = queue.takeAll(timeout: 0.1) {
            var pending: [Event] = []
            var extra = StoreBatch()
            var barriers: [Latch<Void>] = []
            defer { barriers.forEach { $0.set(()) } }
            for message in messages {
                switch message {
                case .events(let batch): pending.append(contentsOf: batch)
                case .gap(let gap): extra.gaps.append(gap)
                case .enrichment(.enriched(let metadata)): extra.enrichments.append(metadata)
                case .enrichment(.failed(let failure)): extra.enrichmentFailures.append(failure)
                case .barrier(let latch): barriers.append(latch)
                }
            }
            guard failure == nil else {
                // The case file cannot be written: keep draining so the probe never blocks, and count.
                discarded += UInt64(pending.count) + extra.gaps.reduce(0) { $0 + $1.count }
                continue
            }
            do {
                try write(pending, extra)
                written(writer.eventsWritten, writer.eventsLost)
            } catch {
                logger.error("writing to \(options.databasePath) failed: \(error); stopping the recording")
                failure = error
                stop.request()
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
        do {
            try writer.close()
            lock.release()
        } catch {
            // The lock stays held (until the process exits) rather than dropping SQLite's locks.
            logger.error("closing \(options.databasePath) failed: \(error)")
        }
        if let failure { return .failure(failure) }
        return .success((writer.eventsWritten, writer.eventsLost))
    }

    /// Resolves and writes `events` in transactions of at most `maxTransactionEvents`; `extra`
    /// (gaps, enrichment answers) goes with the first.
    private func write(_ events: [Event], _ extra: StoreBatch) throws {
        var start = 0
        repeat {
            let end = min(events.count, start + options.maxTransactionEvents)
            var batch = pipeline.resolve(events[start..<end])
            if start == 0 {
                batch.gaps = extra.gaps
                batch.enrichments = extra.enrichments
                batch.enrichmentFailures = extra.enrichmentFailures
            }
            try writer.write(batch)
            askRuntimes(batch)
            start = end
        } while start < events.count
    }

    /// Hands containers seen for the first time to the enricher (never waits).
    private func askRuntimes(_ batch: StoreBatch) {
        guard let enricher else { return }
        for cgroup in batch.cgroups {
            guard let container = cgroup.container, askedAbout.insert(container.id).inserted else { continue }
            enricher.submit(containerID: container.id, runtimeGuess: container.runtime)
        }
    }
}
