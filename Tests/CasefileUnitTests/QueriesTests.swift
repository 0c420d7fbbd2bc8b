import CasefileStore
import Foundation
import GRDB
import CasefileTestSupport
import Testing

/// Every named query in queries/ runs on a case file of the current schema, read-only.
@Test func namedQueriesRunOnTheCurrentSchema() throws {
    let dir = repositoryRoot + "/queries"
    let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".sql") }.sorted()
    #expect(files.count >= 3)
    let path = try temporaryDirectory().appendingPathComponent("q.db").path
    _ = try CaseFile.openForRecording(path: path)
    var config = Configuration()
    config.readonly = true
    let queue = try DatabaseQueue(path: path, configuration: config)
    for file in files {
        let sql = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
        #expect(sql.hasPrefix("-- \(file.dropLast(4)):"), "\(file) starts with a comment naming it")
        try queue.read { db in
            _ = try Row.fetchAll(db, sql: sql)
        }
    }
}
