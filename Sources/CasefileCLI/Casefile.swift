import ArgumentParser
import CasefileModel
import Foundation

/// The `casefile` command. The executable target only calls `Casefile.main()`.
public struct Casefile: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "casefile",
        abstract: "A forensic recorder for Linux containers: record a host into one SQLite case file, then investigate it.",
        version: CasefileVersion.current,
        subcommands: [Record.self, Timeline.self, Containers.self, Pods.self, Cgroups.self, Ps.self, Tree.self,
                      Query.self, SQL.self, ReportCommand.self, Info.self, Verify.self]
    )

    public init() {}

    /// ArgumentParser's main, except that what reaches the terminal is made safe: an error may
    /// quote a name from a case file (a planted trigger's name, a path), and a name can hold
    /// ANSI escapes (`SafeText.terminalSafe`).
    public static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let message = SafeText.terminalSafe(fullMessage(for: error))
            let code = exitCode(for: error)
            if !message.isEmpty {
                if code == .success {
                    print(message)
                } else {
                    FileHandle.standardError.write(Data((message + "\n").utf8))
                }
            }
            Foundation.exit(code.rawValue)
        }
    }
}

/// `--db PATH`, shared by every command.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "The case file.")
    var db: String = "casefile.db"
}
