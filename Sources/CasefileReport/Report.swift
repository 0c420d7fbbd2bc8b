/// An incident report of a case file: what happened, where, when, to which workloads, how much
/// of it was seen, and the evidence it rests on (shaped after NIST SP 800-61's incident
/// documentation). One value, rendered as JSON (`ReportJSON`, this shape exactly), Markdown and
/// HTML.
///
/// Every string that came from the recorded host (names, argv, paths, labels, errors) is held
/// escaped the way the CLI shows it (`SafeText`: `\n`, `\x1B`, `\xFF`, `\u{202E}`): readable,
/// inert in every format, and reversible to the recorded bytes. Times are UTC nanoseconds
/// (`…Ns`) with an ISO 8601 rendering beside them where a person reads them. In JSON an optional
/// field without a value is left out (not written as null).
public struct Report: Codable, Sendable {
    /// The shape of this document: `casefile-report/1`.
    public var format = "casefile-report/1"
    public var generated: Generated
    public var caseFile: CaseFileFacts
    public var scope: Scope
    public var summary: Summary
    public var sessions: [Session]
    public var containers: [Container]
    public var pods: [Pod]
    public var notable: Notable
    public var processTrees: [ProcessTree]
    public var networkPeers: [NetworkPeer]
    public var files: [FileChange]
    public var dataQuality: DataQuality
    /// Left empty for the analyst.
    public var analystNotes: String = ""

    public struct Generated: Codable, Sendable {
        public var atNs: Int64
        public var at: String
        /// `casefile X.Y.Z`.
        public var by: String
        /// The exact command line that made the report.
        public var command: [String]
    }

    public struct CaseFileFacts: Codable, Sendable {
        public var path: String
        public var bytes: Int64
        /// SHA-256 (hex) of the file as it was read (its -wal, if any, separately).
        public var sha256: String
        public var walSha256: String?
        public var schemaVersion: Int
        /// The seal chain's head (hex), as `verify` computed it; nil when there are no seals.
        public var sealHead: String?
        /// `verified`, `unfinished` or `tampered`, and why.
        public var verification: String
        public var verificationProblems: [String]
        public var verificationNotes: [String]
        /// How the file was read (the -wal was read with it, ...).
        public var readNotes: [String]
    }

    /// What the report covers: the filters given, the time span in scope.
    public struct Scope: Codable, Sendable {
        public var containers: [String]
        public var pods: [String]
        public var namespaces: [String]
        public var sinceNs: Int64?
        public var untilNs: Int64?
        public var since: String?
        public var until: String?
    }

    public struct Summary: Codable, Sendable {
        /// First and last recorded activity in scope.
        public var firstActivityNs: Int64?
        public var lastActivityNs: Int64?
        public var firstActivity: String?
        public var lastActivity: String?
        public var hosts: [String]
        public var events: Int64
        public var countsByKind: [KindCount]
        public var containers: Int
        public var shortLivedContainers: Int
        public var pods: Int
        public var lostEvents: Int64
        /// One sentence each: the notable categories with their counts.
        public var headlines: [String]
    }

    public struct KindCount: Codable, Sendable {
        public var kind: String
        public var count: Int64
    }

    public struct Session: Codable, Sendable {
        public var id: Int64
        public var host: String
        public var kernel: String
        public var startedNs: Int64?
        public var endedNs: Int64?
        public var started: String?
        public var ended: String?
        public var cleanStop: Bool
        public var events: Int64?
        public var lost: Int64?
        public var casefileVersion: String
        public var attached: String?
        public var notAttached: String?
        /// Which runtimes were asked, and how they answered.
        public var runtimes: String?
        public var eventsRecorded: String?
        public var scope: String?
        public var warnings: String?
    }

    public struct Container: Codable, Sendable {
        public var id: String
        public var name: String?
        public var runtime: String?
        public var image: String?
        public var imageDigest: String?
        public var pod: String?
        public var podUID: String?
        public var namespace: String?
        public var createdNs: Int64?
        public var removedNs: Int64?
        public var created: String?
        public var removed: String?
        public var lifetimeNs: Int64?
        public var existedAtStart: Bool
        /// Its runtime named a pid whose cgroup is the container's.
        public var confirmed: Bool
        /// Lived under `ReportOptions.shortLivedSeconds`.
        public var shortLived: Bool
        /// Where the name came from, or why there is none.
        public var enrichment: String
        /// Notable events of it in scope.
        public var notableEvents: Int
    }

    public struct Pod: Codable, Sendable {
        public var uid: String
        public var namespace: String?
        public var name: String?
        public var labels: String?
        public var containers: Int
    }

    /// Notable events in time order, capped; what the cap left out is counted per category.
    public struct Notable: Codable, Sendable {
        public var events: [NotableEvent]
        public var cap: Int
        public var countsByCategory: [CategoryCount]
        /// Events over the cap, per category (never left out silently).
        public var leftOut: [CategoryCount]
    }

    public struct CategoryCount: Codable, Sendable {
        public var category: String
        public var count: Int64
    }

    public struct NotableEvent: Codable, Sendable {
        public var timeNs: Int64
        public var time: String
        /// `process-start`, `shell`, `exec-from-writable-place`, `privilege`, `escape`,
        /// `sensitive-file`, `denied`, `outbound-connection`, `lifecycle`, `loss`.
        public var category: String
        public var kind: String
        public var container: String?
        public var containerID: String?
        public var pod: String?
        public var pid: Int64?
        /// The `processes` row.
        public var processKey: Int64?
        public var comm: String?
        public var details: String
    }

    public struct ProcessTree: Codable, Sendable {
        public var container: String
        public var containerID: String
        public var lines: [TreeLine]
        /// Processes of the container not shown (over the cap).
        public var leftOut: Int
    }

    public struct TreeLine: Codable, Sendable {
        public var depth: Int
        public var pid: Int64?
        public var processKey: Int64?
        public var command: String
        public var startedNs: Int64?
        public var exitedNs: Int64?
        public var exit: String?
    }

    public struct NetworkPeer: Codable, Sendable {
        public var container: String?
        public var containerID: String?
        /// `connect`, `bind`, `accept`.
        public var kind: String
        public var peer: String
        public var results: String
        public var count: Int64
        public var firstNs: Int64
        public var first: String
    }

    public struct FileChange: Codable, Sendable {
        public var container: String?
        public var containerID: String?
        /// written (opened for writing or created), removed, renamed, chmod, chown, truncated, linked.
        public var action: String
        public var path: String
        public var results: String
        public var count: Int64
        public var firstNs: Int64
        public var first: String
    }

    public struct DataQuality: Codable, Sendable {
        public var gaps: [Gap]
        public var lostEvents: Int64
        public var enrichmentFailures: [EnrichmentFailure]
        /// Times between and around sessions when nothing was recorded.
        public var unrecorded: [Period]
        public var schemaDifferences: [String]
        /// Plain statements: what may be missing and why.
        public var statements: [String]
    }

    public struct Gap: Codable, Sendable {
        public var atNs: Int64
        public var at: String
        public var count: Int64
        public var reason: String
    }

    public struct EnrichmentFailure: Codable, Sendable {
        public var containerID: String
        public var container: String?
        public var error: String
    }

    public struct Period: Codable, Sendable {
        public var fromNs: Int64?
        public var toNs: Int64?
        public var from: String?
        public var to: String?
        public var what: String
    }
}
