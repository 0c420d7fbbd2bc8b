@testable import CasefileCLI
import CasefileModel
@testable import CasefileStore
import CasefileTestSupport
import Foundation
import GRDB
import Testing

/// SplitMix64: a small, seeded, deterministic generator (the same cases on every run).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A case file is evidence someone may have touched. Thousands of copies of a small real
/// recording, each with a few bytes changed (or a range overwritten, or cut short), are read the
/// way an investigator reads them: every error is fine (it says the file is damaged), a crash is
/// not (the process would die), and no silent lie: when what investigation shows differs from
/// the original, `verify` must not call the file intact.
@Suite struct TamperingFuzzTests {
    /// What the untouched recording shows.
    struct Baseline: Sendable {
        var bytes: [UInt8]
        var pageSize: Int
        /// b-tree (table or index) of each page, when SQLite's dbstat is there to tell.
        var pageOwners: [Int: String]
        /// Offsets of the 8-byte big-endian event times (in `events`, and in the time summary's chunk bounds).
        var timeOffsets: [Int]
        var shown: Shown
    }

    /// What investigation shows of a file.
    struct Shown: Equatable, Sendable {
        var summary: String?
        var timeline: [[SQLValue]]?
        var containers: [[SQLValue]]?
        var processes: [[SQLValue]]?

        /// The listings that differ from `other` (both read).
        func differences(from other: Shown) -> [String] {
            var names: [String] = []
            if let summary, summary != other.summary { names.append("summary") }
            if let timeline, timeline != other.timeline { names.append("timeline") }
            if let containers, containers != other.containers { names.append("containers") }
            if let processes, processes != other.processes { names.append("ps") }
            return names
        }
    }

