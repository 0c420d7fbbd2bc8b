/// What went wrong with a case file, said so an investigator knows what to do.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case missing(path: String)
    case notACaseFile(path: String, reason: String)
    case newerSchema(path: String, fileVersion: Int, supported: Int)
    case sqlite(code: Int32, message: String, sql: String)
    case closed
    case badQuery(String)

    public var description: String {
        switch self {
        case .missing(let path):
            "no case file at \(path). Record one with `sudo casefile record --db \(path)`, or pass --db PATH."
        case .notACaseFile(let path, let reason):
            "\(path) is not a Casefile case file (\(reason)). Check the path; it was not modified."
        case .newerSchema(let path, let fileVersion, let supported):
            "\(path) has schema version \(fileVersion), but this casefile understands up to \(supported). Use a newer casefile to read it; the file was not modified."
        case .sqlite(let code, let message, let sql):
            "SQLite error \(code): \(message) (in: \(sql.prefix(120)))"
        case .closed:
            "the case file is closed"
        case .badQuery(let message):
            "\(message)"
        }
    }
}
