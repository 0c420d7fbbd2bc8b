/// What went wrong with a case file, said so an investigator knows what to do.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case missing(path: String)
    case notReadable(path: String)
    case cannotOpen(path: String, reason: String)
    case notACaseFile(path: String, reason: String)
    case newerSchema(path: String, fileVersion: Int, supported: Int)
    case foreignSchema(path: String, problems: [String])
    case busy(path: String)
    case sqlite(code: Int32, message: String, sql: String)
    case closed
    case badQuery(String)
    /// A filter the investigator gave names nothing in the file.
    case noMatch(String)

    public var description: String {
        switch self {
        case .missing(let path):
            "no case file at \(path). Record one with `sudo casefile record --db \(path)`, or pass --db PATH."
        case .notReadable(let path):
            "cannot read \(path): case files are private to their owner (mode 0600). Run the command with sudo, or investigate a copy (sudo cp, then chown)."
        case .cannotOpen(let path, let reason):
            "cannot open \(path) for recording (\(reason)). Check that its directory exists and is writable, or pass another --db PATH."
        case .notACaseFile(let path, let reason):
            "\(path) is not a Casefile case file (\(reason)). Check the path; it was not modified."
        case .newerSchema(let path, let fileVersion, let supported):
            "\(path) has schema version \(fileVersion), but this casefile understands up to \(supported). Use a newer casefile to read it; the file was not modified."
        case .foreignSchema(let path, let problems):
            "\(path) does not have Casefile's schema: \(problems.joined(separator: "; ")). It may have been tampered with; nothing was written to it. Investigate it read-only (and keep a copy), and record into another --db PATH."
        case .busy(let path):
            "another `casefile record` is writing to \(path). One recorder per case file: stop the other one first, or record into another --db PATH."
        case .sqlite(let code, let message, let sql):
            "SQLite error \(code): \(message) (in: \(sql.prefix(120))). If the disk is full or the file was removed, free space or record into another --db PATH; what was committed before is in the file."
        case .closed:
            "the case file was closed while still in use (a bug: please report it with the command that was running)"
        case .badQuery(let message), .noMatch(let message):
            "\(message)"
        }
    }
}
