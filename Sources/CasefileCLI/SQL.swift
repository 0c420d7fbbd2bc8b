import ArgumentParser
import CasefileModel
import CasefileStore
import Foundation

/// `--param KEY=VALUE`.
struct ParameterArgument: ExpressibleByArgument, Sendable {
    var key: String
    var value: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        key = String(argument[..<equals]).trimmingCharacters(in: .whitespaces)
        value = String(argument[argument.index(after: equals)...])
        guard !key.isEmpty else { return nil }
    }

    static func dictionary(_ parameters: [ParameterArgument]) -> [String: String] {
        Dictionary(parameters.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }
}

struct SQL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Runs one read-only SELECT on the case file (anything that writes is refused).",
        discussion: """
            The file is opened read-only and the statement is checked before it runs: only SELECT \
            (and WITH … SELECT, and pragmas that describe tables) is allowed; no ATTACH, no writes, \
            no temp tables. Views are Casefile's own (timeline, event_lines, events_with_container), \
            not the file's. Parameters: :name in the SQL, --param name=value.

            Examples:
              casefile sql --db case.db "SELECT kind, count(*) FROM timeline GROUP BY kind"
              casefile sql --db case.db "SELECT * FROM containers WHERE name = :n" --param n=web --format jsonl
            """
    )
    @OptionGroup var database: DatabaseOption

    @Argument(help: "The statement.")
    var statement: String

    @Option(help: ArgumentHelp("Binds :key (integers as INTEGER, anything else as TEXT).", valueName: "key=value"))
    var param: [ParameterArgument] = []

    @Option(help: "Stop the statement after this many seconds.")
    var timeout: Double = 60

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a number of seconds > 0") }
    }

    func run() async throws {
        let investigation = try Investigate.open(database)
        let parameters = ParameterArgument.dictionary(param)
        try output.write { sink in
            try investigation.run(sql: statement, parameters: parameters, timeout: timeout, limit: output.limit, into: &sink)
        }
    }
}

struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runs a named investigation query (built in; `casefile query --list` says what each answers).",
        discussion: """
            Examples:
              casefile query --list
              casefile query --db case.db shells-in-containers
              casefile query --db case.db short-lived-containers --param seconds=10
              casefile query --db case.db outbound-connections --param container=web --format csv
            Queries: \(NamedQuery.names.joined(separator: ", ")).
            """
    )
    @OptionGroup var database: DatabaseOption

    @Argument(help: ArgumentHelp("The query's name.", valueName: "name"),
              completion: .list(NamedQuery.names))
    var name: String?

    @Flag(help: "List the queries: name, what it answers, parameters.")
    var list = false

    @Option(help: ArgumentHelp("A parameter of the query.", valueName: "key=value"))
    var param: [ParameterArgument] = []

    @Option(help: "Stop the query after this many seconds.")
    var timeout: Double = 60

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a number of seconds > 0") }
        if list { return }
        guard let name else { throw ValidationError("give a query name; `casefile query --list` lists them") }
        guard NamedQuery.named(name) != nil else {
            throw ValidationError("no query named '\(SafeText.escape(name))'; there are: \(NamedQuery.all.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        if list {
            try output.write { sink in
                try sink.begin([ListingColumn("name"), ListingColumn("description"), ListingColumn("parameters")])
                for query in NamedQuery.all {
                    let parameters = query.parameters.map { p in
                        p.key + (p.defaultValue.map { "=" + $0 } ?? "") + (p.meaning.isEmpty ? "" : " (\(p.meaning))")
                    }.joined(separator: "; ")
                    guard try sink.row([.text(query.name), .text(query.description), .text(parameters)]) else { break }
                }
                try sink.end()
            }
            return
        }
        guard let name, let query = NamedQuery.named(name) else { return }
        let investigation = try Investigate.open(database)
        let parameters = ParameterArgument.dictionary(param)
        try output.write { sink in
            try investigation.run(query, parameters: parameters, timeout: timeout, limit: output.limit, into: &sink)
        }
    }
}
