/// What a session chose to record, and how the kernel side hooked it: written to
/// `session_settings` so whoever reads the case file knows what is absent on purpose.
public struct RecordingSettings: Sendable, Equatable {
    /// Kinds stored (`record --events`). Syscall kinds not chosen are not even written by the
    /// kernel; process and cgroup kinds are always traced (processes and containers are known from
    /// them), and only their rows are left out.
    public var kinds: Set<EventKind> = Set(EventKind.allCases)
    public var scope = RecordingScope()
    /// argv bytes kept per exec.
    public var argvMax: Int = 4096
    /// Environments of execs are captured (`--capture-environment`; may hold secrets).
    public var captureEnvironment = false
    /// Which kernel hooks each family used, and the richer ones not used (why).
    public var hooks: String = ""
    /// Programs left unattached on purpose, and why.
    public var notAttached: [String] = []
    /// Exact folding of identical repeated syscall events of one thread within this window (0: off).
    public var foldWindowMilliseconds: Int = 0

    public init() {}

    /// `all`, or the kinds' names in kind order.
    public var eventsRecorded: String {
        kinds.count == EventKind.allCases.count ? "all" : kinds.sorted { $0.rawValue < $1.rawValue }.map(\.name).joined(separator: ",")
    }
}

/// `record --events`: a comma-separated list of groups (`process`, `file`, `network`,
/// `privilege`, `cgroup`), single kinds (`open`, `connect`, `setuid`, ...) or `all`.
public struct EventSelection: Sendable, Equatable {
    public var kinds: Set<EventKind>

    public init(kinds: Set<EventKind>) { self.kinds = kinds }

    public static let all = EventSelection(kinds: Set(EventKind.allCases))

    /// Parses the list; nil with the first word that is neither a group nor a kind.
    public static func parse(_ text: String) -> Result<EventSelection, SelectionError> {
        var kinds: Set<EventKind> = []
        for word in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharactersInSpaces() }) {
            if word == "all" {
                kinds.formUnion(EventKind.allCases)
            } else if let group = EventGroup(rawValue: word) {
                kinds.formUnion(group.kinds)
            } else if let kind = EventKind(name: word) {
                kinds.insert(kind)
            } else {
                return .failure(SelectionError(word: word))
            }
        }
        guard !kinds.isEmpty else { return .failure(SelectionError(word: text)) }
        return .success(EventSelection(kinds: kinds))
    }

    public struct SelectionError: Error, CustomStringConvertible, Sendable {
        public var word: String
        public var description: String {
            "'\(SafeText.escape(word))' is neither an event group (\(EventGroup.allCases.map(\.rawValue).joined(separator: ", "))) nor an event kind (\(EventKind.allCases.map(\.name).joined(separator: ", ")))"
        }
    }
}

extension Substring {
    fileprivate func trimmingCharactersInSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

/// Which cgroups a recording keeps (`--exclude-host`, `--container`, `--pod`). A scope narrows;
/// it never loses what is in it: a container whose name is not known yet (no runtime answer) is
/// recorded until it is, and events of a cgroup not judged yet are recorded.
public struct RecordingScope: Sendable, Equatable {
    /// Only cgroups of containers (`--exclude-host`).
    public var containersOnly = false
    /// Container id prefixes or names (`--container`); empty: any.
    public var containers: [String] = []
    /// Pod names, `namespace/name` or pod UIDs (`--pod`); empty: any.
    public var pods: [String] = []

    public init(containersOnly: Bool = false, containers: [String] = [], pods: [String] = []) {
        self.containersOnly = containersOnly
        self.containers = containers
        self.pods = pods
    }

    public var isWholeHost: Bool { !containersOnly && containers.isEmpty && pods.isEmpty }

    /// What `session_settings.scope` says (nil: the whole host).
    public var description: String? {
        guard !isWholeHost else { return nil }
        var parts: [String] = []
        if !containers.isEmpty { parts.append("containers: " + containers.joined(separator: ", ")) }
        if !pods.isEmpty { parts.append("pods: " + pods.joined(separator: ", ")) }
        if parts.isEmpty { return "containers only (host processes excluded)" }
        return parts.joined(separator: "; ") + " (host processes and other containers excluded)"
    }

    public enum Verdict: Sendable, Equatable { case inScope, outOfScope, undecided }

    /// Whether a cgroup is in scope: `containerID` of the container its path shows (nil: not a
    /// container's), the pod UID its path shows, and the names a runtime gave (nil: no answer yet).
    public func verdict(containerID: String?, podUID: String?, names: ContainerNames?) -> Verdict {
        guard !isWholeHost else { return .inScope }
        guard let containerID else { return .outOfScope }
        if containers.isEmpty && pods.isEmpty { return .inScope }
        let id = containerID.lowercased()
        if containers.contains(where: { Self.isIDPrefix($0, of: id) }) { return .inScope }
        if let podUID, pods.contains(where: { $0.lowercased() == podUID.lowercased() }) { return .inScope }
        guard let names else {
            // Only names can still decide; when every selector is an id or a UID, they cannot.
            let nameLike = containers.contains { !Self.isOnlyID($0) } || pods.contains { !Self.isPodUID($0) }
            return nameLike ? .undecided : .outOfScope
        }
        func bare(_ name: String?) -> String? { name.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } }
        for selector in containers {
            // Docker's API names containers with a leading slash: `web` and `/web` are one name
            if bare(names.name) == bare(selector) || names.kubeContainerName == selector { return .inScope }
        }
        for selector in pods {
            if let pod = names.podName, pod == selector { return .inScope }
            if let pod = names.podName, let ns = names.podNamespace, "\(ns)/\(pod)" == selector { return .inScope }
            if let uid = names.podUID, uid.lowercased() == selector.lowercased() { return .inScope }
        }
        return .outOfScope
    }

    /// A selector of 12 or more hex digits is an id (prefix), never a name.
    static func isOnlyID(_ selector: String) -> Bool {
        selector.count >= 12 && selector.allSatisfy(\.isHexDigit)
    }

    /// A pod UID (8-4-4-4-12 hex digits) is never a pod's name.
    static func isPodUID(_ selector: String) -> Bool {
        let parts = selector.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// A selector of at least 4 hex digits that starts the id (shorter ones are names only).
    static func isIDPrefix(_ selector: String, of id: String) -> Bool {
        let s = selector.lowercased()
        guard s.count >= 4, s.allSatisfy(\.isHexDigit) else { return false }
        return id.hasPrefix(s)
    }
}

/// The names a runtime gave a container, for scope decisions.
public struct ContainerNames: Sendable, Equatable {
    public var name: String?
    public var kubeContainerName: String?
    public var podName: String?
    public var podNamespace: String?
    public var podUID: String?

    public init(name: String?, kubeContainerName: String? = nil, podName: String? = nil, podNamespace: String? = nil, podUID: String? = nil) {
        self.name = name
        self.kubeContainerName = kubeContainerName
        self.podName = podName
        self.podNamespace = podNamespace
        self.podUID = podUID
    }
}
