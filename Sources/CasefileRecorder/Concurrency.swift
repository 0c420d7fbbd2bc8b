import Foundation
import Synchronization

/// Runs `body` on a thread of its own and waits for it. For the loops that block — in epoll on
/// the ring buffer, in SQLite commits — and so must not hold one of the few threads of Swift's
/// cooperative pool (two on a 2-core host). The caller's task waits: the thread is a child of it
/// in all but name, and nothing outlives the call.
func onOwnThread<T: Sendable>(named name: String, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.name = name
        thread.start()
    }
}

/// A value set once, awaited by any number of tasks (which may give up: waiting is cancellable).
final class Latch<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [UInt64: CheckedContinuation<Value?, Never>] = [:]
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())

    /// Sets the value and wakes every waiter; later calls change nothing.
    func set(_ value: Value) {
        let waiters = state.withLock { s -> [CheckedContinuation<Value?, Never>] in
            guard s.value == nil else { return [] }
            s.value = value
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    var value: Value? { state.withLock { $0.value } }

    /// The value once set; nil when the waiting task is cancelled first.
    func wait() async -> Value? {
        let id = state.withLock { s -> UInt64 in
            defer { s.nextID += 1 }
            return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: Value?? = state.withLock { s in
                    if let value = s.value { return .some(value) }
                    if Task.isCancelled { return .some(nil) }
                    s.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// The value once set, or nil after `limit`.
    func wait(atMost limit: Duration) async -> Value? {
        await withTaskGroup(of: Value?.self) { group in
            group.addTask { await self.wait() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}

/// The stop request of a recording, set by graceful shutdown or by a loop that cannot go on; the
/// probe loop polls it between drains (every few milliseconds).
final class StopSignal: Sendable {
    private let requested = Atomic<Bool>(false)
    private let lastDrain = Atomic<Int64>(0)
    func request() { requested.store(true, ordering: .releasing) }
    var isRequested: Bool { requested.load(ordering: .acquiring) }

    /// When the probe loop finished its last drain (UTC ns): the session's `ended_at`.
    var finalDrainAt: Int64? {
        get { let v = lastDrain.load(ordering: .acquiring); return v == 0 ? nil : v }
    }
    func drainedForTheLastTime(at time: Int64) { lastDrain.store(time, ordering: .releasing) }
}

/// A count one thread sets and another reads (the kernel's scope skips: the probe loop reads
/// them, the writer stores them at stop).
final class SharedCount: Sendable {
    private let value = Mutex<UInt64>(0)
    func set(_ v: UInt64) { value.withLock { $0 = v } }
    var current: UInt64 { value.withLock { $0 } }
}
