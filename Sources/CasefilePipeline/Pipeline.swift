import CasefileModel

/// The stage between decoding and storage. Gives each event its UTC time and its process
/// instance, and learns cgroups and containers: from mkdir events, from the start-up walk, and,
/// for a cgroup id seen in an event but never created during the recording, from one O(1)
/// lookup (`CgroupFS.path(ofID:)`) whose answer — found or not — is cached. Never a walk of
/// cgroupfs per event.
///
/// Owned by the writer thread; it never waits for anything but that single lookup.
public struct Pipeline: Sendable {
    /// Boot clock to UTC: the offset measured last (see `setClockOffset`).
    public private(set) var clock: BootClock
    /// Hierarchy whose cgroup ids events carry (0 = v2).
    public let trackedHierarchy: UInt32
    private let cgroupFS: CgroupFS?
    private var processes = ProcessTracker()
    /// Known cgroups of the tracked hierarchy: id → path.
    private var cgroupPaths: [UInt64: String] = [:]
    /// Tracked cgroups removed, in order, forgotten `removedGrace` after their rmdir (late events
    /// of a removed cgroup still find its path meanwhile; the design reference keeps removed
    /// containers 30 s). Memory then follows the live cgroups, not every cgroup ever seen.
    private var removed: [(at: Int64, id: UInt64)] = []
    private var removedHead = 0
    public static let removedGrace: Int64 = 30_000_000_000
    /// Ids whose lookup failed (removed before we asked); bounded.
    private var unresolvable: Set<UInt64> = []
    private static let unresolvableLimit = 100_000

    /// Lookups made for ids not learned from mkdir or the walk (for tests and status).
    public private(set) var lookups = 0
    /// Second reports of one process's exit, dropped (one fact, told twice; see `ProcessTracker`).
    public private(set) var duplicateExits: UInt64 = 0

    /// When the session started (UTC ns): when containers found by the start-up walk were first seen.
    public let sessionStartedAt: Int64

    /// Which cgroups the recording keeps (`RecordingScope`). Each tracked cgroup is judged when it
    /// is learned; one out of scope goes to `newlyOutOfScope` (for the kernel's skip list) and its
    /// events that still arrive are dropped here and counted in `scopeSkipped`. A container whose
    /// names decide it waits for the runtime's answer (`learnNames`), recorded meanwhile.
    public let scope: RecordingScope
    private var outOfScope: Set<UInt64> = []
    private var awaitingNames: [String: [UInt64]] = [:]
    private var knownNames: [String: ContainerNames] = [:]
    private var newlyOut: [UInt64] = []
    private var noLongerOut: [UInt64] = []
    /// Events dropped in user space because their cgroup was judged out of scope (the kernel
    /// counts those it never wrote).
    public private(set) var scopeSkipped: UInt64 = 0

    /// Exact folding (0: off): a syscall event identical to its thread's previous event in the
    /// same batch, within this many nanoseconds of the first of them, is counted into that one
    /// (`ResolvedEvent.foldCount`, `lastTime`) instead of becoming a row of its own. Identical:
    /// same process, thread, comm, cgroup, kind, arguments, strings and result. Consecutive per
    /// thread only, so the order of what a thread did is kept.
    public let foldWindow: Int64
    /// Events counted into an earlier identical one (they are in its `foldCount`).
    public private(set) var folded: UInt64 = 0

    public init(clock: BootClock, trackedHierarchy: UInt32 = 0, cgroupFS: CgroupFS? = nil, sessionStartedAt: Int64 = nowNanoseconds(),
                scope: RecordingScope = RecordingScope(), foldWindow: Int64 = 0) {
        self.foldWindow = max(0, foldWindow)
        self.clock = clock
        self.trackedHierarchy = trackedHierarchy
        self.cgroupFS = cgroupFS
        self.sessionStartedAt = sessionStartedAt
        self.scope = scope
    }

    // MARK: Scope

    /// Cgroups judged out of scope since the last call (to put in the kernel's skip list), and
    /// those forgotten after their removal (to take out of it).
    public mutating func takeScopeChanges() -> (out: [UInt64], forgotten: [UInt64]) {
        defer { newlyOut.removeAll(); noLongerOut.removeAll() }
        return (newlyOut, noLongerOut)
    }

