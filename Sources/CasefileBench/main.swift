// casefile-bench: the figures in BENCHMARKS.md, side by side in one run. Run as root: `make bench`
// (builds Casefile and the tools in bench/, installs bpftrace and auditd, then runs this).
//
//   1. storms   open() and exec() storms with no tracer, the floor (bench/floor: a minimal
//               ring-buffer consumer that only counts), bpftrace writing every event to a file,
//               Casefile (folding on, the default, and off), and auditd last (it leaves a cost
//               behind). Slowdown ratios; for Casefile expected / stored / folded / lost and the
//               recorder's peak resident memory.
//   2. ingest   the highest open() rate the recorder stores for `--ingest-seconds` (60) with zero
//               loss, every event a row (folding off), next to the raw SQLite C insert rate of the
//               same row on the same disk (bench/sqlite-insert.c), and its peak memory.
//   3. bytes    bytes per stored event: process events (synthetic fork+exec+exit through the real
//               pipeline and writer) and file events (the ingest recording).
//   4. query    a generated 10-million-event case file with realistic containers
//               (scripts/make-large-casefile.sh): timeline first pages, a window, info, report.
//   5. enrichment  cgroup mkdir → complete container row for a burst of 50 `docker run`s.
//
// `--only storms,ingest,bytes,query,enrichment` runs a part; sizes: --opens --execs --audit-opens
// --audit-execs --ingest-seconds --large-events --containers --store-events; --rounds (storms, 3). Nothing here is
// asserted: the figures are printed, with a summary table at the end.
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
let opens = intArg("--opens", 1_000_000)
let execs = intArg("--execs", 2_000)
let auditOpens = intArg("--audit-opens", 200_000)
let auditExecs = intArg("--audit-execs", 500)
let ingestSeconds = intArg("--ingest-seconds", 60)
let largeEvents = intArg("--large-events", 10_000_000)
let burst = intArg("--containers", 50)
let storeEvents = intArg("--store-events", 300_000)
let stormRounds = max(1, intArg("--rounds", 3))
let parts: Set<String> = {
    guard let i = args.firstIndex(of: "--only"), i + 1 < args.count else { return ["storms", "ingest", "bytes", "query", "enrichment"] }
    return Set(args[i + 1].split(separator: ",").map(String.init))
}()

// A storm in a child process of its own (`--storm-child opens N PATH`, `--storm-child execs N
// MARKER`), for auditd: the kernel gives a task its audit context when it is created, and only if
// auditing was ever enabled by then; this process may have been created before (the storm would not
// be audited at all), or under a `-a never,task` rule (exempt). A child made while auditd runs is
// audited like any new task.
if let i = args.firstIndex(of: "--storm-child"), i + 3 < args.count, let n = Int(args[i + 2]) {
    if args[i + 1] == "opens" { openStorm(n, CPaths([args[i + 3]])) } else { execStorm(n, marker: args[i + 3]) }
    exit(0)
}
let selfPath = URL(fileURLWithPath: CommandLine.arguments[0]).path

