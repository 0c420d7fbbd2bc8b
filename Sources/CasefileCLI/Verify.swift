import ArgumentParser
import CasefileModel
import CasefileStore
import Foundation

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that a case file is as its recorder sealed it. Read-only.",
        discussion: """
            Every batch the recorder commits is sealed: SHA-256 over its rows, chained to the batch
            before. verify recomputes the chain and checks every row against its newest seal.

            Exit status: 0 verified; 1 tampered (rows edited, deleted, inserted or reordered after
            sealing, seals missing, or the head given with --expect is not this file's); 2 could not
            verify (no such file, not a case file); 3 intact but unfinished (the last session has no
            closing batch: its recorder is still running, was killed, or batches were cut off the
            end; --expect with a head kept off the host tells which).

            Examples:
              casefile verify --db casefile.db
              casefile verify --db casefile.db --expect 3f9c…   (the head `record` printed at stop)
            """
    )

    @OptionGroup var database: DatabaseOption

    @Option(name: .long, help: ArgumentHelp("The chain head you kept off the host (printed by `record` at stop: `seal-head HEX`).", valueName: "HEAD"))
    var expect: SealHead?

    func run() async throws {
        let report: VerificationReport
        do {
            report = try CaseFileVerifier.verify(path: database.db, expectedHead: expect?.hex)
        } catch {
            FileHandle.standardError.write(Data("casefile verify: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var out = "casefile verify: \(SafeText.escape(database.db))\n"
        out += "  seals     \(report.seals) batches" + (report.firstBadSeal == nil && report.seals > 0 ? ", chained, each matching its rows" : "") + "\n"
        out += "  rows      \(report.events) events, \(report.execs) execs, \(report.gaps) gaps, \(report.otherRows) rows of other tables\n"
        out += "  sessions  \(report.sessions)\n"
        out += "  head      \(report.head ?? "none (no seals)")\n"
        for note in report.notes { out += "  note: \(note)\n" }
        switch report.outcome {
        case .verified:
            out += "VERIFIED: every row is as its recorder sealed it.\n"
        case .unfinished:
            out += "UNFINISHED: intact as far as it goes; see the note about the last session.\n"
        case .tampered:
            out += "TAMPERED" + (report.firstBadSeal.map { ": the first bad batch is \($0)" } ?? "") + ".\n"
            for problem in report.problems { out += "  - \(problem)\n" }
        }
        print(out, terminator: "")
        switch report.outcome {
        case .verified: return
        case .tampered: throw ExitCode(1)
        case .unfinished: throw ExitCode(3)
        }
    }
}

/// A seal chain head: 64 hex digits.
struct SealHead: ExpressibleByArgument {
    let hex: String

    init?(argument: String) {
        let s = argument.lowercased().trimmingCharacters(in: .whitespaces)
        let digits = s.hasPrefix("seal-head ") ? String(s.dropFirst("seal-head ".count)) : s
        guard digits.utf8.count == 64, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        hex = digits
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
