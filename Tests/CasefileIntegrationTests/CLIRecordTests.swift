import CasefileTestSupport
import Foundation
import Testing

/// `casefile record` as a user runs it, then investigation of what it wrote: read-only, safe display.
@Suite(.serialized, .timeLimit(.minutes(3)))  // a hang fails the test instead of holding CI
struct CLIRecordTests {
    /// Ctrl-C stops a recording at once even with a long --duration, and the stop is clean.
    @Test func interruptStopsALongRecordingCleanly() throws {
        guard Requirement.root() else { return }
        let db = try temporaryDirectory().appendingPathComponent("int.db").path
        let recorder = try CasefileCommand.startRecording(db: db, duration: 600)
        Thread.sleep(forTimeInterval: 1.5)
        let sent = Date()
        recorder.interrupt()
        recorder.waitUntilExit()
        #expect(Date().timeIntervalSince(sent) < 10)
        #expect(recorder.terminationStatus == 0)
        let info = try CasefileCommand.run(["info", "--db", db])
        #expect(!info.stdout.contains("NOT a clean shutdown"), "\(info.stdout)")
    }

    /// kill -9 leaves the session open; the next `record` closes it with its last committed event
    /// and says why, and `info` shows it was not a clean stop.
    @Test func killedRecordingIsClosedByTheNext() throws {
        guard Requirement.root() else { return }
        let db = try temporaryDirectory().appendingPathComponent("killed.db").path
        let recorder = try CasefileCommand.startRecording(db: db, duration: 600)
        Thread.sleep(forTimeInterval: 2)
        #expect(try run("/bin/true", []) == 0) // at least one exec to commit
        Thread.sleep(forTimeInterval: 0.5)
        kill(recorder.processIdentifier, SIGKILL)
        recorder.waitUntilExit()
        let unfinished = try CasefileCommand.run(["verify", "--db", db])
        #expect(unfinished.status == 3 && unfinished.stdout.contains("no closing batch"), "\(unfinished.stdout)")
        let next = try CasefileCommand.run(["record", "--db", db, "--duration", "1", "--no-enrichment"])
        #expect(next.status == 0, "\(next.stderr)")
        let info = try CasefileCommand.run(["info", "--db", db])
        #expect(info.stdout.contains("NOT a clean shutdown"), "\(info.stdout)")
        let closed = try sh("sqlite3 -readonly '\(db)' \"SELECT ended_at = (SELECT max(ts) FROM events WHERE session_id = 1), warnings FROM sessions WHERE id = 1\"")
        #expect(closed.output.hasPrefix("1|") && closed.output.contains("killed or crashed"), "\(closed.output)")
        #expect(try sh("stat -c %a '\(db)'").output.trimmingCharacters(in: .whitespacesAndNewlines) == "600")
    }

