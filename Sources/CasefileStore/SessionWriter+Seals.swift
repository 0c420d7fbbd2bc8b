import CasefileModel
import Foundation
import GRDB

/// Sealing: every transaction the writer commits ends with a `seals` row that chains it to the one
/// before (see Seals.swift for the encoding, docs/SEALS.md for the format).
extension SessionWriter {
    /// What the transaction in progress wrote: the id ranges of its append-only rows and the
    /// rows of updatable tables it inserted or changed.
    struct BatchRows {
        var events: ClosedRange<Int64>?
        var gaps: ClosedRange<Int64>?
        var changed: Set<SealedRow> = []
    }

    /// The `events` and `execs` rows of the transaction in progress, encoded for the seal as they
    /// are bound (the values bound are the values stored: integers into INTEGER columns, bytes
    /// into TEXT and BLOB ones), so the seal hashes them without reading every row back. Used
    /// only when the file's columns are exactly `eventColumns` and `execColumns` (a file from
    /// another version is read back), and for a batch up to `limit` bytes (past it, read back).
    struct WrittenRows {
        static let eventColumns = ["id", "session_id", "ts", "kind", "pid", "tid", "uid", "process_id", "cgroup_row", "ret",
                                   "aux", "object_id", "comm_id", "aux2", "aux3"]
        static let execColumns = ["event_id", "filename", "argv", "cmdline", "argv_truncated", "filename_truncated",
                                  "argv_unreadable", "filename_unreadable"]
        /// 4 MiB: a batch of `RecorderOptions.maxTransactionEvents` events fits.
        static let limit = 4 << 20

        var events = SealEncoder(hashing: false)
        var execs = SealEncoder(hashing: false)
        var eventCount = 0
        var execCount = 0
        var lastEvent: Int64 = .min
        /// False once a row could not be added (out of order, or past the limit): read back.
        var complete = true

        mutating func reset() {
            events.clear()
            execs.clear()
            eventCount = 0
            execCount = 0
            lastEvent = .min
            complete = true
        }

        mutating func add(_ v: EventValues) {
            guard complete else { return }
            guard v.id > lastEvent, events.byteCount + execs.byteCount < Self.limit else { return giveUp() }
            lastEvent = v.id
            events.beginRow(table: SealedTable.events.rawValue, columns: Self.eventColumns.count)
            events.integer(v.id)
            events.integer(v.session)
            events.integer(v.ts)
            events.integer(v.kind)
            events.integer(v.pid)
            events.integer(v.tid)
            events.integer(v.uid)
            events.integer(v.process)
            events.integer(v.cgroup)
            events.integer(v.ret)
            events.integer(v.aux)
            events.integer(v.object)
            events.integer(v.comm)
            events.integer(v.aux2)
            events.integer(v.aux3)
            eventCount += 1
        }

        mutating func addExec(event: Int64, filename: [UInt8], argv: [UInt8], cmdline: [UInt8], argvTruncated: Bool,
                              filenameTruncated: Bool, argvUnreadable: Bool, filenameUnreadable: Bool) {
            guard complete else { return }
            guard event == lastEvent else { return giveUp() }
            execs.beginRow(table: SealedTable.execs.rawValue, columns: Self.execColumns.count)
            execs.integer(event)
            filename.withUnsafeBytes { execs.text($0) }
            argv.withUnsafeBytes { execs.blob($0) }
            cmdline.withUnsafeBytes { execs.text($0) }
            execs.integer(argvTruncated ? 1 : 0)
            execs.integer(filenameTruncated ? 1 : 0)
            execs.integer(argvUnreadable ? 1 : 0)
            execs.integer(filenameUnreadable ? 1 : 0)
            execCount += 1
        }

        private mutating func giveUp() {
            complete = false
            events.clear()
            execs.clear()
        }

        /// What the seal hashes for `range`, or nil when the rows must be read back.
        func covering(_ range: ClosedRange<Int64>?) -> SealReader.Written? {
            guard complete, let range, Int64(eventCount) == range.upperBound - range.lowerBound + 1 else { return nil }
            return SealReader.Written(events: events, execs: execs, eventCount: eventCount, execCount: execCount)
        }
    }

    /// The columns of an `events` row, as bound and as sealed.
    struct EventValues {
        var id: Int64
        var session: Int64
        var ts: Int64
        var kind: Int64
        var pid: Int64
        var tid: Int64?
        var uid: Int64?
        var process: Int64?
        var cgroup: Int64?
        var ret: Int64?
        var aux: Int64?
        var object: Int64?
        var comm: Int64?
        var aux2: Int64?
        var aux3: Int64?
    }

    func touch(_ table: SealedTable, _ id: Int64) {
        batch.changed.insert(SealedRow(table: table, key: .integer(id)))
    }

    func touch(_ table: SealedTable, text key: String) {
        batch.changed.insert(SealedRow(table: table, key: .text(Array(key.utf8))))
    }

    func noteEvent(_ id: Int64) {
        batch.events = batch.events.map { min($0.lowerBound, id)...max($0.upperBound, id) } ?? id...id
    }

    func noteGap(_ id: Int64) {
        batch.gaps = batch.gaps.map { min($0.lowerBound, id)...max($0.upperBound, id) } ?? id...id
    }

    /// Seals the transaction in progress: lists its changed rows in `seal_rows` with their
    /// digests as they now stand, then hashes the header, the rows and that list, chained to the
    /// previous seal. Returns the new seal's id and digest (the head once committed).
    func seal(_ db: Database, _ s: WriterStatements) throws -> (id: Int64, head: [UInt8])? {
        guard sealing else { return nil }
        if lastSealID == 0, let last = try Row.fetchOne(db, sql: "SELECT id, digest FROM seals ORDER BY id DESC LIMIT 1") {
            lastSealID = last["id"]
            sealHead = [UInt8]((last["digest"] as Data?) ?? Data(SealHeader.zero))
        }
        let id = lastSealID + 1
        var changed: Int64 = 0
        for row in batch.changed {
            // A row that an UPDATE did not find does not exist: nothing to seal.
            guard let digest = try s.seals.rowDigest(row) else { continue }
            let r = s.sealRow
            r.bind(.seal, id)
            r.bindText(.table, row.table.rawValue)
            r.bindValue(.key, row.key)
            r.bindBlob(.digest, digest)
            try r.run()
            changed += 1
        }
        let header = SealHeader(id: id, sessionID: sessionID, sealedAt: nowNanoseconds(), events: batch.events, gaps: batch.gaps,
                                changedRows: changed, prev: sealHead)
        let written = s.encodesWrittenRows ? self.written.covering(header.events) : nil
        let digest = try s.seals.digest(header, written: written).digest
        if written != nil { sealsHashedAsWritten += 1 }
        if crossCheckSeals, written != nil {
            let readBack = try s.seals.digest(header).digest
            guard readBack == digest else {
                throw StoreError.sqlite(code: 0, message: "seal \(id): the rows as written hash to \(digest.hex), as read back to \(readBack.hex) (a bug in Casefile)", sql: "seal")
            }
        }
        let h = s.sealInsert
        h.bind(.id, header.id)
        h.bind(.session, header.sessionID)
        h.bind(.sealedAt, header.sealedAt)
        h.bind(.firstEvent, header.events?.lowerBound)
        h.bind(.lastEvent, header.events?.upperBound)
        h.bind(.firstGap, header.gaps?.lowerBound)
        h.bind(.lastGap, header.gaps?.upperBound)
        h.bind(.changed, changed)
        h.bindBlob(.prev, header.prev)
        h.bindBlob(.digest, digest)
        try h.run()
        return (id, digest)
    }
}
