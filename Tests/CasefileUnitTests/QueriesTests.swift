import CasefileStore
import Foundation
import CasefileTestSupport
import Testing

/// Every named query in queries/ has its header, is embedded in the binary, and runs read-only
/// through the investigation path (authorizer, Casefile's views) on a case file of the current
/// schema, with and without its parameters.
@Test func namedQueriesParseAreEmbeddedAndRun() throws {
    let dir = repositoryRoot + "/queries"
    let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".sql") }.sorted()
    #expect(NamedQuery.names == NamedQuery.all.map(\.name).sorted(), "each query file is named for its query (the CLI lists names without parsing)")
    #expect(files.count >= 12, "the issue asks for at least twelve named queries")
    let path = try temporaryDirectory().appendingPathComponent("q.db").path
    try CaseFile.openForRecording(path: path).close()
    let investigation = try Investigation(path: path)
    for file in files {
        let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
        let query = try NamedQuery.parse(text, file: file)
        #expect(query.name + ".sql" == file, "\(file): its -- name: line says \(query.name)")
        #expect(NamedQuery.named(query.name)?.sql == text, "\(file) is embedded as it is in queries/")
        var listing = CollectedListing()
        try investigation.run(query, parameters: [:], timeout: 10, into: &listing)
        #expect(!listing.columns.isEmpty, "\(file) returns columns")
        var given: [String: String] = [:]
        for parameter in query.parameters { given[parameter.key] = parameter.defaultValue ?? "x" }
        var withParameters = CollectedListing()
        try investigation.run(query, parameters: given, timeout: 10, into: &withParameters)
    }
    #expect(NamedQuery.all.count == files.count)
}
