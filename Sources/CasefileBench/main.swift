// casefile-bench: the figures in BENCHMARKS.md. Run as root: `make bench`.
//
//   1. store:  synthetic events through the pipeline and SessionWriter into a fresh case file
//              (events/s, bytes/event) — no kernel involved.
//   2. exec storm: N fork+exec+exit of /bin/true, without and with `casefile record` running as
//              a separate process; slowdown ratio, events expected vs stored, losses.
//   3. open storm: N open()+close() of a file, without and with `casefile record`, once with
//              exact folding (the default) and once without: expected vs stored rows, folded, lost,
//              bytes per stored row.
//   1b. file store: synthetic open events (distinct paths, no folding) through the pipeline and
//              writer: the user-space ingest rate and bytes per file event.
import CasefileModel
import CasefilePipeline
import CasefileStore
import Foundation
import GRDB


let args = CommandLine.arguments
func intArg(_ name: String, _ fallback: Int) -> Int {
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}
let storeEvents = intArg("--store-events", 1_000_000)
let execs = intArg("--execs", 2_000)
let opens = intArg("--opens", 1_000_000)
let burst = intArg("--containers", 50)
let work = FileManager.default.temporaryDirectory.appendingPathComponent("casefile-bench-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
}

// MARK: 1. store throughput, sealed and unsealed (what sealing costs)
/// One run of the store benchmark into a fresh file: events/s and bytes per event.
func storeRun(sealing: Bool, _ name: String) throws -> (rate: Double, bytesPerEvent: Double, seconds: Double) {
    let path = work.appendingPathComponent("store-\(name).db").path
    let clock = BootClock(offsetNanoseconds: 1_700_000_000_000_000_000, bootID: "bench")
    let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: SessionInfo(
        host: "bench", kernel: "bench", machineID: nil, clock: clock, cgroupLayout: "v2", cgroupHierarchy: 0,
        cgroupMount: nil, startedAt: 0, casefileVersion: CasefileVersion.current, abiVersion: 1, commandLine: "bench",
        attached: [], attachFailures: [], ringBufferBytes: 0), sealing: sealing)
    var pipeline = Pipeline(clock: clock)
    // A realistic mix for process events: fork → exec → exit per process, each with its comm.
    var events: [Event] = []
    events.reserveCapacity(storeEvents)
    var pid: UInt32 = 1000
    while events.count < storeEvents {
        pid &+= 1
        let t = UInt64(events.count) * 10_000_000
        let key = ProcessKey(pid: pid, startBootNanoseconds: t)
        let parent = ProcessKey(pid: 999, startBootNanoseconds: 1)
        events.append(Event(bootNanoseconds: t, pid: 999, tid: 999, cgroupID: 1, comm: ByteString("bash"),
                            body: .fork(Fork(parent: parent, child: key, childTID: pid, uid: 0, gid: 0, comm: ByteString("bash")))))
        events.append(Event(bootNanoseconds: t + 1, pid: pid, tid: pid, cgroupID: 1, comm: ByteString("true"), body: .exec(Exec(
            process: key, ppid: 999, uid: 0, gid: 0, namespacePID: pid, mountNamespace: 1, pidNamespace: 2, oldPID: pid,
            comm: ByteString("true"), filename: ByteString("/bin/true"), argv: ByteString("/bin/true\0--flag\0"),
            argvTruncated: false, filenameTruncated: false))))
        events.append(Event(bootNanoseconds: t + 2, pid: pid, tid: pid, cgroupID: 1, comm: ByteString("true"),
                            body: .exit(Exit(process: key, ppid: 999, status: 0, comm: ByteString("true")))))
    }
    let batch = 65_536
    let elapsed = try seconds {
        var i = 0
        while i < events.count {
            let end = min(events.count, i + batch)
            try writer.write(pipeline.resolve(Array(events[i..<end])))
            i = end
        }
        try writer.finish(clean: true)
    }
    let size = fileSize(path)
    try? FileManager.default.removeItem(atPath: path)
    return (Double(events.count) / elapsed, Double(size) / Double(events.count), elapsed)
}
do {
    // Alternating, twice each, so drift on a shared machine hits both alike.
    var sealed: [Double] = [], unsealed: [Double] = []
    var bytes = (sealed: 0.0, unsealed: 0.0)
    for round in 0..<2 {
        let u = try storeRun(sealing: false, "u\(round)")
        let s = try storeRun(sealing: true, "s\(round)")
        unsealed.append(u.rate)
        sealed.append(s.rate)
        bytes = (s.bytesPerEvent, u.bytesPerEvent)
    }
    let best = (sealed: sealed.max() ?? 0, unsealed: unsealed.max() ?? 0)
    print(String(format: "store: %d process events (fork+exec+exit): sealed %.0f events/s, %.1f bytes/event; unsealed %.0f events/s, %.1f bytes/event; sealing costs %.1f%% of the rate (best of 2 each, alternating)",
                 storeEvents, best.sealed, bytes.sealed, best.unsealed, bytes.unsealed, 100 * (1 - best.sealed / max(1, best.unsealed))))
}