let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
let casefile = binDir.appendingPathComponent("casefile").path
let tools = binDir.deletingLastPathComponent().appendingPathComponent("bench-tools")
let repo = binDir.deletingLastPathComponent().deletingLastPathComponent()
let work = URL(fileURLWithPath: "/var/tmp/casefile-bench-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
let benchStart = ContinuousClock.now

/// The summary table at the end: (what, figure, goal).
nonisolated(unsafe) var summary: [(String, String, String)] = []
func say(_ line: String) {
    print(line)
    fflush(nil) // every stream: the figures appear as they are made, even through a pipe
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return (ContinuousClock.now - start).seconds
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
}

/// Bytes per event of the tables and indexes that hold the most (SQLite's `dbstat`).
func bytesByTable(_ path: String, per events: Int) throws -> String {
    let tables = try DatabaseQueue(path: path).read { db in
        try Row.fetchAll(db, sql: "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 6")
            .map { ($0["name"] as String? ?? "?", $0["bytes"] as Int? ?? 0) }
    }
    return tables.map { "\($0.0) \(fmt(Double($0.1) / Double(max(1, events)), 1))" }.joined(separator: ", ")
}

/// Runs a command; its standard output (and status).
@discardableResult
func run(_ path: String, _ arguments: [String], quiet: Bool = true) -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = quiet ? FileHandle.nullDevice : FileHandle.standardError
    do { try p.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Runs a command with its output thrown away and waits for it with `waitpid`: the exit status.
/// For timing short commands: Foundation's `Process.waitUntilExit` polls its run loop every 50 ms,
/// which added 50–70 ms to every timed 30–40 ms query.
@discardableResult
func spawnAndWait(_ path: String, _ arguments: [String]) -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
    var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, path, &actions, nil, &argv, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS, spelled out (they are macros)
    return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

@discardableResult
func shell(_ command: String) -> (status: Int32, output: String) { run("/bin/sh", ["-c", command]) }

/// Peak resident memory (VmHWM) of a process, in MiB.
func peakRSS(_ pid: pid_t) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
    return kb / 1024
}

/// The recorder's peak resident memory (VmHWM, MiB), and the same with the BPF ring buffer's pages
/// counted once: the kernel maps a ring buffer's data twice in a row (so a record that wraps reads
/// as one), and RSS counts both mappings of the same pages — a 16 MiB ring shows as 32 MiB. Read
/// from smaps (the VMAs named `anon_inode:bpf-map`; the ring's pages are all present from the start).
func recorderMemory(_ pid: pid_t) -> (peak: Double, ringOnce: Double) {
    let peak = peakRSS(pid)
    // (through awk: read with String(contentsOfFile:), smaps gave no bpf-map VMA here)
    let mapsKB = Double(shell("awk '/^[0-9a-f]+-[0-9a-f]+ /{m = ($6 == \"anon_inode:bpf-map\")} m && /^Rss:/{s += $2} END{print s + 0}' /proc/\(pid)/smaps")
        .output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    return (peak, peak - mapsKB / 2 / 1024)
}

func fmt(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }

// MARK: - The workloads

/// C strings made once (a Swift String → C conversion per call would be the workload).
final class CPaths {
    let pointers: [UnsafeMutablePointer<CChar>]
    init(_ paths: [String]) { pointers = paths.map { strdup($0)! } }
    deinit { pointers.forEach { free($0) } }
}

func openStorm(_ n: Int, _ path: CPaths) {
    let p = path.pointers[0]
    for _ in 0..<n {
        let fd = open(p, O_RDONLY)
        if fd >= 0 { close(fd) }
    }
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

// MARK: - The tracers

/// Starts `casefile record` and waits until its session row exists.
func startRecorder(_ db: String, _ extra: [String] = []) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: casefile)
    p.arguments = ["record", "--db", db, "--quiet"] + extra
    p.standardError = FileHandle.nullDevice
    try p.run()
    for _ in 0..<400 {
        usleep(25_000)
        if let q = try? DatabaseQueue(path: db), (try? q.read({ try Int.fetchOne($0, sql: "SELECT count(*) FROM sessions") })) == 1 { break }
    }
    usleep(300_000)
    return p
}

func stopRecorder(_ p: Process) {
    p.interrupt()
    p.waitUntilExit()
}

/// A peer tracer running in the background: stopping it says what it saw.
typealias StopPeer = () -> String

func startFloor() throws -> StopPeer {
    let p = Process()
    p.executableURL = tools.appendingPathComponent("floor")
    p.arguments = [tools.appendingPathComponent("floor.bpf.o").path]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    var seen = Data()
    while !String(decoding: seen, as: UTF8.self).contains("ready") {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "floor stopped before it was ready"]) }
        seen += chunk
    }
    return {
        p.interrupt()
        let rest = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: seen + rest, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
    }
}

func startBpftrace() throws -> StopPeer {
    let file = work.appendingPathComponent("bpftrace.out").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/bpftrace")
    p.arguments = ["-o", file, "-e", """
        BEGIN { printf("ready\\n"); }
        tracepoint:syscalls:sys_enter_openat { printf("%d %s %s\\n", pid, comm, str(args->filename)); }
        tracepoint:syscalls:sys_enter_execve { printf("%d %s %s\\n", pid, comm, str(args->filename)); }
        """]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    for _ in 0..<300 {
        if let text = try? String(contentsOfFile: file, encoding: .utf8), text.contains("ready\n") { break }
        usleep(20_000)
    }
    return {
        p.interrupt()
        p.waitUntilExit()
        let lines = shell("wc -l < \(file)").output.trimmingCharacters(in: .whitespacesAndNewlines)
        try? FileManager.default.removeItem(atPath: file)
        return "\(lines) lines written"
    }
}

