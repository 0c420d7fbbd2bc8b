import ArgumentParser
import CasefileModel

/// The `casefile` command. The executable target only calls `Casefile.main()`.
public struct Casefile: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "casefile",
        abstract: "A forensic recorder for Linux containers: record a host into one SQLite case file, then investigate it.",
        version: CasefileVersion.current,
        subcommands: [Record.self, Timeline.self, Containers.self, Pods.self, Cgroups.self, Ps.self, Tree.self,
                      Query.self, SQL.self, Info.self, Verify.self]
    )

    public init() {}
}

/// `--db PATH`, shared by every command.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "The case file.")
    var db: String = "casefile.db"
}
