import CasefileModel
import CasefileStore
import Crypto
import Foundation

/// What a report covers and how much of it it lists.
public struct ReportOptions: Sendable {
    public var selection = Selection()
    /// Containers that lived less than this are called out.
    public var shortLivedSeconds: Int64 = 60
    /// Notable events listed per category (the rest counted).
    public var notablePerCategory = 100
    /// Process-tree lines per container, and containers with a tree.
    public var treeLines = 60
    public var trees = 20
    public var peers = 200
    public var files = 300
    /// Recompute the seal chain (`verify`): the report then says whether the file is intact.
    public var verify = true
    public var command: [String] = []
    public init() {}
}

/// Builds a `Report` from a case file, read-only. Reads: the summary, the containers and pods,
/// one pass over the activity in scope (`Investigation.activity`), process trees of the
/// containers with notable events, the losses, and the file's hash and seal chain.
public enum ReportBuilder {
    static let shells: Set<String> = ["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "fish", "csh", "tcsh", "busybox"]
    static let writablePlaces = ["/tmp/", "/var/tmp/", "/dev/shm/", "/run/user/", "/proc/self/fd/", "/dev/fd/", "memfd:"]
    static let sensitivePlaces = ["/etc/", "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/lib/", "/lib/", "/lib64/", "/usr/local/bin/",
                                  "/root/.ssh/", "/boot/", "/var/spool/cron/", "/etc/cron", "/usr/libexec/"]

    public static func build(path: String, options: ReportOptions) throws -> Report {
        let investigation = try Investigation(path: path)
        let selection = options.selection
        var clock = PhaseClock()
        let scope = try investigation.scope(selection)
        let summary = try investigation.summary(countingKinds: false)
        let now = nowNanoseconds()

        clock.mark("start")
        // Workloads
        var containerListing = CollectedListing()
        var workloadSelection = selection
        workloadSelection.limit = nil
        try investigation.containers(workloadSelection, into: &containerListing)
        var containers: [Report.Container] = containerListing.keyedRows.map { r in
            let created = r["created"]?.integer, removed = r["removed"]?.integer
            let lifetime = r["lifetime"]?.integer
            let state = r["state"]?.string ?? ""
            return Report.Container(
                id: r["container_id"]?.string ?? "?", name: text(r["name"]), runtime: text(r["runtime"]), image: text(r["image"]),
                imageDigest: text(r["image_digest"]), pod: text(r["pod"]), podUID: text(r["pod_uid"]), namespace: text(r["namespace"]),
                createdNs: created, removedNs: removed, created: created.map(Display.utc), removed: removed.map(Display.utc),
                lifetimeNs: lifetime, existedAtStart: state.contains("running at start"),
                confirmed: state.contains("confirmed") && !state.contains("unconfirmed"),
                shortLived: lifetime.map { $0 < options.shortLivedSeconds * 1_000_000_000 } ?? false,
                enrichment: text(r["enrichment"]) ?? "?", notableEvents: 0)
        }
        var podListing = CollectedListing()
        try investigation.pods(workloadSelection, into: &podListing)
        let pods = podListing.keyedRows.map { r in
            Report.Pod(uid: r["uid"]?.string ?? "?", namespace: text(r["namespace"]), name: text(r["name"]),
                       labels: text(r["labels"]), containers: Int(r["containers"]?.integer ?? 0))
        }
        let byID = Dictionary(containers.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { a, _ in a })

        clock.mark("workloads")
        // One pass over the activity: notable events, network peers, file changes
        var notable = NotableCollector(perCategory: options.notablePerCategory)
        var peers: [PeerKey: Report.NetworkPeer] = [:]
        var files: [FileKey: Report.FileChange] = [:]
        var filesLeftOut: Int64 = 0
        func containerName(_ id: String?) -> String? {
            guard let id else { return nil }
            return byID[id].map { containers[$0].name ?? String(id.prefix(12)) } ?? String(id.prefix(12))
        }
        var runtimeProcesses = Set<Int64>()
        let totals = try investigation.activity(selection) { a in
            guard let kind = a.kind else { return true }
            // A process that ran a container runtime (argv[0] runc, crun, …): what it does next is
            // the runtime setting a container up (its re-executed copy is named "exe").
            if kind == .exec, let key = a.processKey {
                let argv0 = a.argv0.map { String(decoding: $0.split(separator: UInt8(ascii: "/")).last ?? [], as: UTF8.self) } ?? ""
                if runtimeNames.contains(where: { argv0.hasPrefix($0) }) { runtimeProcesses.insert(key) } else { runtimeProcesses.remove(key) }
            }
            let fromRuntime = a.processKey.map(runtimeProcesses.contains) ?? false
            if let category = fromRuntime && kind != .connect ? "runtime-setup" : category(a, kind) {
                notable.add(a, category: category)
                if let id = a.containerID, let index = byID[id] { containers[index].notableEvents += 1 }
            }
            if kind.group == .network, let peer = a.peer {
                let key = PeerKey(container: a.containerID, kind: kind.name, peer: peer)
                let result = resultText(kind, a.ret)
                if var known = peers[key] {
                    known.count += a.count
                    if !known.results.split(separator: ",").map(String.init).contains(result) { known.results += "," + result }
                    peers[key] = known
                } else if peers.count < 50_000 {
                    peers[key] = Report.NetworkPeer(container: containerName(a.containerID), containerID: a.containerID, kind: kind.name, peer: peer,
                                                    results: result, count: a.count, firstNs: a.time, first: Display.utc(a.time))
                }
            }
            if let action = fileAction(a, kind), let path = a.path {
                let key = FileKey(container: a.containerID, action: action, path: path)
                let result = resultText(kind, a.ret)
                if var known = files[key] {
                    known.count += a.count
                    if !known.results.split(separator: ",").map(String.init).contains(result) { known.results += "," + result }
                    files[key] = known
                } else if files.count < 100_000 {
                    files[key] = Report.FileChange(container: containerName(a.containerID), containerID: a.containerID, action: action,
                                                   path: SafeText.escape(path), results: result, count: a.count, firstNs: a.time,
                                                   first: Display.utc(a.time))
                } else {
                    filesLeftOut += a.count
                }
            }
            return true
        }

        clock.mark("activity pass")
        // Lifecycle and losses join the notable events.
        var lifecycle: [Report.NotableEvent] = []
        for c in containers {
            let name = c.name ?? String(c.id.prefix(12))
            if let t = c.createdNs, !c.existedAtStart {
                lifecycle.append(.init(timeNs: t, time: Display.utc(t), category: "lifecycle", kind: "container_created", container: name,
                                       containerID: c.id, pod: c.pod, pid: nil, processKey: nil, comm: nil,
                                       details: "created: image \(c.image ?? "?")\(c.shortLived ? " (short-lived)" : "")"))
            }
            if let t = c.removedNs {
                lifecycle.append(.init(timeNs: t, time: Display.utc(t), category: "lifecycle", kind: "container_removed", container: name,
                                       containerID: c.id, pod: c.pod, pid: nil, processKey: nil, comm: nil,
                                       details: "removed after \(c.lifetimeNs.map(duration) ?? "?")"))
            }
        }
        var gaps: [Report.Gap] = []
        var gapListing = CollectedListing()
        var gapSelection = Selection()
        gapSelection.since = scope.since
        gapSelection.until = scope.until
        gapSelection.kinds = ["events_lost"]
        try investigation.timeline(gapSelection, into: &gapListing)
        for r in gapListing.keyedRows {
            guard let t = r["time"]?.integer else { continue }
            let details = r["details"]?.string ?? ""
            let count = Int64(details.prefix { $0.isNumber }) ?? 0
            let reason = details.split(separator: "(", maxSplits: 1).last?.split(separator: ")").first.map(String.init) ?? "?"
            gaps.append(Report.Gap(atNs: t, at: Display.utc(t), count: count, reason: reason))
            lifecycle.append(.init(timeNs: t, time: Display.utc(t), category: "loss", kind: "events_lost", container: nil, containerID: nil,
                                   pod: nil, pid: nil, processKey: nil, comm: nil, details: SafeText.escape(details)))
        }
        let lines = try investigation.eventLines(notable.kept.map(\.0.eventID))
        var events = notable.kept.map { a, category -> Report.NotableEvent in
            let line = lines[a.eventID]
            return Report.NotableEvent(timeNs: a.time, time: Display.utc(a.time), category: category, kind: a.kind?.name ?? "?",
                                       container: line?.container, containerID: a.containerID, pod: line?.pod, pid: a.pid,
                                       processKey: a.processKey, comm: line?.comm,
                                       details: (line?.details ?? "") + (a.count > 1 ? " (×\(a.count) identical)" : ""))
        }
        events += lifecycle
        events.sort { ($0.timeNs, $0.category) < ($1.timeNs, $1.category) }
        var counts = notable.counts
        counts["lifecycle", default: 0] += Int64(lifecycle.filter { $0.category == "lifecycle" }.count)
        if !gaps.isEmpty { counts["loss", default: 0] += Int64(gaps.count) }

        clock.mark("notable details")
        // Process trees of the containers with the most notable events
        var trees: [Report.ProcessTree] = []
        let treeContainers = containers.filter { $0.notableEvents > 0 }.sorted { $0.notableEvents > $1.notableEvents }.prefix(options.trees)
        let drawn = try investigation.trees(ofContainers: treeContainers.map(\.id), lines: options.treeLines)
        for c in treeContainers {
            guard let tree = drawn[c.id] else { continue }
            let lines: [Report.TreeLine] = tree.rows.map(treeLine)
            trees.append(Report.ProcessTree(container: c.name ?? String(c.id.prefix(12)), containerID: c.id, lines: lines,
                                            leftOut: max(0, tree.total - lines.count)))
        }
        clock.mark("process trees")
        // Sessions, scope, data quality
        let sessions = summary.sessions.map { s in
            Report.Session(id: s.id, host: SafeText.escape(s.host), kernel: SafeText.escape(s.kernel), startedNs: s.startedAt, endedNs: s.endedAt,
                           started: s.startedAt.map(Display.utc), ended: s.endedAt.map(Display.utc), cleanStop: s.cleanShutdown,
                           events: s.events, lost: s.lost, casefileVersion: SafeText.escape(s.version),
                           attached: s.attached.map(SafeText.escape), notAttached: s.attachFailures.map(SafeText.escape),
                           runtimes: s.runtimes.map(SafeText.escape), eventsRecorded: s.settings.map { SafeText.escape($0.eventsRecorded) },
                           scope: s.settings?.scope.map(SafeText.escape), warnings: s.warnings.map(SafeText.escape))
        }
        let kindCounts = totals.perKind.map { (kind: $0.key.name, count: $0.value) }.sorted { ($0.count, $1.kind) > ($1.count, $0.kind) }
        let failures = containers.filter { $0.enrichment.hasPrefix("failed") || $0.enrichment == "not answered" }.map {
            Report.EnrichmentFailure(containerID: $0.id, container: $0.name, error: $0.enrichment)
        }
        var unrecorded: [Report.Period] = []
        let ordered = summary.sessions.sorted { ($0.startedAt ?? 0) < ($1.startedAt ?? 0) }
        for (a, b) in zip(ordered, ordered.dropFirst()) {
            if let end = a.endedAt, let start = b.startedAt, start > end {
                unrecorded.append(.init(fromNs: end, toNs: start, from: Display.utc(end), to: Display.utc(start),
                                        what: "between session \(a.id) and session \(b.id): nothing was recorded"))
            }
        }
        for s in summary.sessions where !s.cleanShutdown {
            unrecorded.append(.init(fromNs: s.endedAt, toNs: nil, from: s.endedAt.map(Display.utc), to: nil,
                                    what: "session \(s.id) did not stop cleanly: events after its last commit are missing"))
        }
        let lost = gaps.reduce(Int64(0)) { $0.addingReportingOverflow($1.count).overflow ? .max : $0 + $1.count }
        var statements: [String] = []
        if lost > 0 { statements.append("\(lost) events were lost (\(gaps.count) gaps); any event may be missing before each gap time.") }
        for s in sessions {
            if !s.cleanStop { statements.append("Session \(s.id) did not stop cleanly (recorder killed or still running).") }
            if let n = s.notAttached { statements.append("Session \(s.id): not attached: \(n) — events of those kinds are missing.") }
            if let r = s.eventsRecorded, r != "all" { statements.append("Session \(s.id) recorded only: \(r).") }
            if let scope = s.scope { statements.append("Session \(s.id) recorded only this scope: \(scope).") }
            if let w = s.warnings { statements.append("Session \(s.id) warned: \(w).") }
        }
        if !failures.isEmpty { statements.append("\(failures.count) containers were not named by their runtime (see enrichment failures).") }
        if filesLeftOut > 0 { statements.append("\(filesLeftOut) file changes on more paths than the report tracks were counted but not listed.") }
        let differences = (try? investigation.schemaDifferences()) ?? ["the schema could not be compared"]
        if !differences.isEmpty { statements.append("The file's schema is not what Casefile makes: it was changed after recording.") }

        clock.mark("summary and data quality")
        // Evidence
        let (bytes, sha) = try hash(path)
        let walSHA = FileManager.default.fileExists(atPath: path + "-wal") ? try hash(path + "-wal").sha : nil
        var verification = "not checked (--no-verify)"
        var problems: [String] = [], verifyNotes: [String] = []
        var head: String?
        if options.verify {
            let v = try CaseFileVerifier.verify(path: path)
            verification = "\(v.outcome)"
            problems = v.problems.map(SafeText.escape)
            verifyNotes = v.notes.map(SafeText.escape)
            head = v.head
            if v.outcome == .tampered { statements.insert("verify: the file was changed after it was sealed — treat everything below with care.", at: 0) }
        }
        clock.mark("hash and verify")
        let first = totals.first ?? summary.firstEvent, last = totals.last ?? summary.lastEvent
        var headlines: [String] = []
        for (category, count) in counts.sorted(by: { $0.key < $1.key }) where count > 0 { headlines.append("\(count) \(category)") }

        return Report(
            generated: .init(atNs: now, at: Display.utc(now), by: "casefile \(CasefileVersion.current)", command: options.command.map(SafeText.escape)),
            caseFile: .init(path: SafeText.escape(path), bytes: bytes, sha256: sha, walSha256: walSHA, schemaVersion: summary.schemaVersion,
                            sealHead: head, verification: verification, verificationProblems: problems, verificationNotes: verifyNotes,
                            readNotes: investigation.notes.map(SafeText.escape)),
            scope: .init(containers: selection.containers.map(SafeText.escape), pods: selection.pods.map(SafeText.escape),
                         namespaces: selection.namespaces.map(SafeText.escape), sinceNs: selection.since, untilNs: selection.until,
                         since: selection.since.map(Display.utc), until: selection.until.map(Display.utc)),
            summary: .init(firstActivityNs: first, lastActivityNs: last, firstActivity: first.map(Display.utc), lastActivity: last.map(Display.utc),
                           hosts: Array(Set(sessions.map(\.host))).sorted(), events: kindCounts.reduce(0) { $0 &+ $1.count },
                           countsByKind: kindCounts.map { .init(kind: $0.kind, count: $0.count) }, containers: containers.count,
                           shortLivedContainers: containers.filter(\.shortLived).count, pods: pods.count, lostEvents: lost, headlines: headlines),
            sessions: sessions, containers: containers, pods: pods,
            notable: .init(events: events, cap: options.notablePerCategory,
                           countsByCategory: counts.sorted { $0.key < $1.key }.map { .init(category: $0.key, count: $0.value) },
                           leftOut: notable.leftOut.sorted { $0.key < $1.key }.map { .init(category: $0.key, count: $0.value) }),
            processTrees: trees,
            networkPeers: Array(peers.values.sorted { ($0.count, $1.firstNs) > ($1.count, $0.firstNs) }.prefix(options.peers)),
            files: Array(files.values.map { (sensitive($0.path) ? 1 : 0, $0) }.sorted { ($0.0, $0.1.count, $1.1.firstNs) > ($1.0, $1.1.count, $0.1.firstNs) || (($0.0, $0.1.count, $0.1.firstNs) == ($1.0, $1.1.count, $1.1.firstNs) && ($0.1.path, $0.1.action) < ($1.1.path, $1.1.action)) }
                .prefix(options.files).map(\.1)),
            dataQuality: .init(gaps: gaps, lostEvents: lost, enrichmentFailures: failures, unrecorded: unrecorded,
                               schemaDifferences: differences.map(SafeText.escape), statements: statements))
    }

    static func treeLine(_ r: [String: SQLValue]) -> Report.TreeLine {
        let depth = Int(r["depth"]?.integer ?? 0)
        let command: String = r["command"]?.bytes.map(SafeText.escape) ?? r["comm"]?.bytes.map(SafeText.escape) ?? "?"
        return Report.TreeLine(depth: depth, pid: r["pid"]?.integer, processKey: r["process_key"]?.integer, command: command,
                               startedNs: r["started"]?.integer, exitedNs: r["exited"]?.integer, exit: r["exit"]?.string)
    }

    // MARK: Classification

    /// The notable category of one activity, or nil.
    static func category(_ a: Investigation.Activity, _ kind: EventKind) -> String? {
        switch kind.group {
        case .process:
            let file = a.filename ?? []
            if writablePlaceBytes.contains(where: { file.starts(with: $0) }) { return "exec-from-writable-place" }
            guard a.containerID != nil else { return nil }
            let base = { (b: [UInt8]) in String(decoding: b.split(separator: UInt8(ascii: "/")).last ?? [], as: UTF8.self) }
            if shells.contains(base(file)) || shells.contains(base(a.argv0 ?? [])) { return "shell" }
            return "process-start"
        case .privilege:
            if kind == .kill { return nil }
            // A container runtime sets up every container with these calls; by the caller's name
            // (which a process chooses itself) they are listed apart, never dropped.
            if let comm = a.comm, runtimeNames.contains(where: { comm.starts(with: Array($0.utf8)) }) { return "runtime-setup" }
            return [.setuid, .setgid, .setreuid, .setregid, .setresuid, .setresgid, .setfsuid, .setfsgid, .capset].contains(kind) ? "privilege" : "escape"
        case .network:
            return kind == .connect && a.aux != 1 ? "outbound-connection" : nil
        case .file:
            if a.ret == -1 || a.ret == -13 { return "denied" }
            if let path = a.path, fileAction(a, kind) != nil, sensitivePlaceBytes.contains(where: { path.starts(with: $0) }) { return "sensitive-file" }
            return nil
        case .cgroup:
            return nil
        }
    }

    /// What a file call did to its path, or nil for a read-only open.
    static func fileAction(_ a: Investigation.Activity, _ kind: EventKind) -> String? {
        switch kind {
        case .open:
            let flags = a.aux ?? 0
            return flags & 3 != 0 || flags & 64 != 0 || flags & 512 != 0 ? "written" : nil
        case .unlink, .rmdir: return "removed"
        case .rename: return "renamed"
        case .chmod, .fchmod: return "chmod"
        case .chown, .fchown: return "chown"
        case .truncate, .ftruncate: return "truncated"
        case .link, .symlink: return "linked"
        case .mkdir: return "created directory"
        default: return nil
        }
    }

    static let sensitivePlaceBytes = sensitivePlaces.map { Array($0.utf8) }
    static let writablePlaceBytes = writablePlaces.map { Array($0.utf8) }
    static let runtimeNames = ["runc", "crun", "conmon", "containerd-shim", "dockerd", "containerd"]

    static func sensitive(_ path: String) -> Bool { sensitivePlaces.contains { path.hasPrefix($0) } }

    static func resultText(_ kind: EventKind, _ ret: Int64?) -> String {
        guard let ret else { return "no return" }
        return ret >= 0 ? "ok" : "errno \(-ret)"
    }

    static func text(_ value: SQLValue?) -> String? { value?.bytes.map(SafeText.escape) }

    static func duration(_ ns: Int64) -> String {
        ns < 1_000_000_000 ? "\(ns / 1_000_000) ms" : ns < 120_000_000_000 ? String(format: "%.1f s", Double(ns) / 1e9)
            : String(format: "%.1f min", Double(ns) / 6e10)
    }

    /// Size and SHA-256 (hex) of a file, read in 1 MiB chunks.
    static func hash(_ path: String) throws -> (bytes: Int64, sha: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError.notReadable(path: path)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var total: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            total += Int64(chunk.count)
        }
        return (total, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    static func nowNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// Where a report's time goes, on stderr when CASEFILE_REPORT_TIMING is set (for tuning).
struct PhaseClock {
    private var last = ContinuousClock.now
    private let on = ProcessInfo.processInfo.environment["CASEFILE_REPORT_TIMING"] != nil
    mutating func mark(_ phase: String) {
        let now = ContinuousClock.now
        if on { FileHandle.standardError.write(Data("report: \(phase) \(now - last)\n".utf8)) }
        last = now
    }
}

private struct PeerKey: Hashable {
    var container: String?
    var kind: String
    var peer: String
}

private struct FileKey: Hashable {
    var container: String?
    var action: String
    var path: [UInt8]
}

/// Keeps the earliest `perCategory` notable activities of each category (they arrive in table
/// order, which is only nearly time order), counts all.
struct NotableCollector {
    let perCategory: Int
    private var earliest: [String: [Investigation.Activity]] = [:]
    var counts: [String: Int64] = [:]

    init(perCategory: Int) { self.perCategory = perCategory }

    mutating func add(_ a: Investigation.Activity, category: String) {
        counts[category, default: 0] += a.count
        let before = { (x: Investigation.Activity, y: Investigation.Activity) in (x.time, x.eventID) < (y.time, y.eventID) }
        // Nearly time order: most later ones are rejected here, without touching the list.
        if let list = earliest[category], list.count >= perCategory, let last = list.last, !before(a, last) { return }
        earliest[category, default: []].insert(a, at: earliest[category]?.firstIndex { before(a, $0) } ?? earliest[category]?.count ?? 0)
        if let count = earliest[category]?.count, count > perCategory { earliest[category]?.removeLast() }
    }

    var kept: [(Investigation.Activity, String)] {
        earliest.flatMap { category, list in list.map { ($0, category) } }
    }

    /// What was counted but not kept, per category.
    var leftOut: [String: Int64] {
        var result: [String: Int64] = [:]
        for (category, count) in counts {
            let kept = earliest[category].map { $0.reduce(Int64(0)) { $0 + $1.count } } ?? 0
            if count > kept { result[category] = count - kept }
        }
        return result
    }
}
