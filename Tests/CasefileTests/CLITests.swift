import Foundation
import Testing

/// The `casefile` binary as a user runs it: errors, read-only investigation, safe display.
@Suite(.serialized)
struct CLITests {
    /// The `casefile` executable built next to the test bundle.
    static var binary: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") || dir.path.contains(".xctest/") {
            while dir.path.contains(".xctest") { dir = dir.deletingLastPathComponent() }
        }
        return dir.appendingPathComponent("casefile").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutBytes: [UInt8]
    }

    static func casefile(_ args: [String]) throws -> Result {
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

    @Test func binaryIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "\(Self.binary)")
    }

    @Test func missingCaseFile() throws {
        let path = try temporaryDirectory().appendingPathComponent("missing.db").path
        for command in ["timeline", "info"] {
            let r = try Self.casefile([command, "--db", path])
            #expect(r.status != 0)
            #expect(r.stderr.contains("no case file at \(path)"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func notACaseFile() throws {
        let path = try temporaryDirectory().appendingPathComponent("notes.db").path
        try Data("just text".utf8).write(to: URL(fileURLWithPath: path))
        let r = try Self.casefile(["info", "--db", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("not a Casefile case file"), "\(r.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "just text")
    }

    @Test func badFlagsSayWhatIsWrong() throws {
        let kind = try Self.casefile(["timeline", "--kind", "bogus"])
        #expect(kind.status != 0)
        #expect(kind.stderr.contains("unknown --kind 'bogus'") && kind.stderr.contains("exec"), "\(kind.stderr)")
        let since = try Self.casefile(["timeline", "--since", "yesterday"])
        #expect(since.status != 0)
        #expect(since.stderr.contains("cannot read time 'yesterday'"), "\(since.stderr)")
        let flag = try Self.casefile(["record", "--no-such-flag"])
        #expect(flag.status != 0)
        #expect(flag.stderr.contains("no-such-flag"), "\(flag.stderr)")
        let socket = try Self.casefile(["record", "--runtime-socket", "dockr=/x.sock"])
        #expect(socket.status != 0)
        #expect(socket.stderr.contains("RUNTIME=/absolute/path.sock"), "\(socket.stderr)")
        let duration = try Self.casefile(["record", "--duration", "-3"])
        #expect(duration.status != 0)
    }

    /// Ctrl-C stops a recording at once even with a long --duration, and the stop is clean.
    @Test func interruptStopsALongRecordingCleanly() throws {
        guard Requirement.root() else { return }
        let db = try temporaryDirectory().appendingPathComponent("int.db").path
        let recorder = Process()
        recorder.executableURL = URL(fileURLWithPath: Self.binary)
        recorder.arguments = ["record", "--db", db, "--duration", "600", "--no-enrichment"]
        recorder.standardError = FileHandle.nullDevice
        try recorder.run()
        Thread.sleep(forTimeInterval: 1.5)
        let sent = Date()
        recorder.interrupt()
        recorder.waitUntilExit()
        #expect(Date().timeIntervalSince(sent) < 10)
        #expect(recorder.terminationStatus == 0)
        let info = try Self.casefile(["info", "--db", db])
        #expect(!info.stdout.contains("NOT a clean shutdown"), "\(info.stdout)")
    }

    /// Without root, `record` says so and what to run instead (the test drops to `nobody`).
    @Test func recordWithoutRootSaysRunAsRoot() throws {
        guard Requirement.root() else { return }
        let r = try sh("runuser -u nobody -- '\(Self.binary)' record --db /tmp/cf-nobody-\(UUID().uuidString.prefix(8)).db")
        #expect(r.status != 0)
        #expect(r.output.contains("must run as root") && r.output.contains("sudo casefile record"), "\(r.output)")
    }

    /// Record with the real binary, run a command with hostile argv, and read it back safely.
    @Test func recordThenTimelineShowsHostileArgvEscaped() throws {
        guard Requirement.root() else { return }
        let dir = try temporaryDirectory()
        let db = dir.appendingPathComponent("case.db").path
        let marker = "cf-cli-\(UUID().uuidString.prefix(8))"
        let recorder = Process()
        recorder.executableURL = URL(fileURLWithPath: Self.binary)
        recorder.arguments = ["record", "--db", db, "--duration", "3", "--no-enrichment"]
        recorder.standardError = FileHandle.nullDevice
        try recorder.run()
        Thread.sleep(forTimeInterval: 1.2)
        // argv with an ANSI escape, HTML, a newline and an invalid UTF-8 byte (made by printf)
        _ = try run("/bin/sh", ["-c", "exec /bin/sh -c 'exit 0' \"$(printf '\\033[31m<b>\(marker)</b>\\nsecond\\377')\""])
        recorder.waitUntilExit()
        #expect(recorder.terminationStatus == 0)

        let info = try Self.casefile(["info", "--db", db])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.contains("0 lost") && info.stdout.contains("exec"), "\(info.stdout)")

        let timeline = try Self.casefile(["timeline", "--db", db, "--kind", "exec"])
        #expect(timeline.status == 0, "\(timeline.stderr)")
        // the inner exec, whose argv holds the bytes printf made (the outer shell's holds the printf command)
        let line = try #require(timeline.stdout.split(separator: "\n").first { $0.contains(marker) && $0.contains("second\\xFF") },
                                "\(timeline.stdout.split(separator: "\n").filter { $0.contains(marker) })")
        #expect(line.contains("\\x1B[31m<b>\(marker)</b>\\nsecond\\xFF"), "\(line)")
        #expect(!timeline.stdoutBytes.contains(0x1B), "no raw escape reaches the terminal")
        // read-only: the investigation did not change the file
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        _ = try Self.casefile(["timeline", "--db", db])
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        let walSize = (try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? Int) ?? 0
        #expect(walSize == 0, "a clean stop folds the WAL back into the case file")
    }
}