/// auditd with openat and execve rules, logging every record (no rotation), as root would run it.
func startAuditd() throws -> StopPeer {
    let dir = work.appendingPathComponent("audit")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let log = dir.appendingPathComponent("audit.log").path
    let base = (try? String(contentsOfFile: "/etc/audit/auditd.conf", encoding: .utf8)) ?? ""
    var config = base.split(separator: "\n", omittingEmptySubsequences: false).filter {
        !$0.hasPrefix("log_file") && !$0.hasPrefix("max_log_file_action")
    }.joined(separator: "\n")
    config += "\nlog_file = \(log)\nmax_log_file_action = IGNORE\n"
    let conf = dir.appendingPathComponent("auditd.conf").path
    try config.write(toFile: conf, atomically: true, encoding: .utf8)
    chmod(conf, 0o640)
    // an auditd left by an earlier bench that did not finish is stopped; anyone else's is not touched
    shell("pkill -f '^/sbin/auditd -c /var/tmp/casefile-bench-' && sleep 2")
    if shell("pgrep -x auditd").status == 0 {
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "an auditd is already running: stop it to compare with auditd"])
    }
    // posix_spawn + waitpid, not Process: the daemon it forks keeps Process's own descriptors,
    // and Process would wait for them to close as long as the daemon runs
    let daemonStatus = spawnAndWait("/sbin/auditd", ["-c", dir.path])
    guard daemonStatus == 0 else {
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "auditd did not start (/sbin/auditd -c \(dir.path))"])
    }
    for _ in 0..<100 where !run("/sbin/auditctl", ["-s"]).output.contains("enabled 1") { usleep(20_000) }
    run("/sbin/auditctl", ["-D"])
    run("/sbin/auditctl", ["-a", "always,exit", "-F", "arch=b64", "-S", "openat", "-S", "execve"])
    return {
        // let the kernel's backlog drain into the log before stopping
        for _ in 0..<100 {
            let backlog = run("/sbin/auditctl", ["-s"]).output.split(separator: "\n")
                .first { $0.hasPrefix("backlog ") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            if backlog == 0 { break }
            usleep(50_000)
        }
        let lost = run("/sbin/auditctl", ["-s"]).output.split(separator: "\n").first { $0.hasPrefix("lost ") } ?? "lost ?"
        run("/sbin/auditctl", ["-D"])
        if let pid = try? String(contentsOfFile: "/run/auditd.pid", encoding: .utf8), let n = pid_t(pid.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(n, SIGTERM)
            for _ in 0..<100 where kill(n, 0) == 0 { usleep(50_000) }
        }
        run("/sbin/auditctl", ["-e", "0"])
        // auditing once enabled leaves every later task ~150 ns/syscall slower until this rule
        run("/sbin/auditctl", ["-a", "never,task"])
        let records = shell("grep -c 'type=SYSCALL' \(log)").output.trimmingCharacters(in: .whitespacesAndNewlines)
        try? FileManager.default.removeItem(at: dir)
        return "\(records) SYSCALL records logged; kernel \(lost)"
    }
}

// MARK: - 1. storms

