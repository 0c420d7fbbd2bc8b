import CasefileModel
import Foundation
import GRDB

/// A named investigation query (`queries/NAME.sql`, embedded in the binary). Its header says
/// what it answers and what it takes:
///
///     -- name: shells-in-containers
///     -- description: Shells started inside containers, with their command lines.
///     -- param: container = : only this container (an id prefix or a name)
///     -- (further comment lines: how to read the result)
///     SELECT …
///
/// Parameters are SQLite named parameters (`:container`); one not given is its default, or NULL
/// (every query reads NULL as "no filter", so the files also run in plain `sqlite3`).
public struct NamedQuery: Sendable {
    public struct Parameter: Sendable {
        public var key: String
        public var defaultValue: String?
        public var meaning: String
    }

    public var name: String
    public var description: String
    public var parameters: [Parameter]
    /// The comment lines after the header.
    public var notes: [String]
    public var sql: String

    /// Every query compiled into this binary, by name.
    public static let all: [NamedQuery] = EmbeddedQueries.files.compactMap { try? parse($0.text, file: $0.name) }
        .sorted { $0.name < $1.name }

    public static func named(_ name: String) -> NamedQuery? { all.first { $0.name == name } }

    /// The queries' names without parsing them (each file is named for its query: a test checks
    /// it): for help and completion, built at every start of the CLI.
    public static var names: [String] {
        EmbeddedQueries.files.map { $0.name.hasSuffix(".sql") ? String($0.name.dropLast(4)) : $0.name }.sorted()
    }

    /// Reads a query file's header. Throws when it lacks a name or description (a test runs
    /// this on every file in `queries/`).
    public static func parse(_ text: String, file: String) throws -> NamedQuery {
        var name: String?, description: String?
        var parameters: [Parameter] = []
        var notes: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("--") else { break }
            let body = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if body.hasPrefix("name:") {
                name = body.dropFirst(5).trimmingCharacters(in: .whitespaces)
            } else if body.hasPrefix("description:") {
                description = body.dropFirst(12).trimmingCharacters(in: .whitespaces)
            } else if body.hasPrefix("param:") {
                // key [= default] : meaning
                let spec = body.dropFirst(6)
                let (head, meaning) = spec.firstIndex(of: ":").map { (spec[..<$0], spec[spec.index(after: $0)...]) } ?? (spec, "")
                let parts = head.split(separator: "=", maxSplits: 1)
                let key = (parts.first ?? "").trimmingCharacters(in: .whitespaces)
                let value = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
                guard !key.isEmpty else { throw StoreError.badQuery("\(file): a param line without a key: \(line)") }
                parameters.append(Parameter(key: key, defaultValue: value.isEmpty ? nil : value,
                                            meaning: meaning.trimmingCharacters(in: .whitespaces)))
            } else {
                notes.append(body)
            }
        }
        guard let name, !name.isEmpty, let description, !description.isEmpty else {
            throw StoreError.badQuery("\(file): a named query starts with '-- name:' and '-- description:' lines")
        }
        return NamedQuery(name: name, description: description, parameters: parameters, notes: notes, sql: text)
    }
}

extension Investigation {
    /// Runs one read-only statement of the investigator's (`casefile sql`) or a named query.
    /// It is prepared under an authorizer that lets it only read (see `RawStatement(readingOnly:)`)
    /// on a connection that is read-only anyway; after `timeout` it is interrupted.
    ///
    /// `parameters` bind `:key`: a canonical integer binds as INTEGER, anything else as TEXT
    /// (`parameterValue`). `timeColumns`: columns named `ts` or ending in `_ts` or `_at` are UTC times.
    public func run(sql: String, parameters: [String: String] = [:], defaults: [String: String?] = [:],
                    timeColumns: Bool = false, timeout: Double? = nil, limit: Int? = nil,
                    into sink: inout some ListingSink) throws {
        let timer = timeout.map { seconds in
            let item = DispatchWorkItem { [queue] in queue.interrupt() }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item)
            return item
        }
        defer { timer?.cancel() }
        do {
            try queue.read { db in
                let statement = try RawStatement(readingOnly: db, sql)
                defer { statement.reset() }
                var unknown = Set(parameters.keys)
                for index in 1...max(1, statement.parameterCount) where statement.parameterCount > 0 {
                    guard let name = statement.parameterName(at: index) else {
                        throw StoreError.badQuery("use named parameters (:key) with --param key=value, not '?'")
                    }
                    let key = String(name.dropFirst())
                    unknown.remove(key)
                    let given = parameters[key] ?? defaults[key] ?? nil
                    // bound by position: the same key may be written :key, @key or $key
                    statement.bind(index, value: given.map(Investigation.parameterValue) ?? .null)
                }
                if let key = unknown.sorted().first {
                    throw StoreError.badQuery("this query takes no parameter '\(SafeText.escape(key))'")
                }
                let count = statement.columnCount
                var columns: [ListingColumn] = []
                for i in 0..<count {
                    let name = statement.columnName(i)
                    let time = timeColumns && (name == "ts" || name.hasSuffix("_ts") || name.hasSuffix("_at"))
                    columns.append(ListingColumn(name, time ? .time : .plain))
                }
                try sink.begin(columns)
                try stream(statement, columns: count, limit: limit, into: &sink)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
            throw StoreError.badQuery("the query ran longer than \(timeout.map { "\($0)" } ?? "?") s and was stopped; narrow it (a WHERE on ts uses the time index) or give a longer --timeout")
        } catch StoreError.sqlite(let code, let message, _) where code == 9 { // SQLITE_INTERRUPT
            throw StoreError.badQuery("the query ran longer than \(timeout.map { "\($0)" } ?? "?") s and was stopped (\(message)); narrow it (a WHERE on ts uses the time index) or give a longer --timeout")
        }
        try sink.end()
    }

    /// A `--param` value: INTEGER when it is an integer written the canonical way (`42`, `-7`),
    /// TEXT otherwise — so an id prefix like `0612` keeps its leading zero.
    public static func parameterValue(_ text: String) -> SQLValue {
        if let v = Int64(text), String(v) == text { return .integer(v) }
        return .text(text)
    }

    /// Runs a named query with `--param` values (checked against its header).
    public func run(_ query: NamedQuery, parameters: [String: String], timeout: Double? = nil, limit: Int? = nil,
                    into sink: inout some ListingSink) throws {
        let known = Set(query.parameters.map(\.key))
        if let key = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            let list = query.parameters.map(\.key).joined(separator: ", ")
            throw StoreError.badQuery("\(query.name) takes no parameter '\(SafeText.escape(key))'; it takes: \(list.isEmpty ? "none" : list)")
        }
        var defaults: [String: String?] = [:]
        for parameter in query.parameters { defaults[parameter.key] = parameter.defaultValue }
        try run(sql: query.sql, parameters: parameters, defaults: defaults, timeColumns: true, timeout: timeout, limit: limit, into: &sink)
    }
}
