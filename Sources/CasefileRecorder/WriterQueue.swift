import CasefileEnrich
import CasefileModel
import Foundation

/// What flows to the writer loop.
enum WriterMessage: Sendable {
    case events([Event])
    case gap(Gap)
    case enrichment(Enricher.Outcome)
    /// Set by the writer once everything queued before it is written (and its new containers
    /// handed to the enricher).
    case barrier(Latch<Void>)
}

/// The queue between the probe loop (and the enricher) and the writer loop: producers push, the
/// writer takes everything at once. Bounded by a weight (events) so a stalled writer cannot eat
/// all memory: a push over the bound is refused and the caller counts the loss. Closing it is
/// how the writer is told to finish: it drains what is left, then stops.
final class WriterQueue: @unchecked Sendable {
    // @unchecked: every stored property is guarded by `condition`.
    private let condition = NSCondition()
    private var items: [WriterMessage] = []
    private var weight = 0
    private var closed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Adds a message; false when the queue holds `capacity` weight already (unless `force`: gaps,
    /// enrichment answers and barriers are small and always accepted) or is closed.
    @discardableResult
    func push(_ message: WriterMessage, weight w: Int = 1, force: Bool = false) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, force || weight + w <= capacity else { return false }
        items.append(message)
        weight += w
        condition.signal()
        return true
    }

    /// No more pushes; `takeAll` returns what is left, then nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Everything queued, waiting up to `timeout` for something to arrive. Empty on timeout; nil
    /// once closed and drained.
    func takeAll(timeout: TimeInterval) -> [WriterMessage]? {
        condition.lock()
        defer { condition.unlock() }
        if items.isEmpty && !closed {
            _ = condition.wait(until: Date(timeIntervalSinceNow: timeout))
        }
        if items.isEmpty { return closed ? nil : [] }
        let taken = items
        items.removeAll(keepingCapacity: true)
        weight = 0
        return taken
    }
}
