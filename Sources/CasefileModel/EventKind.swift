/// Every kind of event Casefile stores. The raw value is what `events.kind` holds; the
/// `event_kinds` table in the case file repeats these names and meanings for `sqlite3` users.
///
/// Adding a kind: add a case here, its record in `bpf/casefile.h`, the BPF program, a decoder
/// case in `CasefileDecode`, the store mapping in `EventRecordWriter`, and a row in a new
/// `schema/` migration (see the README's developer section).
public enum EventKind: Int, Sendable, CaseIterable, Hashable {
    case exec = 1
    case fork = 2
    case exit = 3
    case cgroupMkdir = 4
    case cgroupRmdir = 5

    /// The name used in the store, the CLI (`--kind`) and reports.
    public var name: String {
        switch self {
        case .exec: "exec"
        case .fork: "fork"
        case .exit: "exit"
        case .cgroupMkdir: "cgroup_mkdir"
        case .cgroupRmdir: "cgroup_rmdir"
        }
    }

    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }
}
