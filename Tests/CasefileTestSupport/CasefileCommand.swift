import Foundation

/// The `casefile` binary as a user runs it, for the CLI tests.
package enum CasefileCommand {
    /// The `casefile` executable built next to the test bundle.
    package static var binary: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") || dir.path.contains(".xctest/") {
            while dir.path.contains(".xctest") { dir = dir.deletingLastPathComponent() }
        }
        return dir.appendingPathComponent("casefile").path
    }

    package struct Result {
        package var status: Int32
        package var stdout: String
        package var stderr: String
        package var stdoutBytes: [UInt8]
    }

    package static func run(_ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self), stdoutBytes: Array(o))
    }

    /// `casefile record --db DB --duration SECONDS --no-enrichment` started in the background
    /// (stderr discarded); the caller interrupts, kills or waits for it.
    package static func startRecording(db: String, duration: Int = 600) throws -> Process {
        let recorder = Process()
        recorder.executableURL = URL(fileURLWithPath: binary)
        recorder.arguments = ["record", "--db", db, "--duration", "\(duration)", "--no-enrichment"]
        recorder.standardError = FileHandle.nullDevice
        try recorder.run()
        return recorder
    }
}
