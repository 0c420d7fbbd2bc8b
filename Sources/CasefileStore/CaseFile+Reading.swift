import CCasefileSQLite
import CasefileModel
import Foundation
import GRDB

/// A case file opened for investigation, and what its reader must be told about how it was read.
public struct OpenedCaseFile: Sendable {
    public let queue: DatabaseQueue
    /// For the user, before any result (stderr): the `-wal` was read with it, a private copy was
    /// read, the schema is older and read through stand-ins, ...
    public let notes: [String]
    /// `PRAGMA user_version` of the file.
    public let schemaVersion: Int
}

/// Reading a case file someone else may have touched: it is input, not code. Nothing in it runs
/// (`trusted_schema` off, no triggers, defensive mode, no extensions, no ATTACH), nothing of it is
/// written (read-only; `immutable` when no `-wal` is beside it, so not even a `-shm` is made),
/// no value can be larger than `maxValueBytes`, SQLite's memory is capped, and investigation
/// reads the tables through Casefile's own view definitions, never the file's.
extension CaseFile {
    /// The largest string or blob a reading connection accepts (SQLITE_LIMIT_LENGTH). Casefile
    /// writes at most a few KiB per value (argv and environment are capped at 4 KiB by default).
    public static let maxValueBytes: Int32 = 16 << 20

    /// SQLite's memory cap in a process that reads case files (sqlite3_hard_heap_limit64).
    public static let heapLimitBytes: Int64 = 1 << 30

    private static let heapLimitSet: Bool = {
        _ = cf_sqlite_heap_limit(heapLimitBytes)
        return true
    }()

