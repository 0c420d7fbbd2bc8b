import CasefilePipeline
import Foundation
import Testing

/// Tests that need root, BPF or a container runtime call these guards. Outside CI a missing
/// capability skips the test with a printed reason; in CI (`CI=true`) it is a failure, so CI
/// never passes without running them.
enum Requirement {
    static var inCI: Bool {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? ""
        return value == "true" || value == "1"
    }

    /// True when the test can go on; records a failure in CI, prints a skip elsewhere.
    static func check(_ satisfied: Bool, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if satisfied { return true }
        if inCI {
            Issue.record("required in CI but missing: \(what)", sourceLocation: sourceLocation)
        } else {
            print("SKIPPED (\(sourceLocation.fileName):\(sourceLocation.line)): \(what) — run as root with CI=true to make this mandatory")
        }
        return false
    }

    static func root(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        check(geteuid() == 0, "root (BPF programs are loaded)", sourceLocation: sourceLocation)
    }
}

/// A fresh directory for one test's files.
func temporaryDirectory(_ name: String = #function) throws -> URL {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("casefile-tests-\(safe)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs a program and waits; returns its exit status.
@discardableResult
func run(_ path: String, _ arguments: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}

/// The v2 cgroup hierarchy's mount point on this host (from /proc/self/mountinfo).
func cgroupV2Mount() -> String? {
    let info = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    return CgroupLayout.parse(mountinfo: info).mounts.first(where: \.isV2)?.mountPoint
}

func inode(_ path: String) throws -> UInt64 {
    var st = stat()
    guard stat(path, &st) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    return UInt64(st.st_ino)
}
