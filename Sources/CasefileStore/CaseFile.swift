import CasefileModel
import Foundation
import GRDB

/// Opening case files: for recording (create and migrate) or for investigation (read-only).
public enum CaseFile {
    /// `PRAGMA application_id` of every case file: 'CASE'.
    public static let applicationID: Int32 = 0x4341_5345

    /// The migrations compiled into this binary, in order (from `schema/NNNN_name.sql`).
    static let migrations: [(version: Int, name: String, sql: String)] = EmbeddedSchema.files.compactMap { file in
        guard let version = Int(file.name.prefix(while: \.isNumber)) else { return nil }
        return (version, file.name, file.text)
    }.sorted { $0.version < $1.version }

    /// `schema/views.sql`: every view, re-created after migrations.
    static let views: String = EmbeddedSchema.files.first { $0.name == "views.sql" }?.text ?? ""

    /// The newest schema version this binary writes and reads.
    public static var schemaVersion: Int { migrations.last?.version ?? 0 }

    /// Opens (creating if needed) a case file to record into: WAL mode so investigators can read
    /// while it is written, migrated to the current schema.
    ///
    /// An existing file is first checked read-only, before anything is written to it (not even
    /// the switch to WAL): it must be a case file of a version this binary knows whose schema
    /// objects are exactly the ones Casefile makes (`checkSchema`). A file that fails is left
    /// byte for byte as it was (when it is in WAL mode without its `-wal` and `-shm`, SQLite's
    /// read-only open makes those two beside it; the file itself is not written). The file, and so its `-wal` and `-shm` (SQLite gives them the
    /// database's mode), are private to their owner: mode 0600.
    public static func openForRecording(path: String) throws -> DatabaseQueue {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError.cannotOpen(path: path, reason: "no directory \(directory)")
        }
        if FileManager.default.fileExists(atPath: path) {
            try checkBeforeWriting(path: path)
        }
        try makePrivate(path: path)
        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(5)
        // The writer makes every row id it references in the same transaction, so SQLite's
        // foreign-key checks (a parent lookup per reference: five per event row) would only
        // re-confirm its own work, for about a third of the insert rate (bench/sqlite-insert.c). Readers
        // of a case file treat its references as untrusted input anyway.
        config.foreignKeysEnabled = false
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_PERM || error.resultCode == .SQLITE_READONLY {
                throw StoreError.cannotOpen(path: path, reason: error.message ?? "\(error)")
            }
            throw StoreError.notACaseFile(path: path, reason: error.message ?? "\(error)")
        }
        try queue.writeWithoutTransaction { db in
            try migrate(db, path: path)
        }
        return queue
    }

    /// Reads an existing file without writing to it: empty, or a case file of a known version
    /// whose schema objects are all Casefile's.
    static func checkBeforeWriting(path: String) throws {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            try queue.read { db in
                let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let objects = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                if appID == 0 && objects == 0 && version == 0 { return } // an empty database: nothing to check
                if appID == 0 && objects == 0 {
                    throw StoreError.notACaseFile(path: path, reason: "it has no tables but says user_version \(version); refusing to write to it")
                }
                if appID == 0 {
                    throw StoreError.notACaseFile(path: path, reason: "it is an SQLite database of something else; refusing to add tables to it")
                }
                try check(db, path: path)
                try checkSchema(db, path: path)
            }
            try queue.close()
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_PERM {
                throw StoreError.cannotOpen(path: path, reason: error.message ?? "\(error)")
            }
            if error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                throw StoreError.busy(path: path)
            }
            throw StoreError.notACaseFile(path: path, reason: error.message ?? "\(error)")
        }
    }

    /// Creates the file with mode 0600, or narrows an existing one (and a `-wal` or `-shm` left by
    /// a recorder that was killed) to 0600. An existing file is changed by path, never opened:
    /// closing a descriptor of a file drops the process's POSIX locks on it, SQLite's included.
    static func makePrivate(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else {
                throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            close(fd)
        }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            guard chmod(file, 0o600) == 0 else {
                throw StoreError.cannotOpen(path: file, reason: "cannot make it private (mode 0600): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// One schema object as `sqlite_schema` lists it.
    struct SchemaObject: Hashable, Comparable, CustomStringConvertible {
        var type: String
        var name: String
        var sql: String?
        static func < (a: Self, b: Self) -> Bool { (a.type, a.name) < (b.type, b.name) }
        var description: String { "\(type) \(name)" }
    }

    /// The schema objects of `db` (SQLite's own `sqlite_*` ones left out).
    static func schemaObjects(_ db: Database) throws -> Set<SchemaObject> {
        // Only SQLite's own objects are left out, by type and name: a trigger or view is never
        // left out, whatever its name (`PRAGMA writable_schema` lets anyone name one `sqlite_…`).
        Set(try Row.fetchAll(db, sql: """
            SELECT type, name, sql FROM sqlite_master
            WHERE NOT (type = 'table' AND name IN ('sqlite_sequence', 'sqlite_stat1', 'sqlite_stat2', 'sqlite_stat3', 'sqlite_stat4'))
              AND NOT (type = 'index' AND name LIKE 'sqlite\\_autoindex\\_%' ESCAPE '\\' AND sql IS NULL)
            """).map {
            SchemaObject(type: $0["type"], name: $0["name"], sql: $0["sql"])
        })
    }

    /// What the embedded migrations make for a file at `version` (views: only at the current
    /// version; older files get them anew when migrated).
    static func expectedSchema(version: Int) throws -> Set<SchemaObject> {
        let memory = try DatabaseQueue()
        return try memory.write { db in
            for migration in migrations where migration.version <= version { try db.execute(sql: migration.sql) }
            if version == schemaVersion { try db.execute(sql: views) }
            return try schemaObjects(db)
        }
    }

    /// Refuses a case file whose schema objects are not exactly the ones Casefile makes: a
    /// trigger, view, table or index someone else added or changed would run, or mislead, when
    /// the recorder writes. Views of an older file are not compared: migrating replaces them.
    static func checkSchema(_ db: Database, path: String) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        var found = try schemaObjects(db)
        var expected = try expectedSchema(version: version)
        if version < schemaVersion {
            found = found.filter { $0.type != "view" }
            expected = expected.filter { $0.type != "view" }
        }
        guard found != expected else { return }
        let expectedByName = Dictionary(expected.map { ("\($0)", $0) }, uniquingKeysWith: { a, _ in a })
        var problems: [String] = []
        for object in found.subtracting(expected).sorted() {
            problems.append(expectedByName["\(object)"] == nil ? "\(object) is not Casefile's" : "\(object) was changed")
        }
        let foundNames = Set(found.map(\.description))
        for object in expected.subtracting(found).sorted() where !foundNames.contains("\(object)") {
            problems.append("\(object) is missing")
        }
        throw StoreError.foreignSchema(path: path, problems: problems)
    }

    /// Checks that `db` is a case file this binary can read.
    static func check(_ db: Database, path: String) throws {
        let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        guard appID == applicationID else {
            throw StoreError.notACaseFile(path: path, reason: appID == 0 ? "no Casefile application_id" : String(format: "application_id is 0x%08x", appID))
        }
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard version <= schemaVersion else {
            throw StoreError.newerSchema(path: path, fileVersion: version, supported: schemaVersion)
        }
    }

    static func migrate(_ db: Database, path: String) throws {
        let current = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard current <= schemaVersion else {
            throw StoreError.newerSchema(path: path, fileVersion: current, supported: schemaVersion)
        }
        let pending = migrations.filter { $0.version > current }
        for migration in pending {
            try db.inTransaction {
                try db.execute(sql: migration.sql)
                try db.execute(sql: "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                               arguments: [migration.version, migration.name, nowNanoseconds()])
                try db.execute(sql: "PRAGMA application_id = \(applicationID)")
                try db.execute(sql: "PRAGMA user_version = \(migration.version)")
                if migration.version == pending.last?.version { try db.execute(sql: views) }
                return .commit
            }
        }
    }
}