    /// Opens a case file for investigation. Read-only at the SQLite level: nothing an
    /// investigation command does can change the evidence.
    ///
    /// - A file with no `-wal` beside it is opened `immutable`: no locks, no `-shm`, nothing made
    ///   next to it (a copied file, a read-only medium).
    /// - A file with a `-wal` (being recorded, or a recorder that was killed) is read with it;
    ///   when that `-wal` holds frames, the user is told. If SQLite cannot make the `-shm` it
    ///   needs (a read-only directory, someone else's files), the file and its `-wal` are copied
    ///   into a private temporary directory, read from there, and the user is told.
    /// - `throughCasefileViews`: Casefile's view definitions are made as TEMP views (found before
    ///   the file's own); for an older schema, tables and columns it lacks get empty stand-ins
    ///   (TEMP tables, TEMP views with NULL columns), so the same SQL reads every version.
    public static func openForReading(path: String, throughCasefileViews: Bool = true) throws -> OpenedCaseFile {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missing(path: path) }
        guard FileManager.default.isReadableFile(atPath: path) else { throw StoreError.notReadable(path: path) }
        _ = heapLimitSet
        let wal = path + "-wal"
        guard let walBytes = fileSize(wal) else {
            return try open(uri: uri(path, immutable: true), path: path, throughCasefileViews: throughCasefileViews, notes: [])
        }
        var notes: [String] = []
        if walBytes > 0 {
            notes.append("\(path)-wal holds \(walBytes) bytes not yet checkpointed into the file (a recorder is writing it, or stopped without checkpointing): they are read with it")
        }
        do {
            return try open(uri: uri(path, immutable: false), path: path, throughCasefileViews: throughCasefileViews, notes: notes)
        } catch let error as DatabaseError where [.SQLITE_CANTOPEN, .SQLITE_READONLY].contains(error.resultCode) {
            // SQLite reads a -wal through a -shm it must be able to make or map: not in a
            // read-only directory, not when someone else owns them. Read a private copy instead.
            return try openCopy(path: path, throughCasefileViews: throughCasefileViews, notes: notes, why: error.message ?? "\(error)")
        }
    }

    private static func fileSize(_ path: String) -> Int64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// `file:` URI of `path` (percent-encoded: a `?` or `#` in a file name is a name, not a query).
    static func uri(_ path: String, immutable: Bool) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
        return "file:" + encoded + "?mode=ro" + (immutable ? "&immutable=1" : "")
    }

    private static func open(uri: String, path: String, throughCasefileViews: Bool, notes: [String]) throws -> OpenedCaseFile {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            guard let connection = db.sqliteConnection else { throw StoreError.closed }
            let rc = cf_sqlite_harden(connection, maxValueBytes)
            guard rc == 0 else { // SQLITE_OK
                throw StoreError.sqlite(code: rc, message: "cannot harden the connection that reads the file", sql: "sqlite3_db_config")
            }
            try db.execute(sql: "PRAGMA trusted_schema = OFF")
            if throughCasefileViews {
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                if version <= schemaVersion {
                    if version < schemaVersion { try db.execute(sql: try standIns(db)) }
                    try db.execute(sql: temporaryViews)
                }
            }
            // Nothing more, not even a TEMP object, from here on.
            try db.execute(sql: "PRAGMA query_only = ON")
        }
        var notes = notes
        let queue: DatabaseQueue
        let version: Int
        let stoodIn: Bool
        do {
            queue = try DatabaseQueue(path: uri, configuration: config)
            (version, stoodIn) = try queue.read { db in
                try check(db, path: path)
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                let stoodIn = version < schemaVersion ? !(try standIns(db).isEmpty) : false
                return (version, stoodIn)
            }
        } catch let error as DatabaseError where [.SQLITE_CANTOPEN, .SQLITE_READONLY].contains(error.resultCode) {
            throw error
        } catch let error as DatabaseError {
            throw StoreError.notACaseFile(path: path, reason: error.message ?? "\(error)")
        }
        if stoodIn && throughCasefileViews {
            notes.append("\(path) has schema version \(version) (this casefile writes \(schemaVersion)): tables and columns that version did not have read as empty")
        }
        return OpenedCaseFile(queue: queue, notes: notes, schemaVersion: version)
    }

    /// Reads a private copy of the file and its `-wal` (see `openForReading`). The copy is
    /// removed as soon as SQLite holds it open: nothing of the evidence is left in /tmp.
    private static func openCopy(path: String, throughCasefileViews: Bool, notes: [String], why: String) throws -> OpenedCaseFile {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("casefile-read-XXXXXX").path
        var buffer = Array(template.utf8CString)
        guard let made = mkdtemp(&buffer) else {
            throw StoreError.cannotOpen(path: path, reason: "its -wal cannot be read in place (\(why)) and no private copy could be made in \(FileManager.default.temporaryDirectory.path): \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let copy = directory + "/" + URL(fileURLWithPath: path).lastPathComponent
        do {
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "its -wal cannot be read in place (\(why)) and copying it to \(directory) failed: \(error.localizedDescription)")
        }
        let opened = try open(uri: uri(copy, immutable: false), path: path, throughCasefileViews: throughCasefileViews, notes: notes)
        // The first read has opened the copy, its -wal and -shm; SQLite keeps them open.
        return OpenedCaseFile(queue: opened.queue, notes: opened.notes + [
            "\(path) and its -wal were read from a private copy (SQLite could not make the -shm it needs beside them: \(why)); the copy is gone",
        ], schemaVersion: opened.schemaVersion)
    }

    /// `views.sql` as TEMP views of one connection: a case file's own views may have been
    /// redefined by whoever touched it, so investigation reads the base tables through Casefile's
    /// definitions (a TEMP object is found before the file's object of the same name). The DROP
    /// statements are left out: they are for the file, which investigation never writes.
    static let temporaryViews: String = views
        .split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.hasPrefix("DROP VIEW ") }
        .map { $0.hasPrefix("CREATE VIEW ") ? "CREATE TEMP VIEW " + $0.dropFirst("CREATE VIEW ".count) : $0 }
        .joined(separator: "\n")

    /// Every table of the current schema: its CREATE statement and its columns.
    static let currentTables: [(name: String, sql: String, columns: [String])] = {
        do {
            let memory = try DatabaseQueue()
            return try memory.write { db in
                for migration in migrations { try db.execute(sql: migration.sql) }
                return try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
                    .map { row in
                        let name: String = row[0]
                        let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [name])
                        return (name, row[1], columns)
                    }
            }
        } catch {
            return [] // the embedded migrations always run (SchemaPinTests); nothing to stand in for otherwise
        }
    }()

    /// For a file of an older schema: an empty TEMP table for each table it does not have, a
    /// TEMP view with NULL for each column a table of it lacks. Casefile's views and queries then
    /// read every version; what that version did not record reads as empty.
    static func standIns(_ db: Database) throws -> String {
        var sql = ""
        for table in currentTables {
            let isTable = try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM main.sqlite_master WHERE type = 'table' AND name = ?", arguments: [table.name]) ?? false
            let present = isTable ? Set(try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?, 'main')", arguments: [table.name])) : []
            if present.isEmpty {
                guard table.sql.hasPrefix("CREATE TABLE ") else { continue }
                sql += "CREATE TEMP TABLE " + table.sql.dropFirst("CREATE TABLE ".count) + ";\n"
            } else if !present.isSuperset(of: table.columns) {
                let columns = table.columns.map { present.contains($0) ? quoted($0) : "NULL AS \(quoted($0))" }
                sql += "CREATE TEMP VIEW \(quoted(table.name)) AS SELECT \(columns.joined(separator: ", ")) FROM main.\(quoted(table.name));\n"
            }
        }
        return sql
    }

    private static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// What differs between the file's schema objects and the ones Casefile makes for its
    /// version (empty: nothing). For investigation, which reads on and says so.
    public static func schemaDifferences(path: String) throws -> [String] {
        let queue = try openForReading(path: path, throughCasefileViews: false).queue
        defer { try? queue.close() }
        return try queue.read { try schemaDifferences($0, path: path) }
    }

    /// The same, on a connection already open (its TEMP views are not the file's: only the
    /// file's own schema, `sqlite_master`, is compared).
    static func schemaDifferences(_ db: Database, path: String) throws -> [String] {
        do {
            try checkSchema(db, path: path)
            return []
        } catch StoreError.foreignSchema(_, let problems) {
            return problems
        }
    }
}
