import Logging
import ServiceLifecycle

/// Records while `body` runs, for programs and tests that record around some work: runs the
/// recording's services (`Recorder.services`) in a `ServiceGroup`, waits until recording has
/// started, runs `body`, then shuts the group down gracefully and returns `body`'s result with
/// the recording's summary. Throws what made the recording fail to start or end cleanly.
public func withRecording<T>(
    options: RecorderOptions, logger: Logger = Logger(label: "casefile.recorder"),
    _ body: (Recorder) async throws -> T
) async throws -> (result: T, summary: RecordingSummary) {
    let recorder = Recorder(options: options, logger: logger)
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: recorder.services, logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: Result<T, any Error>
        do {
            _ = try await recorder.started()
            result = .success(try await body(recorder))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        // The group's own error (the recorder's) says more than a failure it caused in `body`.
        try await tasks.waitForAll()
        let value = try result.get()
        guard let summary = recorder.summary else { throw RecorderError.notRun }
        return (value, try summary.get())
    }
}

public enum RecorderError: Error, CustomStringConvertible {
    case notRun
    public var description: String { "the recorder's service group ended without running the recorder" }
}
