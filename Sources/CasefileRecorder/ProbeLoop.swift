import CasefileDecode
import CasefileModel
import CasefileProbe
import Foundation
import Logging
import Synchronization

/// The probe side of a recording, on its own thread: drains the kernel ring buffer (on a short
/// timer, or early when the kernel forces a wake-up), decodes the records and queues them for the
/// writer. It does nothing else, so the ring never waits on SQLite. Every loss it can see — ring
/// full, out of memory, undecodable records, a writer too far behind — becomes a gap message.
///
/// Stop protocol: `run` returns once `stop` is requested, after one last drain and one last read
/// of the loss counters (the programs stay attached until the probe is released, so nothing that
/// reached the ring is left behind).
final class ProbeLoop: @unchecked Sendable {
    // @unchecked: used by one thread at a time — made on the caller's, then run on its own.
    private let probe: Probe
    private let queue: WriterQueue
    private let options: RecorderOptions
    private let logger: Logger
    private let drained: @Sendable (Int) -> Void
    private var decoder = RecordDecoder()
    private var reported = (dropped: UInt64(0), alloc: UInt64(0), undecodable: UInt64(0))

    /// - Parameter drained: told how many events each drain queued (for live figures).
    init(probe: Probe, queue: WriterQueue, options: RecorderOptions, logger: Logger, drained: @escaping @Sendable (Int) -> Void) {
        self.probe = probe
        self.queue = queue
        self.options = options
        self.logger = logger
        self.drained = drained
    }

    func run(until stop: StopSignal) {
        var lastCounters = ContinuousClock.now
        while !stop.isRequested {
            probe.wait(timeoutMilliseconds: options.drainIntervalMilliseconds)
            drain()
            if ContinuousClock.now - lastCounters > .milliseconds(250) {
                reportLosses()
                lastCounters = .now
            }
        }
        drain()
        reportLosses()
    }

    private func drain() {
        var events: [Event] = []
        do {
            try probe.drain { buffer in decoder.decode(bytes: buffer.bytes, records: buffer.count, into: &events) }
        } catch {
            logger.error("\(error)")
        }
        guard !events.isEmpty else { return }
        let count = events.count
        drained(count)
        if !queue.push(.events(events), weight: count) {
            gap(count: UInt64(count), .writerBacklog, "writer more than \(options.backlogLimit) events behind")
        }
    }

    private func reportLosses() {
        if let (_, dropped) = try? probe.counters(), dropped > reported.dropped {
            gap(count: dropped - reported.dropped, .ringBufferFull, "kernel ring buffer (\(options.ringBufferBytes) bytes) was full")
            reported.dropped = dropped
        }
        if probe.allocationFailures > reported.alloc {
            gap(count: probe.allocationFailures - reported.alloc, .userSpaceMemory, nil)
            reported.alloc = probe.allocationFailures
        }
        if decoder.undecodable > reported.undecodable {
            gap(count: decoder.undecodable - reported.undecodable, .undecodable, "records of unknown kind or bad length")
            reported.undecodable = decoder.undecodable
        }
    }

    private func gap(count: UInt64, _ reason: Gap.Reason, _ detail: String?) {
        queue.push(.gap(Gap(detectedAt: nowNanoseconds(), count: count, reason: reason, detail: detail)), force: true)
    }
}