    /// Judges a tracked-hierarchy cgroup as it is learned.
    private mutating func judge(_ id: UInt64, path: String) {
        guard !scope.isWholeHost else { return }
        let container = Self.container(inPath: path)
        switch scope.verdict(containerID: container?.id, podUID: container?.podUID, names: container.flatMap { knownNames[$0.id] }) {
        case .inScope: break
        case .outOfScope:
            if outOfScope.insert(id).inserted { newlyOut.append(id) }
        case .undecided:
            // bounded: past the limit the waiting ones stay recorded (a scope never loses what is in it)
            if awaitingNames.count >= 100_000 { awaitingNames.removeAll(keepingCapacity: true) }
            if let container { awaitingNames[container.id, default: []].append(id) }
        }
    }

    /// A runtime's names for a container: its cgroups waiting for them are judged now.
    public mutating func learnNames(_ metadata: ContainerMetadata) {
        guard !scope.isWholeHost else { return }
        let names = ContainerNames(name: metadata.name, kubeContainerName: metadata.kubernetesContainerName,
                                   podName: metadata.pod?.name, podNamespace: metadata.pod?.namespace, podUID: metadata.pod?.uid)
        if knownNames.count >= 100_000 { knownNames.removeAll(keepingCapacity: true) }
        knownNames[metadata.id] = names
        guard let waiting = awaitingNames.removeValue(forKey: metadata.id) else { return }
        for id in waiting where cgroupPaths[id] != nil {
            judge(id, path: cgroupPaths[id] ?? "")
        }
    }

    /// Whether an event is not stored because of the scope (counted).
    private mutating func outOfScope(_ event: Event) -> Bool {
        guard !outOfScope.isEmpty else { return false }
        if case .cgroup = event.body { return false } // judged by the cgroup made or removed, after resolving
        guard outOfScope.contains(event.cgroupID) else { return false }
        scopeSkipped += 1
        return true
    }

    /// Whether a resolved cgroup event is of a cgroup out of scope (its row is not stored; the
    /// cgroup's own record is).
    private mutating func cgroupEventOutOfScope(_ c: CgroupChange) -> Bool {
        guard !scope.isWholeHost else { return false }
        if c.hierarchyID == trackedHierarchy {
            guard outOfScope.contains(c.id) else { return false }
        } else {
            let container = Self.container(inPath: Self.text(c.path))
            let verdict = scope.verdict(containerID: container?.id, podUID: container?.podUID,
                                        names: container.flatMap { knownNames[$0.id] })
            guard verdict == .outOfScope else { return false }
        }
        scopeSkipped += 1
        return true
    }

    /// A new measurement of the boot-clock offset: events resolved from now on use it.
    public mutating func setClockOffset(_ offset: Int64) {
        clock.offsetNanoseconds = offset
    }

    // MARK: Start-up snapshot

    /// Walks the tracked hierarchy and `/proc` once: every existing cgroup and process goes into
    /// the batch, marked as existing before the session.
    public mutating func snapshot(procRoot: String = "/proc") -> StoreBatch {
        var batch = StoreBatch()
        if let fs = cgroupFS {
            for c in fs.walk() {
                let text = Self.text(c.path)
                cgroupPaths[c.id] = text
                judge(c.id, path: text)
                batch.cgroups.append(cgroupRecord(hierarchyID: trackedHierarchy, id: c.id, path: c.path,
                                                  pathText: text, level: c.level, createdAt: c.ctime, existedAtStart: true,
                                                  seenAt: sessionStartedAt))
            }
        }
        var byPath: [String: UInt64] = [:]
        for (id, path) in cgroupPaths { byPath[path] = id }
        var records = ProcSnapshot.read(procRoot: procRoot, trackedHierarchy: trackedHierarchy,
                                        trackedIsV2: trackedHierarchy == 0, cgroupIDForPath: { byPath[$0] })
        for record in records { processes.current[record.key.pid] = record.key }
        for i in records.indices { records[i].parent = processes.current[records[i].ppid] }
        batch.processes = records
        return batch
    }

    // MARK: Events

    /// How many cgroup paths are in memory (for tests and the memory benchmark).
    public var cgroupsInMemory: Int { cgroupPaths.count }

    /// Forgets cgroups removed more than `removedGrace` before `now` (event time).
    private mutating func forgetRemoved(before now: Int64) {
        while removedHead < removed.count, removed[removedHead].at + Self.removedGrace < now {
            let id = removed[removedHead].id
            cgroupPaths[id] = nil
            if outOfScope.remove(id) != nil { noLongerOut.append(id) }
            removedHead += 1
        }
        if removedHead > 4096 && removedHead * 2 > removed.count {
            removed.removeFirst(removedHead)
            removedHead = 0
        }
    }