    static let baseline: Result<Baseline, any Error> = Result {
        let path = try Scenario.path()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17]) == 1 ? 65536 : Int(bytes[16]) << 8 | Int(bytes[17])
        var owners: [Int: String] = [:]
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        try queue.read { db in
            if let rows = try? Row.fetchAll(db, sql: "SELECT name, pageno FROM dbstat") {
                for row in rows { owners[row["pageno"]] = row["name"] }
            }
        }
        try queue.close()
        var offsets: [Int] = []
        let times = try Investigation(path: path).timelineRows().filter { $0["event_id"] != .null }.compactMap { $0["time"]?.integer }
        for ts in Set(times) {
            let pattern = withUnsafeBytes(of: ts.bigEndian) { Array($0) }
            var i = 0
            while i + 8 <= bytes.count {
                if bytes[i] == pattern[0], Array(bytes[i..<(i + 8)]) == pattern { offsets.append(i) }
                i += 1
            }
        }
        return Baseline(bytes: bytes, pageSize: pageSize, pageOwners: owners, timeOffsets: offsets.sorted(), shown: show(path))
    }

    /// Reads what an investigator would (with `everything`, also filtered timelines, trees, the
    /// other listings and every output format); nil for what could not be read (an error).
    static func show(_ path: String, everything: Bool = true) -> Shown {
        var shown = Shown()
        guard let investigation = try? Investigation(path: path) else { return shown }
        shown.summary = (try? investigation.summary()).map { String(describing: $0) } // every field, by reflection
        shown.timeline = try? investigation.collect { try investigation.timeline(Selection(), into: &$0) }.rows
        shown.containers = try? investigation.collect { try investigation.containers(Selection(), into: &$0) }.rows
        shown.processes = try? investigation.collect { try investigation.processes(Selection(), into: &$0) }.rows
        guard everything else { return shown }
        // filters and trees on a damaged file: an answer or an error, never a crash
        for selection in [Selection(containers: ["web"]), Selection { $0.pid = 700; $0.descendants = true },
                          Selection { $0.pods = ["shop/web-0"]; $0.kinds = ["exec", "lifecycle"] }] {
            _ = try? investigation.collect { try investigation.timeline(selection, into: &$0) }
        }
        _ = try? investigation.collect { try investigation.tree(Selection(pid: 1000), into: &$0) }
        _ = try? investigation.collect { try investigation.tree(Selection(containers: ["web"]), into: &$0) }
        _ = try? investigation.collect { try investigation.pods(Selection(), into: &$0) }
        _ = try? investigation.collect { try investigation.cgroups(Selection(), into: &$0) }
        // and every format writes what was read
        for (columns, rows) in [(Investigation.timelineColumns, shown.timeline), (Investigation.containerColumns, shown.containers),
                                (Investigation.processColumns, shown.processes)] {
            guard let rows else { continue }
            var table = TableWriter(columns: columns, color: false)
            for row in rows {
                _ = JSONLines.object(columns, row)
                _ = CSV.row(columns, row)
                _ = Timesketch.line(columns, row)
                _ = table.add(row)
            }
            _ = table.finish()
        }
        return shown
    }

    /// One damaged copy: what was done to it, for the failure message.
    static func damage(_ bytes: inout [UInt8], _ baseline: Baseline, _ rng: inout SeededGenerator) -> String {
        func place(_ offset: Int) -> String {
            let page = offset / baseline.pageSize + 1
            return "\(offset) (page \(page)\(baseline.pageOwners[page].map { " " + $0 } ?? ""))"
        }
        let roll = Int.random(in: 0..<100, using: &rng)
        switch roll {
        case 0..<55:
            var what: [String] = []
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let offset = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[offset] ^= UInt8.random(in: 1...255, using: &rng)
                what.append(place(offset))
            }
            return "flipped bytes at " + what.joined(separator: ", ")
        case 55..<62:
            // a value's bytes: one of the event times (in the table or in its index)
            guard let at = baseline.timeOffsets.randomElement(using: &rng) else { return "nothing" }
            let offset = at + Int.random(in: 0..<8, using: &rng)
            bytes[offset] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            return "flipped a bit of an event time at " + place(offset)
        case 62..<85:
            let offset = Int.random(in: 0..<bytes.count, using: &rng)
            let length = min(bytes.count - offset, Int.random(in: 1...64, using: &rng))
            let fill = Int.random(in: 0..<3, using: &rng)
            for i in offset..<(offset + length) {
                bytes[i] = fill == 0 ? 0 : fill == 1 ? 0xFF : UInt8.random(in: 0...255, using: &rng)
            }
            return "overwrote \(length) bytes (\(["zeros", "0xFF", "random"][fill])) at " + place(offset)
        default:
            let pages = bytes.count / baseline.pageSize
            let length = Bool.random(using: &rng)
                ? Int.random(in: 1..<pages, using: &rng) * baseline.pageSize
                : Int.random(in: 0..<bytes.count, using: &rng)
            bytes.removeSubrange(length...)
            return "cut to \(length) bytes"
        }
    }

    /// 8 × 250 = 2000 damaged copies; every 25th is read with everything and verified even when
    /// it reads the same (verify and the rest cost more than the main listings: a sample keeps
    /// the run short; CASEFILE_FUZZ_SCALE=10 runs ten times as many).
    static let shards = 8
    static let casesPerShard = 250 * max(1, Int(ProcessInfo.processInfo.environment["CASEFILE_FUZZ_SCALE"] ?? "") ?? 1)
    static let sampled = 25
    static let oneAtATime = DispatchSemaphore(value: 1)

    @Test(arguments: 0..<shards)
    func damagedCopiesAreReadOrRefusedNeverMisread(_ shard: Int) async throws {
        // seconds of blocking work: on a thread of its own, not the cooperative pool
        let (lies, opened, refused, differed) = try await onOwnThread {
            // one shard at a time: the other core stays for the rest of the run
            Self.oneAtATime.wait()
            defer { Self.oneAtATime.signal() }
            return try Self.damagedCopies(shard)
        }
        #expect(lies.isEmpty, "\(lies.count) silent lies (\(opened) opened, \(refused) refused, \(differed) differed):\n\(lies.prefix(12).joined(separator: "\n"))")
        #expect(opened > Self.casesPerShard / 4, "most damaged copies still open: the cases reach the readers (\(opened))")
    }

    /// One shard of damaged copies (no #expect here: it runs off the test's task).
    static func damagedCopies(_ shard: Int) throws -> (lies: [String], opened: Int, refused: Int, differed: Int) {
        let baseline = try Self.baseline.get()
        let directory = try temporaryDirectory("tampering-\(shard)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var rng = SeededGenerator(seed: 0xCA5E_F11E_0000 + UInt64(shard))
        var lies: [String] = []
        var opened = 0, refused = 0, differed = 0
        for n in 0..<Self.casesPerShard {
            var bytes = baseline.bytes
            let what = Self.damage(&bytes, baseline, &rng)
            let path = directory.appendingPathComponent("case-\(n).db").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let shown = Self.show(path, everything: n % Self.sampled == 0)
            if shown.summary == nil && shown.timeline == nil { refused += 1 } else { opened += 1 }
            let differences = shown.differences(from: baseline.shown)
            // verify every copy whose listings differ (the property), and a sample of the rest
            // (it must not crash on them either)
            guard !differences.isEmpty || n % Self.sampled == 0 else { continue }
            let outcome: VerificationReport.Outcome?
            do {
                outcome = try CaseFileVerifier.verify(path: path).outcome
            } catch {
                outcome = nil // could not verify: said so
            }
            guard !differences.isEmpty else { continue }
            differed += 1
            if let outcome, outcome != .tampered {
                lies.append("case \(shard)/\(n): \(what): \(differences.joined(separator: ", ")) differ, verify says \(outcome)")
            }
        }
        return (lies, opened, refused, differed)
    }

    @Test func theUntouchedRecordingVerifies() throws {
        let baseline = try Self.baseline.get()
        #expect(try CaseFileVerifier.verify(path: try Scenario.path()).outcome == .verified)
        #expect(baseline.shown.timeline?.count == 30 && baseline.shown.containers?.count == 3 && baseline.shown.processes?.count == 10)
        #expect(baseline.timeOffsets.count >= 23, "each event time in the table: \(baseline.timeOffsets.count)")
        #expect(!FileManager.default.fileExists(atPath: try Scenario.path() + "-wal"))
    }

    // MARK: - What the fuzzing found, made deterministic

    /// The time summary (`event_chunks`, `event_chunk_cgroups`) is what time and container
    /// queries go through. It is derived, not sealed: a chunk's times or cgroups changed would
    /// hide its events, so `verify` recomputes it; a chunk removed leaves ids uncovered, and the
    /// timeline then reads every event rather than trust it.
    @Test func aTimeSummaryThatDisagreesWithTheEventsIsTampered() throws {
        let all = try Investigation(path: try Scenario.path()).timelineRows().compactMap { $0["event_id"]?.integer }
        var ofC = Selection()
        ofC.containers = [String(Scenario.idA.prefix(12))]
        let allOfC = try Investigation(path: try Scenario.path()).timelineRows(ofC).compactMap { $0["event_id"]?.integer }
        try #require(all.count >= 20 && !allOfC.isEmpty)
        func plant(_ name: String, _ sql: String) throws -> String {
            let path = try Scenario.copy("summary-\(name)")
            let attacker = try DatabaseQueue(path: path)
            try attacker.writeWithoutTransaction { try $0.execute(sql: sql) }
            try attacker.close()
            return path
        }
        // times moved an hour later: a query of the real window would find nothing there
        let moved = try plant("times", "UPDATE event_chunks SET min_ts = max_ts + 3600000000000, max_ts = max_ts + 3600000000001")
        let times = try Investigation(path: try Scenario.path()).timelineRows().compactMap { $0["event_id"]?.integer != nil ? $0["time"]?.integer : nil }
        var window = Selection()
        (window.since, window.until) = (times.min(), times.max())
        #expect(try Investigation(path: try Scenario.path()).timelineRows(window).compactMap { $0["event_id"]?.integer } == all)
        let shownMoved = try Investigation(path: moved).timelineRows(window).compactMap { $0["event_id"]?.integer }
        #expect(shownMoved.count < all.count, "\(window.since ?? 0) \(window.until ?? 0) \(shownMoved) \(all)")
        let movedReport = try CaseFileVerifier.verify(path: moved)
        #expect(movedReport.outcome == .tampered && movedReport.problems.contains { $0.contains("time summary") }, "\(movedReport.problems)")
        // a container's cgroups taken out: its timeline would be empty
        let hidden = try plant("cgroups", """
            DELETE FROM event_chunk_cgroups WHERE cgroup_row IN (SELECT id FROM cgroups WHERE container_id = '\(Scenario.idA)')
            """)
        #expect(try Investigation(path: hidden).timelineRows(ofC).compactMap { $0["event_id"]?.integer }.isEmpty)
        let hiddenReport = try CaseFileVerifier.verify(path: hidden)
        #expect(hiddenReport.outcome == .tampered && hiddenReport.problems.contains { $0.contains("missing from event_chunk_cgroups") }, "\(hiddenReport.problems)")
        // chunks removed: not trusted, every event read
        let removed = try plant("removed", "DELETE FROM event_chunks WHERE first_event = (SELECT min(first_event) FROM event_chunks)")
        #expect(try Investigation(path: removed).timelineRows().compactMap { $0["event_id"]?.integer } == all)
        #expect(try Investigation(path: removed).timelineRows(ofC).compactMap { $0["event_id"]?.integer } == allOfC)
        let removedReport = try CaseFileVerifier.verify(path: removed)
        #expect(removedReport.outcome == .tampered && removedReport.problems.contains { $0.contains("do not cover") }, "\(removedReport.problems)")
    }

    /// The other way round: a container's id changed in its table but not in the table's
    /// primary-key index (one byte, found by the fuzzing). `containers` and the timeline read the
    /// table and show the changed id; `verify` must not take the index's copy for the row.
    @Test func aRowThatDisagreesWithItsKeyIndexIsNotIntact() throws {
        let baseline = try Self.baseline.get()
        let root = try {
            let queue = try DatabaseQueue(path: try Scenario.path(), configuration: { var c = Configuration(); c.readonly = true; return c }())
            defer { try? queue.close() }
            return try queue.read { try #require(try Int.fetchOne($0, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'containers'")) }
        }()
        var bytes = baseline.bytes
        let page = (root - 1) * baseline.pageSize
        try #require(bytes[page] == 0x0D, "one leaf page of table cells")
        let id = Array(Scenario.idC.utf8)
        let at = try #require((page..<(page + baseline.pageSize - id.count)).first { Array(bytes[$0..<($0 + id.count)]) == id })
        bytes[at + 1] = UInt8(ascii: "1") // c0ffee… → c1ffee…, in the table only
        let path = try temporaryDirectory().appendingPathComponent("case.db").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let investigation = try Investigation(path: path)
        let ids = try investigation.collect { try investigation.containers(Selection(), into: &$0) }.column("container_id").compactMap(\.string)
        #expect(ids.contains("c1ffee000000" + String(repeating: "c", count: 52)), "the listing shows the changed id: \(ids)")
        #expect(try CaseFileVerifier.verify(path: path).outcome == .tampered, "verify must not read the key from the index")
    }

    /// A seal id of Int64.max (the seals table was edited) is a finding, not an overflow trap
    /// (run as the binary: a crash is an exit status, not the end of the test run).
    @Test func anExtremeSealIDIsTamperingNotACrash() throws {
        func plant(_ id: String) throws -> String {
            let path = try Scenario.copy("extreme-seal-\(id.count)")
            let attacker = try DatabaseQueue(path: path)
            try attacker.write { try $0.execute(sql: "UPDATE seals SET id = \(id) WHERE id = (SELECT max(id) FROM seals)") }
            try attacker.close()
            return path
        }
        #expect(try CaseFileVerifier.verify(path: try plant("-9223372036854775808")).outcome == .tampered)
        let path = try plant("9223372036854775807")
        let r = try CasefileCommand.run(["verify", "--db", path])
        #expect(r.status == 1 && r.stdout.contains("TAMPERED"), "status \(r.status), \(r.stdout.suffix(300)) \(r.stderr.suffix(300))")
        let expect = try CasefileCommand.run(["verify", "--db", path, "--expect", String(repeating: "0", count: 64)])
        #expect(expect.status == 1, "with --expect: status \(expect.status), \(expect.stderr.suffix(300))")
    }
}
