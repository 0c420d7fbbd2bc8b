import CCasefileSQLite
import GRDB
import GRDBSQLite

/// One SQLite value with its storage class, as stored (TEXT as its bytes, unvalidated).
public enum SQLValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text([UInt8])
    case blob([UInt8])
}

/// The store's hot path: one prepared SQLite statement, bound and stepped with the C API.
///
/// GRDB opens, migrates and reads the case file; inserts of events go through this type because
/// they happen hundreds of thousands of times a second and GRDB's argument binding costs about
/// half the raw rate (measured on the development machines: a cached GRDB statement with
/// `execute(arguments:)` reached about half the rows per second of this type). Every `sqlite3_*`
/// call of Casefile is in this file; `Statement` binds it by parameter name.
final class RawStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    let sql: String

    init(_ db: Database, _ sql: String) throws {
        guard let connection = db.sqliteConnection else {
            throw StoreError.closed
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw StoreError.sqlite(code: rc, message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        self.handle = stmt
        self.connection = connection
        self.sql = sql
    }

    /// Someone's SQL (`casefile sql`, a named query): exactly one statement, prepared while an
    /// authorizer lets it only read (`cf_sqlite_reads_only`): a write, ATTACH, a pragma that
    /// sets something, a TEMP object or a transaction is refused before anything runs.
    init(readingOnly db: Database, _ sql: String) throws {
        guard let connection = db.sqliteConnection else {
            throw StoreError.closed
        }
        cf_sqlite_reads_only(connection, 1)
        defer { cf_sqlite_reads_only(connection, 0) }
        var stmt: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let rc = sql.withCString { text in
            let rc = sqlite3_prepare_v2(connection, text, -1, &stmt, &tail)
            // Whatever follows the first statement must be nothing: prepare it to see.
            if rc == SQLITE_OK, let rest = tail, rest.pointee != 0 {
                var next: OpaquePointer?
                let restRC = sqlite3_prepare_v2(connection, rest, -1, &next, nil)
                if next != nil || restRC != SQLITE_OK {
                    sqlite3_finalize(next)
                    return SQLITE_MISUSE
                }
            }
            return rc
        }
        guard rc == SQLITE_OK, let stmt else {
            sqlite3_finalize(stmt)
            if rc == SQLITE_OK {
                throw StoreError.badQuery("no statement (empty, or only a comment): give one SELECT")
            }
            if rc == SQLITE_MISUSE {
                throw StoreError.badQuery("only one statement at a time: run each SELECT on its own")
            }
            let message = String(cString: sqlite3_errmsg(connection))
            if rc == SQLITE_AUTH {
                throw StoreError.badQuery("refused: investigation only reads (SELECT, WITH … SELECT, and pragmas that describe tables); \(message)")
            }
            throw StoreError.badQuery(message)
        }
        guard sqlite3_stmt_readonly(stmt) != 0 else {
            sqlite3_finalize(stmt)
            throw StoreError.badQuery("refused: that statement would change something; investigation only reads")
        }
        self.handle = stmt
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// The name of result column `index` (from 0).
    func columnName(_ index: Int32) -> String {
        sqlite3_column_name(handle, index).map { String(cString: $0) } ?? "column\(index + 1)"
    }

    /// Binds `value` to the parameter `:name`; false when the statement has no such parameter.
    func bind(name: String, value: SQLValue) -> Bool {
        let index = sqlite3_bind_parameter_index(handle, ":" + name)
        guard index > 0 else { return false }
        bind(index, value: value)
        return true
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    @inline(__always) func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    @inline(__always) func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    @inline(__always) func bind(_ index: Int32, _ value: UInt32) {
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    /// Binds bytes as TEXT without validating them: what the kernel gave is stored exactly.
    func bindText(_ index: Int32, _ bytes: [UInt8]?) {
        guard let bytes else { sqlite3_bind_null(handle, index); return }
        bytes.withUnsafeBytes { buf in
            // SQLITE_TRANSIENT (-1): SQLite copies the bytes before we return.
            if let base = buf.baseAddress, buf.count > 0 {
                _ = sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(buf.count), Self.transient)
            } else {
                _ = sqlite3_bind_text(handle, index, "", 0, Self.transient) // '' and not NULL
            }
        }
    }

    func bindText(_ index: Int32, _ string: String?) {
        bindText(index, string.map { Array($0.utf8) })
    }

    func bind(_ index: Int32, text string: String) {
        bindText(index, Array(string.utf8))
    }

    func bindBlob(_ index: Int32, _ bytes: [UInt8]?) {
        guard let bytes else { sqlite3_bind_null(handle, index); return }
        bytes.withUnsafeBytes { buf in
            if let base = buf.baseAddress, buf.count > 0 {
                _ = sqlite3_bind_blob(handle, index, base, Int32(buf.count), Self.transient)
            } else {
                _ = sqlite3_bind_zeroblob(handle, index, 0) // x'' and not NULL
            }
        }
    }

    /// Runs the statement to completion; returns the first column of the first row, if any
    /// (for `RETURNING id`).
    @discardableResult
    func run() throws -> Int64? {
        defer {
            sqlite3_reset(handle)
        }
        var result: Int64?
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_ROW {
                if result == nil { result = sqlite3_column_int64(handle, 0) }
                continue
            }
            if rc == SQLITE_DONE { return result }
            throw StoreError.sqlite(code: rc, message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    // MARK: Reading rows (seals and `verify`)

    /// Steps to the next row: true when there is one. After false the statement is reset.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        sqlite3_reset(handle)
        if rc == SQLITE_DONE { return false }
        throw StoreError.sqlite(code: rc, message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }

    func reset() { sqlite3_reset(handle) }

    var columnCount: Int32 { sqlite3_column_count(handle) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The column's bytes (TEXT or BLOB as stored; other types as SQLite converts them).
    func bytes(_ column: Int32) -> [UInt8] {
        // sqlite3_column_blob before sqlite3_column_bytes, as SQLite's documentation asks.
        guard let base = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: Int(sqlite3_column_bytes(handle, column))))
    }

    /// The column's value with its storage class.
    func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT: .text(bytes(column))
        default: .blob(bytes(column))
        }
    }

    func bind(_ index: Int32, value: SQLValue) {
        switch value {
        case .null: sqlite3_bind_null(handle, index)
        case .integer(let v): sqlite3_bind_int64(handle, index, v)
        case .real(let v): sqlite3_bind_double(handle, index, v)
        case .text(let bytes): bindText(index, bytes)
        case .blob(let bytes): bindBlob(index, bytes)
        }
    }

    /// Appends the current row's columns, each with its storage class, to `encoder` (the
    /// canonical encoding of `SealEncoding`). TEXT is taken as stored, not validated.
    func encodeRow(into encoder: inout SealEncoder) {
        for column in 0..<sqlite3_column_count(handle) {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_NULL:
                encoder.null()
            case SQLITE_INTEGER:
                encoder.integer(sqlite3_column_int64(handle, column))
            case SQLITE_FLOAT:
                encoder.real(sqlite3_column_double(handle, column))
            case SQLITE_TEXT:
                let base = sqlite3_column_text(handle, column)
                let count = Int(sqlite3_column_bytes(handle, column))
                encoder.text(UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count))
            default: // SQLITE_BLOB
                let base = sqlite3_column_blob(handle, column)
                let count = Int(sqlite3_column_bytes(handle, column))
                encoder.blob(UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count))
            }
        }
    }

    var parameterCount: Int32 { sqlite3_bind_parameter_count(handle) }

    /// `:name` of parameter `index` (from 1); nil for a nameless `?`.
    func parameterName(at index: Int32) -> String? {
        sqlite3_bind_parameter_name(handle, index).map { String(cString: $0) }
    }
}
