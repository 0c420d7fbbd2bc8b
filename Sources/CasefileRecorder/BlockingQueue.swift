import Foundation

/// A queue between two threads: the probe thread pushes, the writer thread takes everything at
/// once. Bounded by a weight (events) so a stalled writer cannot eat all memory: a push over the
/// bound is refused and the caller counts the loss.
final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var weight = 0
    private var closed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Adds an element; false when the queue holds `capacity` weight already (the element is
    /// not added) or is closed.
    @discardableResult
    func push(_ element: Element, weight w: Int = 1, force: Bool = false) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, force || weight + w <= capacity else { return false }
        items.append(element)
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
    func takeAll(timeout: TimeInterval) -> [Element]? {
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
