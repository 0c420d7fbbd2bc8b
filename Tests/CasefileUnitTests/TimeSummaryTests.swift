import CasefileModel
import CasefilePipeline
@testable import CasefileStore
import CasefileTestSupport
import Foundation
import GRDB
import Testing

/// The time summary (`event_chunks`, schema 8) replaces the per-event time index: the timeline
/// must still come out in exact time order when transactions overlap in time and events inside
/// one are out of order, and windows and limits must cut it exactly where the index did.
@Suite struct TimeSummaryTests {
    static let perBatch = 2_500

    /// Three transactions of 2,500 exits each, interleaved in time (t = 3i, 3i+1, 3i+2 ns after
    /// boot): the first in order, the second backwards, the third shuffled.
    static let file: Result<String, any Error> = Result {
        let path = try temporaryDirectory("time-summary").appendingPathComponent("case.db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: CaseFileIntegrityTests.session())
        var rng = SystemRandomNumberGenerator()
        for phase in 0..<3 {
            var order = Array(0..<perBatch)
            if phase == 1 { order.reverse() }
            if phase == 2 { order.shuffle(using: &rng) }
            try writer.write(order.map { i in
                CaseFileIntegrityTests.exit(pid: UInt32(1 + phase * perBatch + i), at: UInt64(1_000_000 + 3 * i + phase))
            })
        }
        try writer.finish(clean: true)
        return path
    }

    static func times(_ selection: Selection = Selection()) throws -> [Int64] {
        try Investigation(path: try file.get()).timelineRows(selection).compactMap { $0["event_id"]?.integer != nil ? $0["time"]?.integer : nil }
    }

    static func utc(_ t: Int) -> Int64 { CaseFileIntegrityTests.clock.utc(UInt64(1_000_000 + t)) }

    @Test func chunksFollowEachOtherAndCoverEveryEvent() throws {
        let queue = try DatabaseQueue(path: try Self.file.get())
        defer { try? queue.close() }
        try queue.read { db in
            let chunks = try Row.fetchAll(db, sql: "SELECT first_event, last_event, min_ts, max_ts FROM event_chunks ORDER BY first_event")
            // 1024 + 1024 + 452 per transaction: chunks never span two
            #expect(chunks.map { ($0[1] as Int64) - ($0[0] as Int64) + 1 } == [1024, 1024, 452, 1024, 1024, 452, 1024, 1024, 452])
            #expect(try Investigation.chunksCoverEvents(db))
            for chunk in chunks {
                let actual = try #require(try Row.fetchOne(db, sql: "SELECT min(ts), max(ts) FROM events WHERE id BETWEEN ? AND ?",
                                                           arguments: [chunk[0] as Int64, chunk[1] as Int64]))
                #expect(actual[0] as Int64 == chunk[2] as Int64 && actual[1] as Int64 == chunk[3] as Int64)
            }
        }
        #expect(try CaseFileVerifier.verify(path: try Self.file.get()).outcome == .verified)
    }

    @Test func theTimelineIsInTimeOrderAcrossOverlappingChunks() throws {
        let all = try Self.times()
        let expected = (0..<(3 * Self.perBatch)).map(Self.utc)
        let firstWrong = zip(all, expected).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(all.count == expected.count && firstWrong == nil, "\(all.count) events; first out of place: \(String(describing: firstWrong))")
    }

    @Test func windowsAndLimitsCutExactly() throws {
        var window = Selection()
        (window.since, window.until) = (Self.utc(3000), Self.utc(3300))
        #expect(try Self.times(window) == (3000...3300).map(Self.utc))
        window.limit = 50
        #expect(try Self.times(window) == (3000..<3050).map(Self.utc))
        // a window in a hole of every chunk's span but holding no event
        (window.since, window.until, window.limit) = (Self.utc(100) + 1, Self.utc(101) - 1, nil)
        #expect(try Self.times(window).isEmpty)
        let summary = try Investigation(path: try Self.file.get()).summary(countingKinds: false)
        #expect(summary.firstEvent == Self.utc(0) && summary.lastEvent == Self.utc(3 * Self.perBatch - 1))
    }

    /// A chunk that fills up on an exec writes its rows right after the exec's: the execs row
    /// must still point at the exec (the bench found execs rows given the chunk's id instead).
    @Test func sideTablesPointAtTheirEventWhenAChunkFillsUp() throws {
        let clock = CaseFileIntegrityTests.clock
        let path = try temporaryDirectory().appendingPathComponent("case.db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: CaseFileIntegrityTests.session())
        var pipeline = Pipeline(clock: clock)
        var events: [Event] = []
        for n in 0..<1_500 { // fork, exec, exit: 1024 % 3 == 1, so chunk ends fall on each kind in turn
            let pid = UInt32(2_000 + n), t = UInt64(1_000_000 + n * 1_000)
            let key = ProcessKey(pid: pid, startBootNanoseconds: t)
            events.append(Event(bootNanoseconds: t, pid: 1_999, tid: 1_999, cgroupID: 1, comm: ByteString("sh"),
                                body: .fork(Fork(parent: ProcessKey(pid: 1_999, startBootNanoseconds: 1), child: key, childTID: pid, uid: 0, gid: 0, comm: ByteString("sh")))))
            events.append(Event(bootNanoseconds: t + 1, pid: pid, tid: pid, cgroupID: 1, comm: ByteString("true"), body: .exec(Exec(
                process: key, ppid: 1_999, uid: 0, gid: 0, namespacePID: pid, mountNamespace: 1, pidNamespace: 2, oldPID: pid,
                comm: ByteString("true"), filename: ByteString("/bin/true"), argv: ByteString("/bin/true\0\(n)\0"),
                argvTruncated: false, filenameTruncated: false))))
            events.append(Event(bootNanoseconds: t + 2, pid: pid, tid: pid, cgroupID: 1, comm: ByteString("true"),
                                body: .exit(Exit(process: key, ppid: 1_999, status: 0, comm: ByteString("true")))))
        }
        try writer.write(pipeline.resolve(events))
        try writer.finish(clean: true)
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        let counts = try queue.read { db in
            [try Int.fetchOne(db, sql: "SELECT count(*) FROM execs"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM execs x JOIN events e ON e.id = x.event_id WHERE e.kind = 1"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM event_chunks")]
        }
        #expect(counts == [1_500, 1_500, 5], "execs, execs pointing at an exec, chunks")
        #expect(try CaseFileVerifier.verify(path: path).outcome == .verified)
    }
}
