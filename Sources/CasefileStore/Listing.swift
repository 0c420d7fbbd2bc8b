import CasefileModel
import Foundation

/// One column of what an investigation command lists: its name (the key in JSON and CSV) and
/// how its values are meant (a table shows times as UTC, argv as a command line, ...).
public struct ListingColumn: Sendable, Hashable {
    public enum Meaning: Sendable, Hashable {
        /// Anything: shown as it is (text escaped).
        case plain
        /// UTC nanoseconds since 1970.
        case time
        /// Nanoseconds.
        case duration
        /// NUL-separated argv, exact bytes.
        case argv
        /// 0 or 1.
        case flag
    }

    public var name: String
    public var meaning: Meaning
    /// Shown in a table; JSON, CSV and Timesketch carry every column.
    public var inTable: Bool

    public init(_ name: String, _ meaning: Meaning = .plain, inTable: Bool = true) {
        self.name = name
        self.meaning = meaning
        self.inTable = inTable
    }
}

/// Where a listing goes: the CLI's formats (table, JSON lines, CSV, Timesketch), reports, tests.
/// Rows arrive in order, as they are read (a first page is shown before the rest is read).
public protocol ListingSink {
    mutating func begin(_ columns: [ListingColumn]) throws
    /// Returns false to stop reading (the reader went away, a limit was reached).
    mutating func row(_ values: [SQLValue]) throws -> Bool
    mutating func end() throws
}

/// A listing collected in memory (tests, reports, small results).
public struct CollectedListing: ListingSink, Sendable {
    public var columns: [ListingColumn] = []
    public var rows: [[SQLValue]] = []
    public init() {}
    public mutating func begin(_ columns: [ListingColumn]) throws { self.columns = columns }
    public mutating func row(_ values: [SQLValue]) throws -> Bool { rows.append(values); return true }
    public mutating func end() throws {}

    /// Each row as column name → value.
    public var keyedRows: [[String: SQLValue]] {
        rows.map { Dictionary(zip(columns.map(\.name), $0), uniquingKeysWith: { a, _ in a }) }
    }

    /// The values of the column named `name`.
    public func column(_ name: String) -> [SQLValue] {
        guard let index = columns.firstIndex(where: { $0.name == name }) else { return [] }
        return rows.map { $0[index] }
    }
}

extension SQLValue {
    /// The value as an integer: saturated, never a trap; nil for NULL, blobs and non-numeric text.
    public var integer: Int64? {
        switch self {
        case .integer(let v): return v
        case .real(let d):
            if d.isNaN { return nil }
            return d >= 9.223372036854775e18 ? .max : d <= -9.223372036854775e18 ? .min : Int64(d)
        case .text(let b): return Int64(String(decoding: b, as: UTF8.self).trimmingCharacters(in: .whitespaces))
        case .blob, .null: return nil
        }
    }

    /// The stored bytes of TEXT or BLOB (never re-encoded); numbers as their decimal text.
    public var bytes: [UInt8]? {
        switch self {
        case .null: nil
        case .text(let b), .blob(let b): b
        case .integer(let v): Array(String(v).utf8)
        case .real(let v): Array(String(v).utf8)
        }
    }

    /// Text (invalid UTF-8 replaced): for comparisons and messages, never for evidence output.
    public var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    public static func text(_ s: String) -> SQLValue { .text(Array(s.utf8)) }
    public static func optional(_ v: Int64?) -> SQLValue { v.map { .integer($0) } ?? .null }
    public static func optional(_ b: [UInt8]?) -> SQLValue { b.map { .text($0) } ?? .null }
}
