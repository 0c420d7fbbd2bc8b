import Crypto
import GRDB

// Seals: the recorder's commitment to what it wrote, batch by batch, and what `casefile verify`
// recomputes. One definition of the canonical encoding, used by both sides, so the writer and
// the verifier cannot disagree about what a row's bytes are. The format is documented in
// docs/SEALS.md; change it only with a new `SealHeader.format`.

/// SHA-256 over the canonical encoding of values: every value is a tag byte and its payload,
/// integers big-endian, so equal rows give equal bytes on every machine.
///
/// | value   | bytes                                   |
/// |---------|-----------------------------------------|
/// | NULL    | `00`                                    |
/// | INTEGER | `01` + 8 bytes, two's complement        |
/// | REAL    | `02` + 8 bytes, IEEE 754 binary64 bits  |
/// | TEXT    | `03` + 8-byte length + the stored bytes |
/// | BLOB    | `04` + 8-byte length + the bytes        |
/// | row     | `10` + TEXT table name + INTEGER column count + the values in table order |
/// | header  | `11` + TEXT format + BLOB prev + the seal's columns (see `SealHeader`) |
///
/// An encoder made with `hashing: false` only collects the bytes: the writer encodes the rows it
/// inserts as it binds them, and `append(_:)` hashes them into the batch's digest at the seal
/// (after the header, which is known only then), instead of reading every row back.
struct SealEncoder {
    private var hasher = SHA256()
    private var buffer: [UInt8] = []
    private let hashing: Bool

    init(hashing: Bool = true) {
        self.hashing = hashing
        if hashing { buffer.reserveCapacity(1 << 16) }
    }

    /// Bytes collected so far (an encoder that does not hash).
    var byteCount: Int { buffer.count }

    /// Forgets the collected bytes, keeping the memory (an encoder that does not hash).
    mutating func clear() { buffer.removeAll(keepingCapacity: true) }

    /// Hashes `rows`' collected bytes after what this encoder has so far, as if they had been
    /// encoded here.
    mutating func append(_ rows: SealEncoder) {
        precondition(hashing && !rows.hashing, "append takes the bytes of an encoder that collects into one that hashes")
        hasher.update(data: buffer)
        buffer.removeAll(keepingCapacity: true)
        hasher.update(data: rows.buffer)
    }

    mutating func null() { buffer.append(0x00) }

    mutating func integer(_ v: Int64) {
        buffer.append(0x01)
        append(UInt64(bitPattern: v))
    }

    mutating func integer(_ v: Int64?) {
        if let v { integer(v) } else { null() }
    }

    mutating func real(_ v: Double) {
        buffer.append(0x02)
        append(v.bitPattern)
    }

    mutating func text(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(0x03)
        append(UInt64(bytes.count))
        buffer.append(contentsOf: bytes)
        flushIfLarge()
    }