// MARK: 1b. file-event store: the user-space ingest rate and bytes per file event
do {
    let path = work.appendingPathComponent("store-files.db").path
    let clock = BootClock(offsetNanoseconds: 1_700_000_000_000_000_000, bootID: "bench")
    let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: SessionInfo(
        host: "bench", kernel: "bench", machineID: nil, clock: clock, cgroupLayout: "v2", cgroupHierarchy: 0,
        cgroupMount: nil, startedAt: 0, casefileVersion: CasefileVersion.current, abiVersion: 1, commandLine: "bench",
        attached: [], attachFailures: [], ringBufferBytes: 0))
    var pipeline = Pipeline(clock: clock)  // no folding: every event is a row
    // 2,000 distinct paths, 8 threads of one process, results alternating fd / ENOENT: a build or a scan
    let paths = (0..<2000).map { ByteString("/usr/lib/x86_64-linux-gnu/lib\($0)/module-\($0 * 7).so") }
    let count = storeEvents
    var events: [Event] = []
    events.reserveCapacity(count)
    for i in 0..<count {
        let t = UInt64(i) * 2_000
        let tid = UInt32(5000 + i % 8)
        events.append(Event(bootNanoseconds: t, pid: 5000, tid: tid, cgroupID: 1, comm: ByteString("make"),
                            body: .open(FileOpen(syscall: .openat, result: i % 3 == 0 ? -2 : Int64(3 + i % 5), dirFD: -100,
                                                 flags: 0x80000, mode: 0, path: paths[(i * 31) % paths.count], exitBootNanoseconds: t + 900))))
    }
    let batch = 65_536
    let elapsed = try seconds {
        var i = 0
        while i < events.count {
            let end = min(events.count, i + batch)
            try writer.write(pipeline.resolve(events[i..<end]))
            i = end
        }
        try writer.finish(clean: true)
    }
    print(String(format: "file store: %d open events (2000 paths, 8 threads, sealed, no folding): %.0f events/s, %.1f bytes/event",
                 count, Double(count) / elapsed, Double(fileSize(path)) / Double(count)))
    try? FileManager.default.removeItem(atPath: path)
}

// MARK: 2./3. storms with and without the recorder
guard geteuid() == 0 else {
    print("storms: skipped, not root (run `sudo make bench`)")
    exit(0)
}
let casefile = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("casefile").path
guard FileManager.default.isExecutableFile(atPath: casefile) else {
    print("storms: \(casefile) not found; build it first (`swift build -c release`)")
    exit(1)
}

/// Starts `casefile record` and waits until its session row exists.
func startRecorder(_ db: String, _ extra: [String] = []) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: casefile)
    p.arguments = ["record", "--db", db, "--quiet"] + extra
    p.standardError = FileHandle.nullDevice
    try p.run()
    for _ in 0..<200 {
        usleep(25_000)
        if let q = try? DatabaseQueue(path: db), (try? q.read({ try Int.fetchOne($0, sql: "SELECT count(*) FROM sessions") })) == 1 { break }
    }
    usleep(200_000)
    return p
}

