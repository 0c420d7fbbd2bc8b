import CasefileTestSupport
import Foundation
import Testing

/// The `casefile` binary as a user runs it without root: errors that say what is wrong.
@Suite struct CLIErrorTests {
    @Test func binaryIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: CasefileCommand.binary), "\(CasefileCommand.binary)")
    }

    @Test func missingCaseFile() throws {
        let path = try temporaryDirectory().appendingPathComponent("missing.db").path
        for command in ["timeline", "info"] {
            let r = try CasefileCommand.run([command, "--db", path])
            #expect(r.status != 0)
            #expect(r.stderr.contains("no case file at \(path)"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func notACaseFile() throws {
        let path = try temporaryDirectory().appendingPathComponent("notes.db").path
        try Data("just text".utf8).write(to: URL(fileURLWithPath: path))
        let r = try CasefileCommand.run(["info", "--db", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("not a Casefile case file"), "\(r.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "just text")
    }

    @Test func badFlagsSayWhatIsWrong() throws {
        let kind = try CasefileCommand.run(["timeline", "--kind", "bogus"])
        #expect(kind.status != 0)
        #expect(kind.stderr.contains("unknown --kind 'bogus'") && kind.stderr.contains("exec"), "\(kind.stderr)")
        let since = try CasefileCommand.run(["timeline", "--since", "yesterday"])
        #expect(since.status != 0)
        #expect(since.stderr.contains("cannot read time 'yesterday'"), "\(since.stderr)")
        let flag = try CasefileCommand.run(["record", "--no-such-flag"])
        #expect(flag.status != 0)
        #expect(flag.stderr.contains("no-such-flag"), "\(flag.stderr)")
        let socket = try CasefileCommand.run(["record", "--runtime-socket", "dockr=/x.sock"])
        #expect(socket.status != 0)
        #expect(socket.stderr.contains("RUNTIME=/absolute/path.sock"), "\(socket.stderr)")
        let duration = try CasefileCommand.run(["record", "--duration", "-3"])
        #expect(duration.status != 0)
        let backlog = try CasefileCommand.run(["record", "--backlog-mib", "0"])
        #expect(backlog.status != 0)
        #expect(backlog.stderr.contains("--backlog-mib must be between 1 and 4096 MiB, got 0"), "\(backlog.stderr)")
    }

    /// Every command's --help shows examples; the completion scripts name every command.
    @Test func helpHasExamplesAndCompletionsNameEveryCommand() throws {
        let commands = ["record", "timeline", "containers", "pods", "cgroups", "ps", "tree", "query", "sql", "report", "info", "verify"]
        for command in commands {
            let help = try CasefileCommand.run([command, "--help"])
            #expect(help.status == 0 && help.stdout.contains("Examples:"), "\(command) --help: \(help.stdout.suffix(200))")
        }
        for shell in ["bash", "zsh", "fish"] {
            let script = try CasefileCommand.run(["--generate-completion-script", shell])
            #expect(script.status == 0, "\(shell): \(script.stderr)")
            for command in commands { #expect(script.stdout.contains(command), "\(shell) completion names \(command)") }
        }
        let queries = try CasefileCommand.run(["--generate-completion-script", "bash"])
        #expect(queries.stdout.contains("shells-in-containers"), "query names complete")
    }
}