    mutating func text(_ string: String) {
        var s = string
        s.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    mutating func blob(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(0x04)
        append(UInt64(bytes.count))
        buffer.append(contentsOf: bytes)
        flushIfLarge()
    }

    mutating func blob(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { blob($0) }
    }

    /// Starts a row of `table` with `columns` values (the caller then encodes them).
    mutating func beginRow(table: String, columns: Int) {
        buffer.append(0x10)
        text(table)
        integer(Int64(columns))
    }

    mutating func beginHeader(format: String) {
        buffer.append(0x11)
        text(format)
    }

    mutating func finish() -> [UInt8] {
        precondition(hashing, "an encoder that only collects bytes has no digest")
        hasher.update(data: buffer)
        buffer.removeAll(keepingCapacity: true)
        return Array(hasher.finalize())
    }

    private mutating func append(_ v: UInt64) {
        withUnsafeBytes(of: v.bigEndian) { buffer.append(contentsOf: $0) }
    }

    private mutating func flushIfLarge() {
        if hashing && buffer.count >= 1 << 16 {
            hasher.update(data: buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }
}

/// One row of `seals` without its digest: what the digest covers besides the rows.
struct SealHeader: Equatable, Sendable {
    static let format = "casefile seal v1"
    static let zero = [UInt8](repeating: 0, count: 32)

    var id: Int64
    var sessionID: Int64
    var sealedAt: Int64
    var events: ClosedRange<Int64>?
    var gaps: ClosedRange<Int64>?
    var changedRows: Int64
    var prev: [UInt8]

    func encode(into e: inout SealEncoder) {
        e.beginHeader(format: Self.format)
        e.blob(prev)
        e.integer(id)
        e.integer(sessionID)
        e.integer(sealedAt)
        e.integer(events?.lowerBound)
        e.integer(events?.upperBound)
        e.integer(gaps?.lowerBound)
        e.integer(gaps?.upperBound)
        e.integer(changedRows)
    }
}

/// The tables seals cover, and how.
enum SealedTable: String, CaseIterable, Sendable {
    // Append-only: a batch covers the rows in its id ranges.
    case events, execs, gaps
    // Updatable: a batch lists the rows it inserted or changed in `seal_rows`.
    case sessions, eventKinds = "event_kinds", schemaMigrations = "schema_migrations", cgroups, containers, pods, processes
    case comms, clockSteps = "clock_steps", paths, addresses
    case sessionSettings = "session_settings", execEnvironments = "exec_environments", eventFolds = "event_folds"

    /// Tables a file made before schema version 6 lacks: there, absent is empty.
    var addedLater: Bool { self == .sessionSettings || self == .execEnvironments || self == .eventFolds }

    var key: String {
        switch self {
        case .execs: "event_id"
        case .schemaMigrations: "version"
        case .pods: "uid"
        case .sessionSettings: "session_id"
        case .execEnvironments, .eventFolds: "event_id"
        default: "id"
        }
    }

    var isAppendOnly: Bool { self == .events || self == .execs || self == .gaps }

    /// Columns not covered: `sessions.seal_head` is the seal itself, written after it.
    var unsealedColumns: Set<String> { self == .sessions ? ["seal_head"] : [] }

    static let updatable = allCases.filter { !$0.isAppendOnly }
}

/// A row of an updatable table, as `seal_rows` names it.
struct SealedRow: Hashable, Sendable {
    var table: SealedTable
    var key: SQLValue
}

/// Reads what seals cover from a case file: used by the writer inside its transaction (the rows
/// as they will be committed) and by `verify` on a file opened read-only.
final class SealReader {
    private let rowsByKey: [SealedTable: RawStatement]
    private let eventsInRange: RawStatement
    private let execsInRange: RawStatement
    private let gapsInRange: RawStatement
    private let sealRows: RawStatement
    let columns: [SealedTable: [String]]

    init(_ db: Database) throws {
        var columns: [SealedTable: [String]] = [:]
        for table in SealedTable.allCases {
            let names = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table.rawValue])
                .map { $0[0] as String }
                .filter { !table.unsealedColumns.contains($0) }
            if names.isEmpty && table.addedLater { continue }
            guard !names.isEmpty else {
                throw StoreError.sqlite(code: 0, message: "table \(table.rawValue) is missing", sql: "pragma_table_info")
            }
            columns[table] = names
        }
        self.columns = columns
        func select(_ table: SealedTable) -> String {
            "SELECT " + (columns[table] ?? []).map { "\"\($0)\"" }.joined(separator: ", ") + " FROM \(table.rawValue)"
        }
        var rowsByKey: [SealedTable: RawStatement] = [:]
        for table in SealedTable.updatable where columns[table] != nil {
            rowsByKey[table] = try RawStatement(db, select(table) + " WHERE \(table.key) = ?1")
        }
        self.rowsByKey = rowsByKey
        eventsInRange = try RawStatement(db, select(.events) + " WHERE id BETWEEN ?1 AND ?2 ORDER BY id")
        execsInRange = try RawStatement(db, select(.execs) + " WHERE event_id BETWEEN ?1 AND ?2 ORDER BY event_id")
        gapsInRange = try RawStatement(db, select(.gaps) + " WHERE id BETWEEN ?1 AND ?2 ORDER BY id")
        sealRows = try RawStatement(db, """
            SELECT seal_id, table_name, row_key, row_digest FROM seal_rows WHERE seal_id = ?1 ORDER BY table_name, row_key
            """)
    }

    /// The digest of one row of an updatable table as it is now; nil when there is no such row.
    func rowDigest(_ row: SealedRow) throws -> [UInt8]? {
        guard let statement = rowsByKey[row.table] else { return nil }
        defer { statement.reset() }
        statement.bind(1, value: row.key)
        guard try statement.step() else { return nil }
        var e = SealEncoder()
        e.beginRow(table: row.table.rawValue, columns: Int(statement.columnCount))
        statement.encodeRow(into: &e)
        return e.finish()
    }

    /// Every row of an updatable table with its key and digest (for `verify`).
    func forEachRow(of table: SealedTable, in db: Database, _ body: (SQLValue, [UInt8]) throws -> Void) throws {
        let names = columns[table] ?? []
        if names.isEmpty && table.addedLater { return }
        guard let keyIndex = names.firstIndex(of: table.key) else {
            throw StoreError.sqlite(code: 0, message: "table \(table.rawValue) has no column \(table.key)", sql: "pragma_table_info")
        }
        let all = try RawStatement(db, "SELECT " + names.map { "\"\($0)\"" }.joined(separator: ", ") + " FROM \(table.rawValue) ORDER BY \(table.key)")
        while try all.step() {
            var e = SealEncoder()
            e.beginRow(table: table.rawValue, columns: Int(all.columnCount))
            all.encodeRow(into: &e)
            try body(all.value(Int32(keyIndex)), e.finish())
        }
    }

    /// How many rows a batch's digest covered, per part.
    struct Covered: Equatable {
        var events = 0, execs = 0, gaps = 0, changed = 0
    }

    /// The events and execs rows of a batch, encoded by the writer as it inserted them (see
    /// `SessionWriter.WrittenRows`): used instead of reading them back.
    struct Written {
        var events: SealEncoder
        var execs: SealEncoder
        var eventCount: Int
        var execCount: Int
    }

    /// The digest of a batch: its header, then its events, execs and gaps rows in id order, then
    /// its `seal_rows` entries in key order. `written`: the batch's events and execs rows as
    /// their writer encoded them (they are then not read back).
    func digest(_ header: SealHeader, written: Written? = nil) throws -> (digest: [UInt8], covered: Covered) {
        var e = SealEncoder()
        var covered = Covered()
        header.encode(into: &e)
        if let written, header.events != nil {
            e.append(written.events)
            e.append(written.execs)
            covered.events = written.eventCount
            covered.execs = written.execCount
        } else if let range = header.events {
            covered.events = try encodeRows(eventsInRange, table: .events, range, &e)
            covered.execs = try encodeRows(execsInRange, table: .execs, range, &e)
        }
        if let range = header.gaps {
            covered.gaps = try encodeRows(gapsInRange, table: .gaps, range, &e)
        }
        sealRows.bind(1, header.id)
        while try sealRows.step() {
            e.beginRow(table: "seal_rows", columns: 4)
            sealRows.encodeRow(into: &e)
            covered.changed += 1
        }
        return (e.finish(), covered)
    }

    private func encodeRows(_ s: RawStatement, table: SealedTable, _ range: ClosedRange<Int64>, _ e: inout SealEncoder) throws -> Int {
        s.bind(1, range.lowerBound)
        s.bind(2, range.upperBound)
        var n = 0
        let count = Int(s.columnCount)
        while try s.step() {
            e.beginRow(table: table.rawValue, columns: count)
            s.encodeRow(into: &e)
            n += 1
        }
        return n
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hex, as seal heads are printed and given to `verify --expect`.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