    public mutating func resolve(_ events: some Collection<Event>) -> StoreBatch {
        var batch = StoreBatch()
        // each thread's last row in this batch (folding never reaches into a committed batch)
        var lastOfThread: [UInt32: Int] = [:]
        batch.events.reserveCapacity(events.count)
        for event in events {
            if case .exit(let x) = event.body, !processes.firstExit(of: x.process) {
                duplicateExits += 1
                continue // a second thread of the same process saw the group die: one exit is enough
            }
            if let learned = learnCgroup(event.cgroupID, at: clock.utc(event.bootNanoseconds)) { batch.cgroups.append(learned) }
            let skipped = outOfScope(event)
            if skipped && event.kind.isSyscall { continue }
            // Process events are followed whatever the scope (which process holds a pid must stay
            // right for the events that are in scope); out of scope, they are not stored.
            var resolved = resolve(event, into: &batch)
            if skipped { continue }
            if case .cgroup(let c) = resolved.event.body, cgroupEventOutOfScope(c) {
                // no row, but what it changes (a cgroup or container removed) is written
                resolved.storeRow = false
                batch.events.append(resolved)
                continue
            }
            if foldWindow > 0, let i = lastOfThread[event.tid] {
                let first = batch.events[i]
                if resolved.time >= first.time, resolved.time - first.time <= foldWindow, Self.identical(first, resolved) {
                    batch.events[i].foldCount += 1
                    batch.events[i].lastTime = resolved.time
                    folded += 1
                    continue
                }
            }
            batch.events.append(resolved)
            if foldWindow > 0 { lastOfThread[event.tid] = event.kind.isSyscall ? batch.events.count - 1 : nil }
        }
        if let last = batch.events.last {
            forgetRemoved(before: last.time)
        }
        return batch
    }

    private mutating func resolve(_ event: Event, into batch: inout StoreBatch) -> ResolvedEvent {
        let time = clock.utc(event.bootNanoseconds)
        switch event.body {
        case .exec(let x):
            let parent = processes.current[x.ppid]
            processes.current[x.process.pid] = x.process
            if x.oldPID != x.process.pid { processes.current[x.oldPID] = nil }
            return ResolvedEvent(event: event, time: time, process: x.process, parent: parent)
        case .fork(let f):
            processes.current[f.child.pid] = f.child
            if processes.current[f.parent.pid] == nil { processes.current[f.parent.pid] = f.parent }
            return ResolvedEvent(event: event, time: time, process: f.parent)
        case .exit(let x):
            if processes.current[x.process.pid] == x.process { processes.current[x.process.pid] = nil }
            return ResolvedEvent(event: event, time: time, process: x.process)
        case .open, .path, .net, .call:
            return ResolvedEvent(event: event, time: time, process: processes.current[event.pid])
        case .cgroup(var c):
            if c.pathTruncated, c.hierarchyID == trackedHierarchy, let full = cgroupFS?.path(ofID: c.id) {
                // The kernel's buffer was full; the cgroup still exists: its whole path, by id.
                c.path = full
                c.pathTruncated = false
            }
            let path = Self.text(c.path)
            let container = Self.container(inPath: path)
            var removes: String?
            switch c.change {
            case .mkdir:
                if c.hierarchyID == trackedHierarchy {
                    cgroupPaths[c.id] = path
                    unresolvable.remove(c.id)
                    judge(c.id, path: path)
                }
                var record = cgroupRecord(hierarchyID: c.hierarchyID, id: c.id, path: c.path, pathText: path,
                                          level: c.level, createdAt: time, existedAtStart: false, seenAt: time)
                record.pathTruncated = c.pathTruncated
                batch.cgroups.append(record)
            case .rmdir:
                if c.hierarchyID == trackedHierarchy { removed.append((time, c.id)) }
                // The container's own cgroup in the tracked hierarchy going away = container removed.
                if let container, container.isRoot, c.hierarchyID == trackedHierarchy { removes = container.id }
            }
            var resolved = event
            resolved.body = .cgroup(c)
            return ResolvedEvent(event: resolved, time: time, process: processes.current[event.pid], container: container,
                                 removesContainer: removes)
        }
    }

    /// Two syscall events that differ only in their times.
    static func identical(_ a: ResolvedEvent, _ b: ResolvedEvent) -> Bool {
        guard a.event.tid == b.event.tid, a.event.pid == b.event.pid, a.event.cgroupID == b.event.cgroupID,
              a.process == b.process, a.event.comm == b.event.comm else { return false }
        switch (a.event.body, b.event.body) {
        case (.open(var x), .open(let y)):
            x.exitBootNanoseconds = y.exitBootNanoseconds
            return x == y
        case (.path(let x), .path(let y)): return x == y
        case (.net(let x), .net(let y)): return x == y
        case (.call(let x), .call(let y)): return x == y
        default: return false
        }
    }

