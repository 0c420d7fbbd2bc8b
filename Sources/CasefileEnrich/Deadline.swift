/// Runs `body`, or throws `onTimeout()` once `deadline` passes (cancelling `body`). The one
/// timeout helper of the runtime clients and the enricher: every runtime call is bounded by it,
/// so a runtime that accepts a connection and never answers cannot hold anything up.
func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant,
                               onTimeout: @escaping @Sendable () -> RuntimeError,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try? await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            if Task.isCancelled { throw CancellationError() }
            throw onTimeout()
        }
        return value
    }
}
