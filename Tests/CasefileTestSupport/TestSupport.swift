import CasefilePipeline
import CasefileRecorder
import CasefileStore
import GRDB
import Logging
import Foundation
import Testing

/// Tests that need root, BPF or a container runtime call these guards. Outside CI a missing
/// capability skips the test with a printed reason; in CI (`CI=true`) it is a failure, so CI
/// never passes without running them.
package enum Requirement {
    package static var inCI: Bool {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? ""
        return value == "true" || value == "1"
    }

    /// True when the test can go on; records a failure in CI, prints a skip elsewhere.
    package static func check(_ satisfied: Bool, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if satisfied { return true }
        if inCI {
            Issue.record("required in CI but missing: \(what)", sourceLocation: sourceLocation)
        } else {
            print("SKIPPED (\(sourceLocation.fileName):\(sourceLocation.line)): \(what) — run as root with CI=true to make this mandatory")
        }
        return false
    }

    package static func root(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        check(geteuid() == 0, "root (BPF programs are loaded)", sourceLocation: sourceLocation)
    }
}

/// A fresh directory for one test's files.
package func temporaryDirectory(_ name: String = #function) throws -> URL {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("casefile-tests-\(safe)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs a program and waits; returns its exit status.
@discardableResult
package func run(_ path: String, _ arguments: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}

/// The v2 cgroup hierarchy's mount point on this host (from /proc/self/mountinfo).
package func cgroupV2Mount() -> String? {
    let info = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    return CgroupLayout.parse(mountinfo: info).mounts.first(where: \.isV2)?.mountPoint
}

package func inode(_ path: String) throws -> UInt64 {
    var st = stat()
    guard stat(path, &st) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    return UInt64(st.st_ino)
}

/// Runs a shell command; returns exit status and combined output. Output goes through a file and
/// the command gets no inherited descriptors but 0-2: `podman run -d` keeps any pipe it inherits
/// open for the container's lifetime, which would make a pipe reader wait for the container.
@discardableResult
package func sh(_ command: String) throws -> (status: Int32, output: String) {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("casefile-sh-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: output) }
    return try shDetached(command, output: output)
}

/// Container runtimes the tests use; `scripts/runtimes.sh all` installs and starts them.
package enum Runtime: String {
    case docker, containerd, podman

    package var answers: Bool {
        let probe: String
        switch self {
        case .docker: probe = "curl -sf --max-time 3 --unix-socket /var/run/docker.sock http://d/_ping"
        case .podman: probe = "curl -sf --max-time 3 --unix-socket /run/podman/podman.sock http://d/_ping"
        case .containerd: probe = "test -S /run/containerd/containerd.sock && timeout 5 ctr version"
        }
        return (try? sh(probe).status) == 0
    }

    /// True when the runtime answers; otherwise a failure in CI, a printed skip elsewhere.
    package static func require(_ runtime: Runtime, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        Requirement.check(runtime.answers, "\(runtime.rawValue) answering on its socket (start it with `bash scripts/runtimes.sh all`)",
                          sourceLocation: sourceLocation)
    }
}

/// Records into a fresh case file while `body` runs (the recording's services in a group, as
/// `casefile record` runs them), stops gracefully, and returns the file.
package func record(_ name: String = #function, options: (inout RecorderOptions) -> Void = { _ in },
                    _ body: () async throws -> Void) async throws -> DatabaseQueue {
    let db = try temporaryDirectory(name).appendingPathComponent("case.db").path
    var o = RecorderOptions(databasePath: db)
    options(&o)
    _ = try await withRecording(options: o, logger: testLogger) { _ in
        try await body()
        try await Task.sleep(for: .milliseconds(100))
    }
    return try DatabaseQueue(path: db)
}

/// Logs at info, or debug with CASEFILE_TEST_LOG=debug.
package var testLogger: Logger {
    var logger = Logger(label: "casefile.test")
    logger.logLevel = ProcessInfo.processInfo.environment["CASEFILE_TEST_LOG"] == "debug" ? .debug : .info
    return logger
}

/// The repository's root directory (for scripts/).
package let repositoryRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

extension Investigation {
    /// The timeline as rows keyed by column name (`Investigation.timelineColumns`).
    package func timelineRows(_ selection: Selection = Selection()) throws -> [[String: SQLValue]] {
        var listing = CollectedListing()
        try timeline(selection, into: &listing)
        return listing.keyedRows
    }
}


extension Selection {
    package init(kinds: [String] = [], containers: [String] = [], pid: Int64? = nil, limit: Int? = nil) {
        self.init()
        self.kinds = kinds
        self.containers = containers
        self.pid = pid
        self.limit = limit
    }
}

/// Runs long blocking work on a thread of its own, not on Swift concurrency's cooperative pool
/// (as many threads as cores: two here). A synchronous test that computes for seconds holds a
/// pool thread all that time; a few of them in parallel starve every async test of the run, and
/// the timing tests (a refusal well before its timeout) then fail for no fault of the code.
package func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