    /// A record for a tracked-hierarchy cgroup id never seen before (in an event at `time`), looked up once.
    private mutating func learnCgroup(_ id: UInt64, at time: Int64) -> CgroupRecord? {
        guard id != 0, cgroupPaths[id] == nil, !unresolvable.contains(id) else { return nil }
        lookups += 1
        guard let path = cgroupFS?.path(ofID: id) else {
            if unresolvable.count >= Self.unresolvableLimit { unresolvable.removeAll() }
            unresolvable.insert(id)
            return CgroupRecord(hierarchyID: trackedHierarchy, id: id, path: nil)
        }
        let text = Self.text(path)
        cgroupPaths[id] = text
        judge(id, path: text)
        return cgroupRecord(hierarchyID: trackedHierarchy, id: id, path: path, pathText: text, level: nil,
                            createdAt: nil, existedAtStart: false, seenAt: time)
    }

    /// A cgroup record with the lifecycle decisions about its container: only the container's own
    /// cgroup in the tracked hierarchy says when the container was created (its mkdir, or its
    /// directory's ctime when it existed before the session) and that it existed before the
    /// session; any of its cgroups says it was seen.
    private func cgroupRecord(hierarchyID: UInt32, id: UInt64, path: ByteString, pathText: String, level: UInt32?,
                              createdAt: Int64?, existedAtStart: Bool, seenAt: Int64) -> CgroupRecord {
        var record = CgroupRecord(hierarchyID: hierarchyID, id: id, path: path, level: level, createdAt: createdAt,
                                  existedAtStart: existedAtStart)
        if var container = Self.container(inPath: pathText) {
            let says = container.isRoot && hierarchyID == trackedHierarchy
            if hierarchyID != trackedHierarchy { container.cgroupPath = nil }
            record.container = container
            record.containerSeenAt = seenAt
            record.containerCreatedAt = says ? createdAt : nil
            record.containerExistedAtStart = says && existedAtStart
        }
        return record
    }

    /// A cgroup path as text for matching (container ids, `/proc/PID/cgroup` lines): invalid
    /// UTF-8 becomes U+FFFD, the same way on every side. The exact bytes are what is stored.
    static func text(_ path: ByteString) -> String {
        path.utf8String ?? String(decoding: path.bytes, as: UTF8.self)
    }

    /// The container a cgroup path belongs to, if any (see `ContainerPath.parse`).
    public static func container(inPath path: String) -> ContainerRef? {
        guard let match = ContainerPath.parse(path) else { return nil }
        return ContainerRef(id: match.id, runtime: match.runtime, podUID: match.podUID, isRoot: match.isRoot,
                            cgroupPath: match.rootPath)
    }

    // MARK: Confirmation

    /// Confirms a runtime's answer: when it names the container's pid, and that process's cgroup
    /// (from `/proc/PID/cgroup`, tracked hierarchy) is this container's in a runtime layout, the
    /// container's own cgroup path is set from it. A pid elsewhere (exited and reused, or a
    /// runtime that lies) leaves the answer unconfirmed.
    public func confirm(_ metadata: inout ContainerMetadata, procRoot: String = "/proc") {
        metadata.confirmedCgroupPath = nil
        guard let pid = metadata.pid, pid > 0,
              let bytes = ProcSnapshot.read("\(procRoot)/\(pid)/cgroup"),
              let path = ProcSnapshot.cgroupPath(String(decoding: bytes, as: UTF8.self), hierarchy: trackedHierarchy,
                                                 v2: trackedHierarchy == 0),
              let match = ContainerPath.parse(path), match.id == metadata.id else { return }
        metadata.confirmedCgroupPath = match.rootPath
    }
}

/// Which process instance currently holds each PID, and which instances exited lately.
struct ProcessTracker: Sendable {
    var current: [UInt32: ProcessKey] = [:]
    private var exited: Set<ProcessKey> = []
    private var exitOrder: [ProcessKey] = []
    private static let exitMemory = 8192

    /// True the first time an exit of `key` is seen. Threads of a process that exit at the same
    /// moment on several CPUs can each see the thread group already dead (the kernel decrements
    /// `signal->live` well before the tracepoint), so the probe may report one exit twice.
    mutating func firstExit(of key: ProcessKey) -> Bool {
        guard exited.insert(key).inserted else { return false }
        exitOrder.append(key)
        if exitOrder.count > Self.exitMemory { exited.remove(exitOrder.removeFirst()) }
        return true
    }
}
