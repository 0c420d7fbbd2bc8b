import GRDB

/// The parameters of one SQL statement, by name: an enum whose cases are named as the statement's
/// `:name` parameters and numbered (from 1) in the order they first appear in its SQL. The names
/// are checked against the SQL when the statement is prepared, so a bind can never go to the
/// wrong column, and binding costs nothing more than binding by position.
protocol StatementParameter: CaseIterable, RawRepresentable<Int32> {}

/// A prepared statement bound by parameter name (see `StatementParameter`).
final class Statement<Parameter: StatementParameter> {
    let raw: RawStatement

    init(_ db: Database, _ sql: String) throws {
        raw = try RawStatement(db, sql)
        let declared = Parameter.allCases.map { ($0.rawValue, ":\($0)") }
        let inSQL = (1...max(1, raw.parameterCount)).compactMap { i in raw.parameterName(at: i).map { (i, $0) } }
        guard declared.elementsEqual(inSQL, by: { $0.0 == $1.0 && $0.1 == $1.1 }) else {
            throw StoreError.sqlite(code: 0, message: "the statement's parameters \(inSQL.map(\.1)) are not those declared by \(Parameter.self) \(declared.map(\.1)) (a bug in Casefile)", sql: sql)
        }
    }

    @inline(__always) func bind(_ parameter: Parameter, _ value: Int64?) { raw.bind(parameter.rawValue, value) }
    @inline(__always) func bind(_ parameter: Parameter, _ value: Int64) { raw.bind(parameter.rawValue, value) }
    @inline(__always) func bind(_ parameter: Parameter, _ value: Bool) { raw.bind(parameter.rawValue, Int64(value ? 1 : 0)) }
    /// Bytes as TEXT, exactly (see `RawStatement.bindText`).
    @inline(__always) func bindText(_ parameter: Parameter, _ bytes: [UInt8]?) { raw.bindText(parameter.rawValue, bytes) }
    @inline(__always) func bindText(_ parameter: Parameter, _ string: String?) { raw.bindText(parameter.rawValue, string) }
    func bindValue(_ parameter: Parameter, _ value: SQLValue) { raw.bind(parameter.rawValue, value: value) }
    @inline(__always) func bindBlob(_ parameter: Parameter, _ bytes: [UInt8]?) { raw.bindBlob(parameter.rawValue, bytes) }

    /// Runs it; the first column of the first row, if any (`RETURNING id`).
    @discardableResult
    func run() throws -> Int64? { try raw.run() }

    /// Like `run()` for an upsert `RETURNING id`, which always returns a row.
    func runReturningID() throws -> Int64 {
        guard let id = try raw.run() else {
            throw StoreError.sqlite(code: 0, message: "no row id returned", sql: raw.sql)
        }
        return id
    }

    var lastInsertRowID: Int64 { raw.lastInsertRowID }
}
