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
/// Stop protocol: once `stop` is requested, `run` detaches the programs, drains the ring empty
/// (slice by slice) and reads the loss counters one last time, then returns: nothing that reached
/// the ring is left behind, and no loss happens after the last count.
final class ProbeLoop: @unchecked Sendable {
    // @unchecked: used by one thread at a time — made on the caller's, then run on its own.
    private let probe: Probe
    private let queue: WriterQueue
    private let options: RecorderOptions
    private let logger: Logger
    private let drained: @Sendable (Int) -> Void
    private let scopeSkips: SharedCount
    private var decoder = RecordDecoder()
    private var reported = (dropped: UInt64(0), alloc: UInt64(0), undecodable: UInt64(0), pending: UInt64(0), compat: UInt64(0))
    private var countersUnreadable = false

    /// - Parameter drained: told how many events each drain queued (for live figures).
    init(probe: Probe, queue: WriterQueue, options: RecorderOptions, logger: Logger, scopeSkips: SharedCount,
         drained: @escaping @Sendable (Int) -> Void) {
        self.scopeSkips = scopeSkips
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
        // Stop: detach first, so the ring only shrinks; drain it empty; then the loss counters,
        // which can no longer move.
        probe.detach()
        drain(maxSlices: .max)
        // A program that was running on another CPU when it was detached may still commit a
        // record it had reserved: wait a moment and drain again.
        Thread.sleep(forTimeInterval: 0.05)
        drain(maxSlices: .max)
        stop.drainedForTheLastTime(at: nowNanoseconds())
        reportLosses()
    }

    /// Drains the ring one slice at a time (bounded memory per slice), handing each to the writer;
    /// at most `maxSlices` before the loop reads the loss counters again.
    private func drain(maxSlices: Int = 16) {
        for _ in 0..<maxSlices {
            var events: [Event] = []
            var more = false
            do {
                more = try probe.drain { buffer in decoder.decode(bytes: buffer.bytes, records: buffer.count, into: &events) }.more
            } catch {
                logger.error("\(error)")
            }
            if !events.isEmpty {
                let count = events.count
                drained(count)
                let bytes = events.reduce(0) { $0 + $1.approximateBytes }
                if !queue.push(.events(events), weight: bytes) {
                    gap(count: UInt64(count), .writerBacklog, "writer more than \(options.backlogBytes >> 20) MiB of events behind")
                }
            }
            if !more { return }
        }
    }

    private func reportLosses() {
        do {
            let (_, dropped, pending) = try probe.counters()
            if dropped > reported.dropped {
                gap(count: dropped - reported.dropped, .ringBufferFull, "kernel ring buffer (\(options.ringBufferBytes) bytes) was full")
                reported.dropped = dropped
            }
            if pending > reported.pending {
                gap(count: pending - reported.pending, .syscallTableFull,
                    "a syscall's entry could not be kept until its exit, or was not its exit's")
                reported.pending = pending
            }
            let compat = try probe.compatSkips()
            if compat > reported.compat {
                gap(count: compat - reported.compat, .compatSyscall,
                    "32-bit (ia32) syscalls: not recorded (another numbering and other registers)")
                reported.compat = compat
            }
            if options.scope.isWholeHost == false {
                scopeSkips.set(try probe.scopeSkips())
            }
        } catch {
            // Said once: losses in the ring can then not be counted, and the file must say so.
            if !countersUnreadable {
                countersUnreadable = true
                logger.error("\(error): ring-buffer losses from now on cannot be counted")
                gap(count: 0, .ringBufferFull, "the loss counter could not be read from \(Display.utc(nowNanoseconds())) on (\(error)): losses after this are unknown")
            }
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