    /// After start-up every thread of the recorder keeps only CAP_DAC_READ_SEARCH, with
    /// no_new_privs; at stop it prints the seal head, which `verify --expect` accepts, and an edit
    /// of a copy is named.
    @Test func recorderReducesPrivilegesAndItsHeadVerifies() throws {
        guard Requirement.root() else { return }
        let dir = try temporaryDirectory()
        let db = dir.appendingPathComponent("sealed.db").path
        let recorder = Process()
        recorder.executableURL = URL(fileURLWithPath: CasefileCommand.binary)
        recorder.arguments = ["record", "--db", db, "--duration", "600", "--no-enrichment"]
        let output = Pipe()
        recorder.standardOutput = output
        recorder.standardError = FileHandle.nullDevice
        try recorder.run()
        var privileges = ""
        // Until the session row says it (before that, the file may not even have its tables yet).
        for _ in 0..<200 where !privileges.hasPrefix("capabilities") && !privileges.hasPrefix("not reduced") {
            Thread.sleep(forTimeInterval: 0.1)
            privileges = (try? sh("sqlite3 -readonly '\(db)' 'SELECT privileges FROM sessions WHERE id = 1'"))?.output
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        #expect(privileges == "capabilities CAP_DAC_READ_SEARCH; no_new_privs")
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(recorder.processIdentifier)/task")
        #expect(tasks.count > 2)
        for task in tasks {
            let status = (try? String(contentsOfFile: "/proc/\(recorder.processIdentifier)/task/\(task)/status", encoding: .utf8)) ?? ""
            var fields: [String: String] = [:]
            for line in status.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
            for cap in ["CapEff", "CapPrm", "CapBnd"] { #expect(fields[cap] == "0000000000000004", "thread \(task) \(cap)") }
            for cap in ["CapInh", "CapAmb"] { #expect(fields[cap] == "0000000000000000", "thread \(task) \(cap)") }
            #expect(fields["NoNewPrivs"] == "1", "thread \(task)")
        }
        #expect(try run("/bin/true", []) == 0)
        Thread.sleep(forTimeInterval: 0.5)
        recorder.interrupt()
        recorder.waitUntilExit()
        #expect(recorder.terminationStatus == 0)
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let head = try #require(printed.split(separator: "\n").first { $0.hasPrefix("seal-head ") }.map { String($0.dropFirst(10)) })
        #expect(head.count == 64)
        let verified = try CasefileCommand.run(["verify", "--db", db, "--expect", head])
        #expect(verified.status == 0 && verified.stdout.contains("VERIFIED"), "\(verified.stdout)")

        let copy = dir.appendingPathComponent("edited.db").path
        #expect(try sh("cp '\(db)' '\(copy)' && sqlite3 '\(copy)' 'UPDATE events SET pid = pid + 1 WHERE id = 3'").status == 0)
        let batch = try sh("sqlite3 -readonly '\(copy)' 'SELECT id FROM seals WHERE 3 BETWEEN first_event AND last_event'").output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let edited = try CasefileCommand.run(["verify", "--db", copy, "--expect", head])
        #expect(edited.status == 1, "\(edited.stdout)")
        #expect(edited.stdout.contains("TAMPERED: the first bad batch is \(batch)."), "\(edited.stdout)")
    }

    /// A start that fails (here: no such directory) ends the recording at once, with enrichment
    /// on too: the failure shuts the services down gracefully. (It used to hang, now and then,
    /// while the enrichment's runtime connections were cancelled.) Several times: it was a race.
    @Test func aFailedStartEndsPromptlyWithEnrichmentOn() throws {
        guard Requirement.root() else { return }
        for _ in 0..<5 {
            let started = Date()
            let r = try CasefileCommand.run(["record", "--db", "/nonexistent-dir-\(shortID())/case.db"])
            #expect(r.status == 1 && r.stderr.contains("no directory"), "\(r.stderr)")
            #expect(Date().timeIntervalSince(started) < 20)
        }
    }

    /// Two recorders on one case file: the second is refused and says why; the first goes on.
    @Test func aSecondRecorderOnTheSameFileIsRefused() throws {
        guard Requirement.root() else { return }
        let db = try temporaryDirectory().appendingPathComponent("one.db").path
        let first = try CasefileCommand.startRecording(db: db, duration: 600)
        Thread.sleep(forTimeInterval: 2)
        let second = try CasefileCommand.run(["record", "--db", db, "--duration", "1", "--no-enrichment"])
        #expect(second.status != 0)
        #expect(second.stderr.contains("another `casefile record` is writing to"), "\(second.stderr)")
        first.interrupt()
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        let info = try CasefileCommand.run(["info", "--db", db])
        #expect(info.stdout.contains("#1 ") && !info.stdout.contains("#2 "), "\(info.stdout)")
        #expect(!info.stdout.contains("NOT a clean shutdown"), "\(info.stdout)")
    }

    /// A case file is private: another user cannot read it, and is told why and what to do.
    @Test func caseFilesArePrivateToTheirOwner() throws {
        guard Requirement.root() else { return }
        let db = try temporaryDirectory().appendingPathComponent("private.db").path
        let recorded = try CasefileCommand.run(["record", "--db", db, "--duration", "1", "--no-enrichment"])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(try sh("stat -c %a '\(db)'").output.trimmingCharacters(in: .whitespacesAndNewlines) == "600")
        let other = try sh("runuser -u nobody -- '\(CasefileCommand.binary)' info --db '\(db)'")
        #expect(other.status != 0)
        #expect(other.output.contains("private to their owner") && other.output.contains("sudo"), "\(other.output)")
    }

    /// Without root, `record` says so and what to run instead (the test drops to `nobody`).
    @Test func recordWithoutRootSaysRunAsRoot() throws {
        guard Requirement.root() else { return }
        let db = "/tmp/cf-nobody-\(UUID().uuidString.prefix(8)).db"
        let r = try sh("runuser -u nobody -- '\(CasefileCommand.binary)' record --db \(db)")
        #expect(r.status != 0)
        #expect(r.output.contains("must run as root") && r.output.contains("sudo casefile record"), "\(r.output)")
        #expect(!FileManager.default.fileExists(atPath: db), "a recording that never started leaves no file")
    }

    /// Record with the real binary, run a command with hostile argv, and read it back safely.
    @Test func recordThenTimelineShowsHostileArgvEscaped() throws {
        guard Requirement.root() else { return }
        let dir = try temporaryDirectory()
        let db = dir.appendingPathComponent("case.db").path
        let marker = "cf-cli-\(UUID().uuidString.prefix(8))"
        let recorder = try CasefileCommand.startRecording(db: db, duration: 3)
        Thread.sleep(forTimeInterval: 1.2)
        // argv with an ANSI escape, HTML, a newline and an invalid UTF-8 byte (made by printf)
        _ = try run("/bin/sh", ["-c", "exec /bin/sh -c 'exit 0' \"$(printf '\\033[31m<b>\(marker)</b>\\nsecond\\377')\""])
        recorder.waitUntilExit()
        #expect(recorder.terminationStatus == 0)

        let info = try CasefileCommand.run(["info", "--db", db])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.contains("0 lost") && info.stdout.contains("exec"), "\(info.stdout)")

        let timeline = try CasefileCommand.run(["timeline", "--db", db, "--kind", "exec"])
        #expect(timeline.status == 0, "\(timeline.stderr)")
        // the inner exec, whose argv holds the bytes printf made (the outer shell's holds the printf command)
        let line = try #require(timeline.stdout.split(separator: "\n").first { $0.contains(marker) && $0.contains("second\\xFF") },
                                "\(timeline.stdout.split(separator: "\n").filter { $0.contains(marker) })")
        #expect(line.contains("\\x1B[31m<b>\(marker)</b>\\nsecond\\xFF"), "\(line)")
        #expect(!timeline.stdoutBytes.contains(0x1B), "no raw escape reaches the terminal")
        // read-only: the investigation did not change the file
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        _ = try CasefileCommand.run(["timeline", "--db", db])
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        let walSize = (try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? Int) ?? 0
        #expect(walSize == 0, "a clean stop folds the WAL back into the case file")
    }
}
