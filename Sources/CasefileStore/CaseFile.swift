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
    public static func openForRecording(path: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError.cannotOpen(path: path, reason: "no directory \(directory)")
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
            let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
            if appID == 0 && tables > 0 {
                throw StoreError.notACaseFile(path: path, reason: "it is an SQLite database of something else; refusing to add tables to it")
            }
            if appID != 0 && appID != applicationID {
                throw StoreError.notACaseFile(path: path, reason: String(format: "application_id is 0x%08x", appID))
            }
            try migrate(db, path: path)
        }
        return queue
    }

    /// Opens a case file for investigation. Read-only at the SQLite level: nothing an
    /// investigation command does can change the evidence.
    public static func openForReading(path: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missing(path: path) }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.read { db in try check(db, path: path) }
        } catch let error as DatabaseError {
            throw StoreError.notACaseFile(path: path, reason: error.message ?? "\(error)")
        }
        return queue
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