if parts.contains("storms") {
    guard geteuid() == 0 else { say("storms: skipped, not root (run `sudo make bench`)"); exit(1) }
    let target = work.appendingPathComponent("target").path
    _ = FileManager.default.createFile(atPath: target, contents: Data("x".utf8))
    let targetC = CPaths([target])
    let marker = "casefile-bench-\(UUID().uuidString.prefix(8))"
    execStorm(50, marker: marker + "-warmup")
    openStorm(100_000, targetC)

    /// One tracer: a baseline right before it (no tracer), then the same storms under it.
    /// `inChild`: each storm runs in a child process made for it (see `--storm-child`).
    /// `rounds`: baseline and traced storms again with the tracer started anew each time; the
    /// ratios are the medians (a single 2–3 s storm here varies by 10–30 % from run to run).
    func measure(_ name: String, opens n: Int, execs m: Int, inChild: Bool = false, rounds: Int = stormRounds,
                 start: () throws -> (() -> String)) rethrows
        -> (open: Double, exec: Double, detail: String) {
        func opening() {
            if inChild { spawnAndWait(selfPath, ["--storm-child", "opens", String(n), target]) } else { openStorm(n, targetC) }
        }
        func executing(_ marker: String) {
            if inChild { spawnAndWait(selfPath, ["--storm-child", "execs", String(m), marker]) } else { execStorm(m, marker: marker) }
        }
        var openRatios: [Double] = [], execRatios: [Double] = [], detail = ""
        for round in 1...rounds {
            let baseOpen = seconds { opening() }
            let baseExec = seconds { executing(marker + "-base") }
            let stop = try start()
            let withOpen = seconds { opening() }
            let withExec = seconds { executing(marker) }
            detail = stop()
            openRatios.append(withOpen / baseOpen)
            execRatios.append(withExec / baseExec)
            say("storms: \(name) (round \(round) of \(rounds)): open storm \(n) × open+close \(fmt(baseOpen, 3)) s → \(fmt(withOpen, 3)) s = \(fmt(withOpen / baseOpen))x; "
                + "exec storm \(m) × spawn+wait \(fmt(baseExec, 3)) s → \(fmt(withExec, 3)) s = \(fmt(withExec / baseExec))x; \(detail)")
        }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        if rounds > 1 {
            say("storms: \(name): median of \(rounds) rounds: open \(fmt(median(openRatios)))x, exec \(fmt(median(execRatios)))x "
                + "(exec rounds \(execRatios.map { fmt($0) }.joined(separator: ", ")))")
        }
        return (median(openRatios), median(execRatios), detail)
    }

    /// Opens of the target by this process in a recording: rows, and events (rows plus folded).
    func opensStored(_ path: String) throws -> (rows: Int, events: Int, lost: Int, total: Int, execs: Int) {
        try DatabaseQueue(path: path).read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), coalesce(sum(coalesce(f.count, 1)), 0) FROM events e JOIN paths p ON p.id = e.object_id
                LEFT JOIN event_folds f ON f.event_id = e.id WHERE e.kind = 6 AND e.pid = ? AND p.path = ? AND e.ret >= 0
                """, arguments: [getpid(), target])
            let lost = try Int.fetchOne(db, sql: "SELECT coalesce(sum(count), 0) FROM gaps") ?? 0
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0
            let execs = try Int.fetchOne(db, sql: "SELECT count(*) FROM events e JOIN execs x ON x.event_id = e.id WHERE x.argv = ?",
                                         arguments: [Data("/bin/true\0\(marker)\0".utf8)]) ?? 0
            return ((row?[0] as Int?) ?? 0, (row?[1] as Int?) ?? 0, lost, total, execs)
        }
    }

    var results: [(String, Double, Double)] = []
    let floor = try measure("floor", opens: opens, execs: execs) { try startFloor() }
    results.append(("floor", floor.open, floor.exec))
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/bpftrace") {
        let b = try measure("bpftrace", opens: opens, execs: execs) { try startBpftrace() }
        results.append(("bpftrace", b.open, b.exec))
    } else {
        say("storms: bpftrace not installed (scripts/bench-tools.sh installs it)")
    }
    var recorderPeak = (peak: 0.0, ringOnce: 0.0)
    for folding in [true, false] {
        let db = work.appendingPathComponent("storm-\(folding ? "folded" : "unfolded").db").path
        let label = folding ? "casefile (folding on)" : "casefile (folding off)"
        let r = try measure(label, opens: opens, execs: execs) {
            let recorder = try startRecorder(db, folding ? [] : ["--fold-window-ms", "0"])
            return {
                let memory = recorderMemory(recorder.processIdentifier)
                stopRecorder(recorder)
                if memory.peak > recorderPeak.peak { recorderPeak = memory }
                return "recorder peak RSS \(fmt(memory.peak, 1)) MiB (\(fmt(memory.ringOnce, 1)) MiB with the ring buffer counted once)"
            }
        }
        // every round recorded into the same file (a session each)
        let s = try opensStored(db)
        let (expectedOpens, expectedExecs) = (opens * stormRounds, execs * stormRounds)
        say("storms: \(label): opens expected \(expectedOpens), stored \(s.rows) rows standing for \(s.events) (folded \(s.events - s.rows)), lost \(s.lost); execs expected \(expectedExecs), stored \(s.execs)")
        results.append((label, r.open, r.exec))
        let median = stormRounds > 1 ? " (median of \(stormRounds))" : ""
        summary.append(("open storm, \(label): slowdown\(median)", fmt(r.open) + "x", folding ? "≤ 1.5x" : ""))
        summary.append(("open storm, \(label): expected / stored rows / folded / lost", "\(expectedOpens) / \(s.rows) / \(s.events - s.rows) / \(s.lost)", "all stored or folded"))
        summary.append(("exec storm, \(label): slowdown\(median); execs stored", fmt(r.exec) + "x; \(s.execs) of \(expectedExecs)", folding ? "≤ 1.1x" : ""))
    }
    summary.append(("recorder peak RSS under the storms (ring buffer counted once)",
                    "\(fmt(recorderPeak.peak, 1)) MiB (\(fmt(recorderPeak.ringOnce, 1)) MiB)", "≤ 100 MB"))
    if FileManager.default.isExecutableFile(atPath: "/sbin/auditd") {
        do {
            let a = try measure("auditd", opens: auditOpens, execs: auditExecs, inChild: true, rounds: 1) { try startAuditd() }
            results.append(("auditd (\(auditOpens) opens, \(auditExecs) execs)", a.open, a.exec))
        } catch {
            say("storms: auditd: \((error as NSError).localizedDescription)")
        }
    } else {
        say("storms: auditd not installed (scripts/bench-tools.sh installs it)")
    }
    for (name, o, e) in results where !name.hasPrefix("casefile") {
        summary.append(("storms, \(name): open / exec slowdown", fmt(o) + "x / " + fmt(e) + "x", "peer"))
    }
}

// MARK: - 2. ingest: the highest rate stored with zero loss

/// Opens of `paths` (distinct in turn: nothing folds) at `rate` per second for `duration` s;
/// returns how many were made.
func pacedOpens(rate: Double, duration: Double, _ paths: CPaths) -> Int {
    let start = ContinuousClock.now
    var done = 0
    let n = paths.pointers.count
    while true {
        let elapsed = (ContinuousClock.now - start).seconds
        if elapsed >= duration { break }
        let due = rate.isInfinite ? done + 4096 : Int(rate * elapsed)
        if done >= due { usleep(500); continue }
        while done < due {
            let fd = open(paths.pointers[done % n], O_RDONLY)
            if fd >= 0 { close(fd) }
            done += 1
        }
    }
    return done
}

if parts.contains("ingest") || parts.contains("bytes") {
    // 4096 paths that do not exist (ENOENT: the cheapest open for the workload itself)
    let dir = work.appendingPathComponent("ingest").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let paths = CPaths((0..<4096).map { "\(dir)/lib\($0 % 64)/module-\($0).so" })

    /// One recording at `rate` for `duration`: made, stored rows, lost, peak RSS, file size.
    func trial(rate: Double, duration: Double, breakdown: Bool = false) throws
        -> (made: Int, stored: Int, lost: Int, peak: (peak: Double, ringOnce: Double), bytes: Int, rows: Int, tables: String) {
        let db = work.appendingPathComponent("ingest-\(UUID().uuidString.prefix(6)).db").path
        let recorder = try startRecorder(db, ["--fold-window-ms", "0"])
        let made = pacedOpens(rate: rate, duration: duration, paths)
        usleep(1_000_000)
        let peak = recorderMemory(recorder.processIdentifier)
        stopRecorder(recorder)
        let (stored, lost, rows) = try DatabaseQueue(path: db).read { db -> (Int, Int, Int) in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE kind = 6 AND pid = ?", arguments: [getpid()]) ?? 0,
             try Int.fetchOne(db, sql: "SELECT coalesce(sum(count), 0) FROM gaps") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0)
        }
        let bytes = fileSize(db)
        let tables = breakdown ? try bytesByTable(db, per: rows) : ""
        try? FileManager.default.removeItem(atPath: db)
        return (made, stored, lost, peak, bytes, rows, tables)
    }

    // what the recorder keeps up with, flat out for 10 s; then the full duration below that rate
    let probe = try trial(rate: .infinity, duration: 10)
    var rate = (Double(probe.stored) / 10).rounded(.down)
    say("ingest: flat out for 10 s: \(probe.made) opens made, \(probe.stored) stored, \(probe.lost) lost → trying \(Int(rate * 0.9))/s for \(ingestSeconds) s")
    rate *= 0.9
    var result = try trial(rate: rate, duration: Double(ingestSeconds), breakdown: true)
    if result.lost > 0 || result.stored < result.made {
        say("ingest: \(Int(rate))/s: \(result.made) made, \(result.stored) stored, \(result.lost) lost → again at \(Int(rate * 0.75))/s")
        rate *= 0.75
        result = try trial(rate: rate, duration: Double(ingestSeconds), breakdown: true)
    }
    let sustained = Double(result.stored) / Double(ingestSeconds)
    say("ingest: \(ingestSeconds) s at \(Int(rate))/s: \(result.made) opens made, \(result.stored) stored, \(result.lost) lost; recorder peak RSS \(fmt(result.peak.peak, 1)) MiB (\(fmt(result.peak.ringOnce, 1)) MiB with the ring buffer counted once); \(fmt(Double(result.bytes) / Double(max(1, result.rows)), 1)) bytes/event on disk; by table: \(result.tables)")
    // the raw C insert rate of the same row shape, same disk, now
    let rawDB = work.appendingPathComponent("raw.db").path
    let raw = run(tools.appendingPathComponent("sqlite-insert").path, [rawDB, "3000000"]).output
    let rawIndexed = run(tools.appendingPathComponent("sqlite-insert").path, [rawDB, "3000000", "--index"]).output
    for f in [rawDB, rawDB + "-wal", rawDB + "-shm"] { try? FileManager.default.removeItem(atPath: f) }
    func rateOf(_ line: String) -> Double {
        line.split(separator: " ").first { $0.hasPrefix("rate=") }.flatMap { Double($0.dropFirst(5)) } ?? .nan
    }
    say("ingest: raw SQLite C inserts of the events row, same disk: " + raw.trimmingCharacters(in: .whitespacesAndNewlines)
        + "; with a time index: " + rawIndexed.trimmingCharacters(in: .whitespacesAndNewlines))
    let ok = result.lost == 0 && result.stored >= result.made
    summary.append(("ingest: events/s stored for \(ingestSeconds) s, every event a row", "\(Int(sustained)) (\(ok ? "zero loss" : "LOST \(result.lost)"))", "≥ 500k"))
    summary.append(("ingest: raw SQLite C insert rate, same row, same disk", "\(fmt(rateOf(raw), 0)) rows/s (with a time index \(fmt(rateOf(rawIndexed), 0)))", ""))
    summary.append(("ingest: Casefile / raw", fmt(100 * sustained / rateOf(raw), 0) + " %", "≥ 70 %"))
    summary.append(("recorder peak RSS during the ingest (ring buffer counted once)",
                    "\(fmt(result.peak.peak, 1)) MiB (\(fmt(result.peak.ringOnce, 1)) MiB)", "≤ 100 MB"))
    summary.append(("bytes per file event (ingest recording, all tables)", fmt(Double(result.bytes) / Double(max(1, result.rows)), 1), "≤ 40"))
}

// MARK: - 3. bytes per process event (synthetic, through the real pipeline and writer)

if parts.contains("bytes") {
    let path = work.appendingPathComponent("store-process.db").path
    // a boot id of the real length (36 characters): every process row and its identity index hold it
    let bootID = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? "00000000-0000-0000-0000-000000000000"
    let clock = BootClock(offsetNanoseconds: 1_700_000_000_000_000_000, bootID: bootID)
    let writer = try SessionWriter(queue: try CaseFile.openForRecording(path: path), session: SessionInfo(
        host: "bench", kernel: "bench", machineID: nil, clock: clock, cgroupLayout: "v2", cgroupHierarchy: 0,
        cgroupMount: nil, startedAt: 0, casefileVersion: CasefileVersion.current, abiVersion: 1, commandLine: "bench",
        attached: [], attachFailures: [], ringBufferBytes: 0))
    var pipeline = Pipeline(clock: clock)
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
    let elapsed = try seconds {
        var i = 0
        while i < events.count {
            let end = min(events.count, i + 16_384)
            try writer.write(pipeline.resolve(Array(events[i..<end])))
            i = end
        }
        try writer.finish(clean: true)
    }
    let perEvent = Double(fileSize(path)) / Double(events.count)
    say(String(format: "bytes: %d process events (fork+exec+exit, sealed): %.0f events/s, %.1f bytes/event; by table: ", events.count,
               Double(events.count) / elapsed, perEvent) + (try bytesByTable(path, per: events.count)))
    summary.append(("bytes per process event (fork+exec+exit, sealed, all tables)", fmt(perEvent, 1), "≤ 67 (half of 135)"))
    try? FileManager.default.removeItem(atPath: path)
}

// MARK: - 4. queries on a 10-million-event case file

if parts.contains("query") {
    let script = repo.appendingPathComponent("scripts/make-large-casefile.sh").path
    let source = work.appendingPathComponent("source.db").path
    let large = work.appendingPathComponent("large.db").path
    let generated = seconds {
        let r1 = run("/bin/bash", [script, "--record", source], quiet: false)
        let r2 = r1.status == 0 ? run("/bin/bash", [script, "--events", String(largeEvents), source, large], quiet: false) : r1
        if r2.status != 0 { say("query: the large case file could not be made (\(script)): status \(r2.status)") }
    }
    if FileManager.default.fileExists(atPath: large) {
        // the generator's gigabyte written back first: its writeback is not the queries' cost
        sync()
        say("query: \(largeEvents) events, \(fmt(Double(fileSize(large)) / 1e9)) GB made in \(fmt(generated, 0)) s")
        let (first, last) = try DatabaseQueue(path: large, configuration: { var c = Configuration(); c.readonly = true; return c }()).read { db in
            let row = try Row.fetchOne(db, sql: "SELECT min(min_ts), max(max_ts) FROM event_chunks")
            return ((row?[0] as Int64?) ?? 0, (row?[1] as Int64?) ?? 0)
        }
        let middle = (first + last) / 2 / 1_000_000_000
        func timed(_ name: String, _ arguments: [String], goal: String = "") {
            var runs: [Double] = []
            var status: Int32 = 0
            for _ in 0..<3 {
                runs.append(seconds { status = spawnAndWait(casefile, arguments + ["--db", large]) })
            }
            let best = runs.min() ?? .nan
            say("query: \(name): \(runs.map { fmt($0, 3) }.joined(separator: " s, ")) s\(status == 0 ? "" : " (exit status \(status))")")
            summary.append(("10 M events: \(name)", best < 1 ? fmt(best * 1000, 0) + " ms" : fmt(best, 1) + " s", goal))
        }
        timed("timeline --container rare-1 --limit 50", ["timeline", "--container", "rare-1", "--limit", "50", "--no-pager"], goal: "< 50 ms")
        timed("timeline --container busy-1 --limit 50", ["timeline", "--container", "busy-1", "--limit", "50", "--no-pager"], goal: "< 50 ms")
        timed("timeline --limit 50", ["timeline", "--limit", "50", "--no-pager"])
        timed("timeline --since/--until (1 minute)", ["timeline", "--since", String(middle), "--until", String(middle + 60), "--no-pager", "--format", "csv"])
        timed("info", ["info"])
        timed("report --no-verify (HTML)", ["report", "--no-verify", "-o", work.appendingPathComponent("r.html").path], goal: "< 10 s")
    }
    for f in [source, large] { try? FileManager.default.removeItem(atPath: f) }
}

// MARK: - 5. enrichment latency for a burst of containers

/// Polls a recording (read-only) for rows of containers named like `pattern` with name, image and
/// digest, and keeps when each was first seen complete (UTC ns).
final class CompletionWatcher: @unchecked Sendable {
    // @unchecked: `seen` and `stopped` are guarded by `lock`.
    private let lock = NSLock()
    private var seen: [String: Int64] = [:]
    private var stopped = false
    let db: String
    let pattern: String
    init(db: String, pattern: String) { (self.db, self.pattern) = (db, pattern) }

    var firstComplete: [String: Int64] { lock.withLock { seen } }
    func stop() { lock.withLock { stopped = true } }

    func run() {
        var config = Configuration()
        config.readonly = true
        guard let queue = try? DatabaseQueue(path: db, configuration: config) else { return }
        while !lock.withLock({ stopped }) {
            let ids = (try? queue.read { db in
                try String.fetchAll(db, sql: "SELECT id FROM containers WHERE name LIKE ? AND image IS NOT NULL AND image_digest IS NOT NULL",
                                    arguments: [pattern])
            }) ?? []
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let t = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
            lock.withLock { for id in ids where seen[id] == nil { seen[id] = t } }
            usleep(10_000)
        }
    }
}

if parts.contains("enrichment") {
    let dockerUp = shell("curl -sf --max-time 3 --unix-socket /var/run/docker.sock http://d/_ping >/dev/null").status == 0
    if burst > 0, dockerUp {
        let db = work.appendingPathComponent("burst.db").path
        let tag = UUID().uuidString.prefix(8).lowercased()
        let recorder = try startRecorder(db)
        let image = "localhost:5000/casefile/busybox:1"
        // `containers.enriched_at` is the latest answer (a container answered at create is asked
        // again at start), so the first time each row is complete in the file is watched here:
        // read-only polls of the recording every 10 ms.
        let watcher = CompletionWatcher(db: db, pattern: "cfb-\(tag)-%")
        let watching = Thread { watcher.run() }
        watching.start()
        let elapsed = seconds {
            shell("seq 1 \(burst) | xargs -P 8 -I{} docker run -d --network none --name cfb-\(tag)-{} \(image) sleep 3")
        }
        usleep(1_500_000)
        watcher.stop()
        stopRecorder(recorder)
        shell("docker ps -aq --filter name=cfb-\(tag) | xargs -r docker rm -f")
        let q = try DatabaseQueue(path: db)
        let complete = watcher.firstComplete
        let raw: [Double] = try q.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.id, g.created_at FROM containers c
                JOIN cgroups g ON g.container_id = c.id AND g.hierarchy_id = 0 AND g.path LIKE '%' || c.id
                WHERE c.name LIKE ? AND g.created_at IS NOT NULL
                """, arguments: ["cfb-\(tag)-%"]).compactMap { row in
                guard let id = row[0] as String?, let at = complete[id] else { return nil }
                return Double(at - (row[1] as Int64? ?? 0)) / 1e6
            }
        }.sorted()
        let early = raw.filter { $0 <= 0 }.count
        let latencies = raw.map { max(0, $0) }
        let named = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM containers WHERE name LIKE ?", arguments: ["cfb-\(tag)-%"]) } ?? 0
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int((Double(latencies.count - 1) * p).rounded()))]
        }
        say(String(format: "enrichment: burst of %d docker containers started in %.2f s; %d named, %d complete (name, image, digest) (%d before their cgroup existed); cgroup mkdir → complete row: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
                   burst, elapsed, named, latencies.count, early, percentile(0.5), percentile(0.9), percentile(0.99), latencies.last ?? .nan))
        summary.append(("enrichment, \(burst) docker runs: complete rows; p50 / p90 / p99 / max", "\(latencies.count) of \(burst); "
                        + [0.5, 0.9, 0.99].map { fmt(percentile($0), 0) }.joined(separator: " / ") + " / " + fmt(latencies.last ?? .nan, 0) + " ms",
                        "p99 < 200 ms, 50 of 50"))
    } else {
        say("enrichment: skipped (dockerd not answering; `bash scripts/runtimes.sh all`)")
    }
}

// MARK: - the summary

say("")
say("| what | figure | goal |")
say("|---|---|---|")
for (what, figure, goal) in summary { say("| \(what) | \(figure) | \(goal) |") }
say("")
say("whole run: \(fmt((ContinuousClock.now - benchStart).seconds, 0)) s")
