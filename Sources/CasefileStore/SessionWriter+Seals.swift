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
        let digest = try s.seals.digest(header).digest
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