func stopRecorder(_ p: Process) {
    p.interrupt()
    p.waitUntilExit()
}

func execStorm(_ n: Int, marker: String) {
    var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), strdup(marker), nil]
    defer { argv.forEach { free($0) } }
    for _ in 0..<n {
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/true", nil, nil, &argv, environ) == 0 else { fatalError("posix_spawn failed") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}

func openStorm(_ n: Int, path: String) {
    for _ in 0..<n {
        let fd = open(path, O_RDONLY)
        if fd >= 0 { close(fd) }
    }
}

do {
    let db = work.appendingPathComponent("storm.db").path
    let marker = "casefile-bench-\(UUID().uuidString.prefix(8))"
    let target = work.appendingPathComponent("target").path
    _ = FileManager.default.createFile(atPath: target, contents: Data("x".utf8))
    execStorm(50, marker: marker + "-warmup")
    let baseExec = seconds { execStorm(execs, marker: marker) }
    let baseOpen = seconds { openStorm(opens, path: target) }
    let recorder = try startRecorder(db)
    let recExec = seconds { execStorm(execs, marker: marker) }
    let recOpen = seconds { openStorm(opens, path: target) }
    stopRecorder(recorder)
    // Again without folding: every open a row of its own.
    let unfoldedDB = work.appendingPathComponent("storm-unfolded.db").path
    let recorder2 = try startRecorder(unfoldedDB, ["--fold-window-ms", "0"])
    let recOpenUnfolded = seconds { openStorm(opens, path: target) }
    stopRecorder(recorder2)
    let baseOpenAfter = seconds { openStorm(opens, path: target) }

    /// Opens of the target by this process: rows, and events (rows plus what they folded).
    func opensStored(_ path: String) throws -> (rows: Int, events: Int, lost: Int, total: Int) {
        try DatabaseQueue(path: path).read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), coalesce(sum(coalesce(f.count, 1)), 0) FROM events e JOIN paths p ON p.id = e.object_id
                LEFT JOIN event_folds f ON f.event_id = e.id WHERE e.kind = 6 AND e.pid = ? AND p.path = ? AND e.ret >= 0
                """, arguments: [getpid(), target])
            let lost = try Int.fetchOne(db, sql: "SELECT coalesce(sum(count), 0) FROM gaps") ?? 0
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0
            return ((row?[0] as Int?) ?? 0, (row?[1] as Int?) ?? 0, lost, total)
        }
    }
    let q = try DatabaseQueue(path: db)
    let (storedExecs, storedExits, storedForks) = try q.read { db -> (Int, Int, Int) in
        let execs = try Int.fetchOne(db, sql: "SELECT count(*) FROM events e JOIN execs x ON x.event_id = e.id WHERE x.argv = ?",
                                     arguments: [Data("/bin/true\0\(marker)\0".utf8)]) ?? 0
        let exits = try Int.fetchOne(db, sql: """
            SELECT count(*) FROM events e JOIN processes p ON p.id = e.process_id
            WHERE e.kind = 3 AND p.argv = ?
            """, arguments: [Data("/bin/true\0\(marker)\0".utf8)]) ?? 0
        let forks = try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE kind = 2 AND pid = ?", arguments: [getpid()]) ?? 0
        return (execs, exits, forks)
    }
    let folded = try opensStored(db), unfolded = try opensStored(unfoldedDB)
    print(String(format: "exec storm: %d × posix_spawn(/bin/true)+wait: %.3f s without, %.3f s with casefile record = %.2fx slowdown",
                 execs, baseExec, recExec, recExec / baseExec))
    print("exec storm: expected \(execs) exec / \(execs) fork / \(execs) exit; stored \(storedExecs) exec / \(storedForks) fork / \(storedExits) exit")
    print(String(format: "open storm (folding on, 1000 ms): %d × open()+close(): %.3f s without, %.3f s with = %.2fx slowdown",
                 opens, baseOpen, recOpen, recOpen / baseOpen))
    print("open storm (folding on): expected \(opens); stored \(folded.rows) rows standing for \(folded.events) events (folded \(folded.events - folded.rows)); lost (whole recording) \(folded.lost); db \(fileSize(db)) bytes for \(folded.total) rows")
    print(String(format: "open storm (folding off): %.3f s with = %.2fx slowdown (%.3f s without, measured after)",
                 recOpenUnfolded, recOpenUnfolded / baseOpenAfter, baseOpenAfter))
    print(String(format: "open storm (folding off): expected %d; stored %d rows; lost (whole recording) %d; db %d bytes for %d rows = %.1f bytes/row",
                 opens, unfolded.rows, unfolded.lost, fileSize(unfoldedDB), unfolded.total, Double(fileSize(unfoldedDB)) / Double(max(1, unfolded.total))))
    // Where the bytes are (SQLite's dbstat): per stored row, by table and index.
    let parts = try DatabaseQueue(path: unfoldedDB).read { db in
        try Row.fetchAll(db, sql: "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 6")
            .map { ($0["name"] as String? ?? "?", $0["bytes"] as Int? ?? 0) }
    }
    print("open storm (folding off): bytes per row by table: " + parts.map {
        String(format: "%@ %.1f", $0.0, Double($0.1) / Double(max(1, unfolded.total)))
    }.joined(separator: ", "))
}

// MARK: 4. enrichment latency for a burst of containers
do {
    let dockerUp = (try? Process.run(URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "curl -sf --max-time 3 --unix-socket /var/run/docker.sock http://d/_ping >/dev/null"]))
        .map { p -> Bool in p.waitUntilExit(); return p.terminationStatus == 0 } ?? false
    guard burst > 0, dockerUp else {
        print("enrichment: skipped (dockerd not answering; `bash scripts/runtimes.sh all`)")
        exit(0)
    }
    let db = work.appendingPathComponent("burst.db").path
    let tag = UUID().uuidString.prefix(8).lowercased()
    let recorder = try startRecorder(db)
    let image = "localhost:5000/casefile/busybox:1"
    func shell(_ command: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try? p.run()
        p.waitUntilExit()
    }
    let elapsed = seconds {
        shell("seq 1 \(burst) | xargs -P 8 -I{} docker run -d --network none --name cfb-\(tag)-{} \(image) sleep 3")
    }
    usleep(1_500_000)
    stopRecorder(recorder)
    shell("docker ps -aq --filter name=cfb-\(tag) | xargs -r docker rm -f")
    let q = try DatabaseQueue(path: db)
    let raw: [Double] = try q.read { db in
        try Row.fetchAll(db, sql: """
            SELECT c.enriched_at, g.created_at FROM containers c
            JOIN cgroups g ON g.container_id = c.id AND g.hierarchy_id = 0 AND g.path LIKE '%' || c.id
            WHERE c.name LIKE ? AND c.enriched_at IS NOT NULL AND g.created_at IS NOT NULL
            """, arguments: ["cfb-\(tag)-%"]).map { row in
            let enriched: Int64 = row[0] ?? 0
            let created: Int64 = row[1] ?? 0
            return Double(enriched - created) / 1e6
        }
    }.sorted()
    // Enriched from the runtime's create event before the cgroup even existed: complete at mkdir.
    let early = raw.filter { $0 <= 0 }.count
    let latencies = raw.map { max(0, $0) }
    let named = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM containers WHERE name LIKE ?", arguments: ["cfb-\(tag)-%"]) } ?? 0
    func percentile(_ p: Double) -> Double {
        latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int((Double(latencies.count - 1) * p).rounded()))]
    }
    print(String(format: "enrichment: burst of %d docker containers started in %.2f s; %d named (%d already before their cgroup existed); cgroup mkdir → complete container row: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
                 burst, elapsed, named, early, percentile(0.5), percentile(0.9), percentile(0.99), latencies.last ?? .nan))
}
