import CasefileTestSupport
import Foundation
import GRDB
import Testing

/// Privilege and escape calls (the setuid family, capset, ptrace, mount, umount, pivot_root,
/// modules, bpf, unshare, setns, chroot, signals, memfd_create, execveat), the fd file calls and
/// accept/listen, performed for real by a Python script (ctypes where Python has no wrapper):
/// each is a row with its arguments and its result, refused attempts included; on the host and
/// inside a real Docker container.
@Suite(.serialized, .timeLimit(.minutes(3)))  // a hang fails the test instead of holding CI
struct PrivilegeEventTests {
    static let image = "casefile/busybox:1"

    /// `python3 calls.py SECTION TAG FACTS SCRATCH`: does SECTION's calls and writes what it saw
    /// (pids, fds, ports, results) to FACTS as JSON. x86_64 syscall numbers.
    static let script = #"""
        import ctypes, json, os, signal, socket, sys, threading, time
        section, tag, out, scratch = sys.argv[1:5]
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        def sc(nr, *args):
            r = libc.syscall(ctypes.c_long(nr), *args)
            return r if r >= 0 else -ctypes.get_errno()
        def absent_pid():
            p = 999999
            while os.path.exists(f'/proc/{p}'): p += 1
            return p
        facts = {'pid': os.getpid(), 'tid': threading.get_native_id(), 'scratch': scratch}

        if section == 'ids':
            # to our own ids as root (we keep them), then a refused one in a child that dropped them
            os.setuid(0); os.setresuid(-1, -1, -1); os.setreuid(0, 0)
            os.setgid(0); os.setregid(0, 0); os.setresgid(0, 0, 0)
            facts['setfsuid'] = libc.setfsuid(0); facts['setfsgid'] = libc.setfsgid(0)
            child = os.fork()
            if child == 0:
                os.setgroups([]); os.setresgid(65534, 65534, 65534); os.setresuid(65534, 65534, 65534)
                try: os.setuid(0)
                except PermissionError: os._exit(7)
                os._exit(0)
            facts['refused_child'] = child
            facts['refused_status'] = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
            # signals: existence checks (of a pid that is not there, of ourselves), one handled, one fatal
            facts['absent'] = absent_pid()
            try: os.kill(facts['absent'], 0)
            except ProcessLookupError: pass
            facts['tgkill'] = sc(234, os.getpid(), facts['tid'], 0)
            facts['tkill'] = sc(200, facts['tid'], 0)
            signal.signal(signal.SIGUSR1, lambda *_: None)
            facts['tgkill_usr1'] = sc(234, os.getpid(), facts['tid'], signal.SIGUSR1)
            ready_r, ready_w = os.pipe()
            child = os.fork()
            if child == 0:  # SIGTERM may be ignored or blocked by whoever started us: take it back first
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
                os.write(ready_w, b'r')
                time.sleep(30)
                os._exit(0)
            os.read(ready_r, 1)
            facts['victim'] = child
            os.kill(child, signal.SIGTERM)
            facts['victim_status'] = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])

        elif section == 'fds':
            fd = os.memfd_create(f'cf-memfd-{tag}')
            facts['memfd'] = fd
            os.ftruncate(fd, 10); os.fchmod(fd, 0o700); os.fchown(fd, 0, 0)
            server = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen(5)
            client = socket.socket(); client.connect(server.getsockname())
            conn, peer = server.accept()
            facts.update(server_fd=server.fileno(), server_port=server.getsockname()[1], client_fd=client.fileno(),
                         client_port=client.getsockname()[1], accepted_fd=conn.fileno(), peer_port=peer[1])
            for s in (conn, client, server): s.close()
            # an accept that a SIGKILL interrupts: still a row, with what the kernel returned (or none)
            ready_r, ready_w = os.pipe()
            child = os.fork()
            if child == 0:
                s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
                os.write(ready_w, str(s.fileno()).encode())
                s.accept()
                os._exit(0)
            facts['blocked_fd'] = int(os.read(ready_r, 16))
            for _ in range(500):  # until it waits in accept4 (288) or accept (43)
                with open(f'/proc/{child}/syscall') as f:
                    if f.read().split(' ')[0] in ('288', '43'): break
                time.sleep(0.01)
            time.sleep(0.05)
            os.kill(child, signal.SIGKILL)
            facts['blocked_child'] = child
            facts['blocked_status'] = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])

        elif section == 'escapes':
            try: os.chroot(f'/nonexistent-{tag}')
            except FileNotFoundError: pass
            facts['unshare'] = libc.unshare(0)
            netns = os.open('/proc/self/ns/net', os.O_RDONLY)
            facts['netns_fd'] = netns
            facts['setns'] = libc.setns(netns, 0x40000000)  # our own network namespace
            os.close(netns)
            facts['mount'] = libc.mount(f'/nonexistent-src-{tag}'.encode(), scratch.encode(), b'cf-nofs', ctypes.c_ulong(0), None)
            facts['mount_errno'] = ctypes.get_errno()
            facts['umount'] = sc(166, scratch.encode(), 0)
            facts['pivot_root'] = sc(155, f'/nonexistent-new-{tag}'.encode(), f'/nonexistent-old-{tag}'.encode())
            # modules: nothing here can load or remove one (ENOSYS when the kernel has no modules)
            facts['delete_module'] = sc(176, b'cf_no_such_module', 0)
            null = os.open('/dev/null', os.O_RDONLY)
            facts['null_fd'] = null
            facts['finit_module'] = sc(313, null, b'', 0)
            os.close(null)
            facts['init_module'] = sc(175, ctypes.create_string_buffer(16), ctypes.c_ulong(16), b'')
            # capabilities: set what we have
            class Header(ctypes.Structure): _fields_ = [('version', ctypes.c_uint32), ('pid', ctypes.c_int)]
            class Data(ctypes.Structure): _fields_ = [('effective', ctypes.c_uint32), ('permitted', ctypes.c_uint32), ('inheritable', ctypes.c_uint32)]
            header, data = Header(0x20080522, 0), (Data * 2)()
            assert sc(125, ctypes.byref(header), data) == 0
            facts['caps'] = [data[0].effective | data[1].effective << 32, data[0].permitted | data[1].permitted << 32,
                             data[0].inheritable | data[1].inheritable << 32]
            facts['capset'] = sc(126, ctypes.byref(Header(0x20080522, 0)), data)
            facts['ptrace_target'] = absent_pid()
            facts['ptrace'] = sc(101, 16, facts['ptrace_target'], 0, 0)
            # a one-entry array map (union bpf_attr: map_type, key_size, value_size, max_entries, ..., map_name at 28)
            attr = ctypes.create_string_buffer(72)
            ctypes.memmove(attr, (ctypes.c_uint32 * 4)(2, 4, 4, 1), 16)
            attr[28:28 + len(f'cfmap_{tag}')] = f'cfmap_{tag}'.encode()
            facts['bpf'] = sc(321, 0, attr, 72)
            if facts['bpf'] >= 0: os.close(facts['bpf'])
            # a program run from memory: execveat of a memfd holding /bin/true, in a child
            exe = os.memfd_create(f'cf-exe-{tag}', 0)
            with open('/bin/true', 'rb') as f: os.write(exe, f.read())
            facts['exe_fd'] = exe
            child = os.fork()
            if child == 0:
                argv = (ctypes.c_char_p * 2)(f'cf-true-{tag}'.encode(), None)
                sc(322, exe, b'', argv, (ctypes.c_char_p * 1)(None), 0x1000)
                os._exit(9)
            facts['exec_child'] = child
            facts['exec_status'] = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
            # the same from a thread that is not the main thread (the kernel gives it the process's id)
            ready_r, ready_w = os.pipe()
            child = os.fork()
            if child == 0:
                def run_memfd():
                    os.write(ready_w, str(threading.get_native_id()).encode())
                    argv = (ctypes.c_char_p * 2)(f'cf-thread-true-{tag}'.encode(), None)
                    sc(322, exe, b'', argv, (ctypes.c_char_p * 1)(None), 0x1000)
                thread = threading.Thread(target=run_memfd); thread.start(); thread.join()
                os._exit(9)
            facts['thread_exec_tid'] = int(os.read(ready_r, 16))
            facts['thread_exec_child'] = child
            facts['thread_exec_status'] = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])

        with open(out, 'w') as f: json.dump(facts, f)
        """#

    /// What the script saw: numbers, strings and lists of numbers by name.
    struct Facts: Sendable {
        var numbers: [String: Int] = [:], strings: [String: String] = [:], lists: [String: [Int]] = [:]

        init(json: Data) throws {
            let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
            for (key, value) in object {
                if let n = value as? Int { numbers[key] = n }
                if let t = value as? String { strings[key] = t }
                if let l = value as? [Int] { lists[key] = l }
            }
        }

        func int(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
            try #require(numbers[key], "fact \(key) in \(numbers)", sourceLocation: sourceLocation)
        }
    }

    /// Runs one section of the script while recording; returns the case file and the script's facts.
    static func recordSection(_ section: String, tag: String, _ name: String = #function) async throws -> (DatabaseQueue, Facts) {
        let dir = try temporaryDirectory(name)
        let file = dir.appendingPathComponent("calls.py").path
        let facts = dir.appendingPathComponent("facts.json").path
        let scratch = dir.appendingPathComponent("scratch").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        try Data(script.utf8).write(to: URL(fileURLWithPath: file))
        let queue = try await record(name) {
            let status = try run("/usr/bin/python3", [file, section, tag, facts, scratch])
            #expect(status == 0, "python3 \(section)")
        }
        return (queue, try Facts(json: Data(contentsOf: URL(fileURLWithPath: facts))))
    }

    /// The timeline rows of kind `kind` (made by process `pid`, whose details contain `text`),
    /// oldest first, with their events columns, comm and container.
    static func rows(_ db: Database, _ kind: String, pid: Int? = nil, containing text: String? = nil) throws -> [Row] {
        try Row.fetchAll(db, sql: """
            SELECT t.details, t.container, e.ts, e.ret, e.aux, e.aux2, e.aux3, e.pid, e.tid, e.object_id, w.comm, w.container_id
            FROM timeline t JOIN events e ON e.id = t.id JOIN events_with_container w ON w.id = e.id
            WHERE t.kind = ? AND (? IS NULL OR e.pid = ?) AND (? IS NULL OR instr(t.details, ?) > 0) ORDER BY e.ts, e.id
            """, arguments: [kind, pid, pid, text, text])
    }

    static func path(_ db: Database, _ id: Int64?) throws -> String? {
        guard let id else { return nil }
        return try String.fetchOne(db, sql: "SELECT path FROM paths WHERE id = ?", arguments: [id])
    }

    /// The one row whose details are exactly `details`.
    static func one(_ db: Database, _ kind: String, pid: Int, _ details: String,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> Row {
        let all = try rows(db, kind, pid: pid)
        let matching = all.filter { $0["details"] as String? == details }
        #expect(matching.count == 1, "\(kind) rows of \(pid): \(all.map { $0["details"] as String? ?? "nil" })", sourceLocation: sourceLocation)
        return try #require(matching.first, "\(details)", sourceLocation: sourceLocation)
    }

    /// How the timeline names an errno (the ones these calls can give).
    static func errnoName(_ negative: Int) -> String {
        let names = [1: "EPERM", 2: "ENOENT", 3: "ESRCH", 8: "ENOEXEC", 9: "EBADF", 14: "EFAULT", 16: "EBUSY", 19: "ENODEV",
                     20: "ENOTDIR", 22: "EINVAL", 38: "ENOSYS", 95: "EOPNOTSUPP"]
        return names[-negative] ?? "errno \(-negative)"
    }

    @Test func identityChangesAndSignalsOnTheHost() async throws {
        guard Requirement.root() else { return }
        let tag = shortID()
        let (queue, facts) = try await Self.recordSection("ids", tag: tag)
        let pid = try facts.int("pid"), tid = try facts.int("tid")
        let refused = try facts.int("refused_child"), victim = try facts.int("victim"), absent = try facts.int("absent")
        #expect(try facts.int("refused_status") == 7, "the child's setuid(0) after dropping root is refused")
        try await queue.read { db in
            let setuid = try Self.one(db, "setuid", pid: pid, "setuid 0 → 0")
            #expect(setuid["ret"] as Int64? == 0 && setuid["aux"] as Int64? == 0)
            #expect(setuid["comm"] as String? == "python3" && setuid["container_id"] as String? == nil)
            let setresuid = try Self.one(db, "setresuid", pid: pid, "setresuid -1 -1 -1 → 0")
            #expect(setresuid["aux"] as Int64? == -1 && setresuid["aux2"] as Int64? == -1 && setresuid["aux3"] as Int64? == -1)
            let setreuid = try Self.one(db, "setreuid", pid: pid, "setreuid 0 0 → 0")
            #expect(setreuid["aux"] as Int64? == 0 && setreuid["aux2"] as Int64? == 0 && setreuid["aux3"] as Int64? == nil)
            _ = try Self.one(db, "setgid", pid: pid, "setgid 0 → 0")
            _ = try Self.one(db, "setregid", pid: pid, "setregid 0 0 → 0")
            _ = try Self.one(db, "setresgid", pid: pid, "setresgid 0 0 0 → 0")
            let setfsuid = try Self.one(db, "setfsuid", pid: pid, "setfsuid 0 → \(try facts.int("setfsuid"))")
            #expect(setfsuid["ret"] as Int64? == 0, "setfsuid returns the previous fsuid, root's")
            _ = try Self.one(db, "setfsgid", pid: pid, "setfsgid 0 → \(try facts.int("setfsgid"))")

            // The child: drops to nobody, then is refused root.
            _ = try Self.one(db, "setresgid", pid: refused, "setresgid 65534 65534 65534 → 0")
            _ = try Self.one(db, "setresuid", pid: refused, "setresuid 65534 65534 65534 → 0")
            let denied = try Self.one(db, "setuid", pid: refused, "setuid 0 → EPERM")
            #expect(denied["ret"] as Int64? == -1 && denied["comm"] as String? == "python3")

            let check = try Self.one(db, "kill", pid: pid, "kill \(absent) 0 (existence check) → ESRCH")
            #expect(check["ret"] as Int64? == -3 && check["aux"] as Int64? == Int64(absent))
            #expect(check["aux2"] as Int64? == 0 && check["aux3"] as Int64? == nil)
            let tgkill = try Self.one(db, "kill", pid: pid, "tgkill \(pid)/\(tid) 0 (existence check) → 0")
            #expect(tgkill["aux"] as Int64? == Int64(pid) && tgkill["aux3"] as Int64? == Int64(tid))
            let tkill = try Self.one(db, "kill", pid: pid, "tkill \(tid) 0 (existence check) → 0")
            #expect(tkill["aux"] as Int64? == nil && tkill["aux3"] as Int64? == Int64(tid))
            let usr1 = try Self.one(db, "kill", pid: pid, "tgkill \(pid)/\(tid) SIGUSR1 → 0")
            #expect(usr1["aux2"] as Int64? == 10)
            let term = try Self.one(db, "kill", pid: pid, "kill \(victim) SIGTERM → 0")
            #expect(term["aux"] as Int64? == Int64(victim) && term["aux2"] as Int64? == 15)
            // and the victim's exit says what killed it
            let exits = try Self.rows(db, "exit", pid: victim).map { $0["details"] as String? ?? "" }
            #expect(exits == ["killed by signal 15"], "\(exits)")
        }
    }

    @Test func memfdFileCallsAndAcceptOnTheHost() async throws {
        guard Requirement.root() else { return }
        let tag = shortID()
        let (queue, facts) = try await Self.recordSection("fds", tag: tag)
        let pid = try facts.int("pid"), memfd = try facts.int("memfd")
        let server = try facts.int("server_fd"), port = try facts.int("server_port")
        let client = try facts.int("client_fd"), clientPort = try facts.int("client_port")
        let accepted = try facts.int("accepted_fd")
        #expect(try facts.int("peer_port") == clientPort)
        try await queue.read { db in
            let created = try Self.one(db, "memfd_create", pid: pid, "memfd_create cf-memfd-\(tag) → fd \(memfd)")
            #expect(created["aux"] as Int64? == 1, "Python's default flags: MFD_CLOEXEC")
            #expect(try Self.path(db, created["object_id"]) == "cf-memfd-\(tag)")
            #expect(created["comm"] as String? == "python3")
            let length = try Self.one(db, "ftruncate", pid: pid, "ftruncate fd \(memfd) 10 → 0")
            #expect(length["aux"] as Int64? == 10 && length["aux3"] as Int64? == Int64(memfd))
            let mode = try Self.one(db, "fchmod", pid: pid, "fchmod fd \(memfd) 0700 → 0")
            #expect(mode["aux"] as Int64? == 0o700 && mode["aux3"] as Int64? == Int64(memfd))
            let owner = try Self.one(db, "fchown", pid: pid, "fchown fd \(memfd) 0:0 → 0")
            #expect(owner["aux"] as Int64? == 0 && owner["aux2"] as Int64? == 0 && owner["aux3"] as Int64? == Int64(memfd))

            let bind = try Self.one(db, "bind", pid: pid, "bind 127.0.0.1:0 → 0")
            #expect(bind["aux"] as Int64? == 2 && bind["aux3"] as Int64? == Int64(server))
            let listen = try Self.one(db, "listen", pid: pid, "listen fd \(server) backlog 5 → 0")
            #expect(listen["aux"] as Int64? == 5 && listen["aux3"] as Int64? == Int64(server))
            let connect = try Self.one(db, "connect", pid: pid, "connect 127.0.0.1:\(port) → 0")
            #expect(connect["aux2"] as Int64? == Int64(port) && connect["aux3"] as Int64? == Int64(client))
            let accept = try Self.one(db, "accept", pid: pid, "accept on fd \(server) from 127.0.0.1:\(clientPort) → fd \(accepted)")
            #expect(accept["ret"] as Int64? == Int64(accepted))
            #expect(accept["aux"] as Int64? == 2 && accept["aux2"] as Int64? == Int64(clientPort) && accept["aux3"] as Int64? == Int64(server))
            let peer = try #require(try Row.fetchOne(db, sql: "SELECT family, address FROM addresses WHERE id = ?", arguments: [accept["object_id"] as Int64?]))
            #expect(peer["family"] as Int64? == 2 && peer["address"] as String? == "127.0.0.1")

            // The accept SIGKILL interrupted: the kernel's restart code (the thread then exits without
            // returning to the program), or no result at all.
            let blocked = try facts.int("blocked_child"), blockedFD = try facts.int("blocked_fd")
            #expect(try facts.int("blocked_status") == -9)
            let interrupted = try #require(try Self.rows(db, "accept", pid: blocked).first, "the interrupted accept is a row")
            let result = interrupted["ret"] as Int64?
            #expect(result == -512 || result == nil, "\(String(describing: result))")
            let expected = result == nil ? "(no return: the thread exited in the call)" : "ERESTARTSYS"
            #expect(interrupted["details"] as String? == "accept on fd \(blockedFD) → \(expected)")
            #expect(interrupted["aux"] as Int64? == nil && interrupted["object_id"] as Int64? == nil, "no peer")
        }
    }

    @Test func escapesModulesAndBPFOnTheHost() async throws {
        guard Requirement.root() else { return }
        let tag = shortID()
        let (queue, facts) = try await Self.recordSection("escapes", tag: tag)
        let pid = try facts.int("pid")
        let scratch = try #require(facts.strings["scratch"])
        try await queue.read { db in
            let chroot = try Self.one(db, "chroot", pid: pid, "chroot /nonexistent-\(tag) → ENOENT")
            #expect(chroot["ret"] as Int64? == -2)
            #expect(try Self.path(db, chroot["object_id"]) == "/nonexistent-\(tag)")
            let unshare = try Self.one(db, "unshare", pid: pid, "unshare 0x0 → 0")
            #expect(unshare["aux"] as Int64? == 0)
            let netns = try facts.int("netns_fd")
            let setns = try Self.one(db, "setns", pid: pid, "setns fd \(netns) CLONE_NEWNET → 0")
            #expect(setns["aux"] as Int64? == Int64(netns) && setns["aux2"] as Int64? == 0x4000_0000)

            // mount: the target, the source and the filesystem type as given, and why it failed
            let mountErrno = try facts.int("mount_errno")
            #expect([2, 19].contains(mountErrno), "ENOENT or ENODEV, got \(mountErrno)")
            let mount = try Self.one(db, "mount", pid: pid, "mount /nonexistent-src-\(tag) \(scratch) -t cf-nofs → \(Self.errnoName(-mountErrno))")
            #expect(mount["ret"] as Int64? == Int64(-mountErrno) && mount["aux"] as Int64? == 0)
            #expect(try Self.path(db, mount["object_id"]) == scratch)
            #expect(try Self.path(db, mount["aux2"]) == "/nonexistent-src-\(tag)")
            #expect(try Self.path(db, mount["aux3"]) == "cf-nofs")
            let umount = try Self.one(db, "umount", pid: pid, "umount \(scratch) → EINVAL")
            #expect(umount["ret"] as Int64? == -22 && umount["aux"] as Int64? == 0)
            let pivotResult = try facts.int("pivot_root")
            #expect([-2, -22].contains(pivotResult))
            let pivot = try Self.one(db, "pivot_root", pid: pid,
                                     "pivot_root /nonexistent-new-\(tag) /nonexistent-old-\(tag) → \(Self.errnoName(pivotResult))")
            #expect(try Self.path(db, pivot["aux2"]) == "/nonexistent-old-\(tag)")

            // modules: refused or absent (ENOSYS) whatever the kernel
            let unload = try facts.int("delete_module")
            #expect([-1, -2, -38].contains(unload))
            let delete = try Self.one(db, "module_unload", pid: pid, "delete_module cf_no_such_module → \(Self.errnoName(unload))")
            #expect(delete["ret"] as Int64? == Int64(unload) && delete["aux"] as Int64? == 0)
            let null = try facts.int("null_fd"), finit = try facts.int("finit_module")
            #expect(finit < 0)
            let finitRow = try Self.one(db, "module_load", pid: pid, "finit_module fd \(null) → \(Self.errnoName(finit))")
            #expect(finitRow["aux3"] as Int64? == Int64(null) && finitRow["aux"] as Int64? == 0 && finitRow["aux2"] as Int64? == nil)
            let initResult = try facts.int("init_module")
            #expect(initResult < 0)
            let initRow = try Self.one(db, "module_load", pid: pid, "init_module (16 bytes) → \(Self.errnoName(initResult))")
            #expect(initRow["aux2"] as Int64? == 16 && initRow["aux3"] as Int64? == nil)

            let caps = try #require(facts.lists["caps"])
            #expect(try facts.int("capset") == 0)
            let capset = try Self.one(db, "capset", pid: pid, "capset effective=0x\(String(caps[0], radix: 16)) "
                                        + "permitted=0x\(String(caps[1], radix: 16)) inheritable=0x\(String(caps[2], radix: 16)) → 0")
            #expect(capset["aux"] as Int64? == Int64(caps[0]) && capset["aux2"] as Int64? == Int64(caps[1]) && capset["aux3"] as Int64? == Int64(caps[2]))

            let target = try facts.int("ptrace_target")
            #expect(try facts.int("ptrace") == -3)
            let ptrace = try Self.one(db, "ptrace", pid: pid, "ptrace PTRACE_ATTACH \(target) → ESRCH")
            #expect(ptrace["aux"] as Int64? == 16 && ptrace["aux2"] as Int64? == Int64(target) && ptrace["ret"] as Int64? == -3)

            let map = try facts.int("bpf")
            #expect(map >= 0, "BPF_MAP_CREATE as root")
            let bpf = try Self.one(db, "bpf", pid: pid, "bpf BPF_MAP_CREATE type 2 name cfmap_\(tag) → \(map)")
            #expect(bpf["aux"] as Int64? == 0 && bpf["aux2"] as Int64? == 2)
            #expect(try Self.path(db, bpf["aux3"]) == "cfmap_\(tag)")

            // execveat of a memfd: the call (by the child, which it turns into /bin/true) and the exec
            let child = try facts.int("exec_child"), exe = try facts.int("exe_fd")
            #expect(try facts.int("exec_status") == 0)
            let execveat = try Self.one(db, "execveat", pid: child, "execveat (dirfd \(exe)) \"\" AT_EMPTY_PATH → 0")
            #expect(execveat["aux"] as Int64? == 0x1000 && execveat["aux3"] as Int64? == Int64(exe))
            #expect(try Self.path(db, execveat["object_id"]) == "")
            #expect(execveat["comm"] as String? == "python3", "the caller as it was at entry, not the program it became")
            let exec = try #require(try Self.rows(db, "exec", pid: child).first, "the exec row of the memfd program")
            #expect(exec["details"] as String? == "cf-true-\(tag)")
            #expect((execveat["ts"] as Int64? ?? .max) < (exec["ts"] as Int64? ?? .min), "the call is stamped at its entry, before the exec")
            let filename = try String.fetchOne(db, sql: "SELECT x.filename FROM execs x JOIN events e ON e.id = x.event_id WHERE e.kind = 1 AND e.pid = ?",
                                               arguments: [child])
            #expect(filename == "/dev/fd/\(exe)")

            // From a thread other than the main one: the exec happens (the thread takes the process's id).
            let threadChild = try facts.int("thread_exec_child"), threadTID = try facts.int("thread_exec_tid")
            #expect(try facts.int("thread_exec_status") == 0)
            let threadExec = try Self.rows(db, "exec", pid: threadChild).map { $0["details"] as String? ?? "" }
            #expect(threadExec == ["cf-thread-true-\(tag)"])
            // The thread's entry is kept with the thread itself (task storage), so the exit finds
            // it although exec gave the thread the process's id meanwhile.
            let calls = try Self.rows(db, "execveat", pid: threadChild)
            #expect(calls.map { $0["details"] as String? ?? "" } == ["execveat (dirfd \(exe)) \"\" AT_EMPTY_PATH → 0"],
                    "thread \(threadTID) of \(threadChild)")
            #expect(calls.first?["tid"] as Int64? == Int64(threadTID), "the calling thread, as it was at entry")
        }
    }

    /// Inside Docker containers, unprivileged: what Docker's default seccomp profile lets through
    /// (chroot, kill, su's setgid/setuid, setpriv's capset, a connection on the loopback) in one,
    /// and in a second one without the profile, escapes the kernel itself refuses for want of
    /// CAP_SYS_ADMIN (the default profile refuses mount, umount2, unshare and pivot_root before the
    /// kernel's syscall tracepoint, so no recorder sees them there). Every row carries its container.
    @Test func unprivilegedCallsInsideDockerContainers() async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        let tag = shortID()
        let started = try sh("docker run -d --name cf-priv-\(tag) --network none \(Self.image) sleep 120")
        #expect(started.status == 0, "\(started.output)")
        let id = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? sh("docker rm -f cf-priv-\(tag)") }
        let startedBare = try sh("docker run -d --name cf-priv-u-\(tag) --network none --security-opt seccomp=unconfined \(Self.image) sleep 120")
        #expect(startedBare.status == 0, "\(startedBare.output)")
        let bare = startedBare.output.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? sh("docker rm -f cf-priv-u-\(tag)") }
        let inside = "chroot /nonexistent-\(tag) true; kill -0 999999; su nobody -s /bin/true -c true; setpriv --inh-caps +chown true; "
            + "(nc -l -p 7007 > /tmp/got-\(tag) &); for i in 1 2 3 4 5 6 7 8 9 10; do echo hi-\(tag) | timeout 5 nc 127.0.0.1 7007 && break; sleep 0.2; done; "
            + "sleep 0.2; cat /tmp/got-\(tag)"
        let refused = "mount -t tmpfs cf-src-\(tag) /tmp; unshare -n true; umount /etc/hostname; pivot_root /cf-new-\(tag) /cf-old-\(tag); true"
        let queue = try await record {
            let result = try sh("docker exec cf-priv-\(tag) sh -c '\(inside)' 2>&1")
            #expect(result.output.contains("hi-\(tag)"), "the connection carried the line: \(result.output)")
            let denied = try sh("docker exec cf-priv-u-\(tag) sh -c '\(refused)' 2>&1")
            #expect(denied.status == 0, "\(denied.output)")
        }
        try await queue.read { db in
            func inContainer(_ kind: String, _ container: String, comm: String? = nil) throws -> [Row] {
                try Self.rows(db, kind).filter { $0["container_id"] as String? == container && (comm == nil || $0["comm"] as String? == comm) }
            }
            func details(_ rows: [Row]) -> [String] { rows.map { $0["details"] as String? ?? "nil" } }

            let chroot = try inContainer("chroot", id)
            #expect(details(chroot) == ["chroot /nonexistent-\(tag) → ENOENT"])
            #expect(chroot.first?["comm"] as String? == "chroot" && chroot.first?["container"] as String? == "cf-priv-\(tag)")
            let kill = try inContainer("kill", id).filter { $0["aux"] as Int64? == 999_999 }
            #expect(details(kill) == ["kill 999999 0 (existence check) → ESRCH"], "sh's builtin kill")
            #expect(details(try inContainer("setgid", id, comm: "su")) == ["setgid 65534 → 0"])
            #expect(details(try inContainer("setuid", id, comm: "su")) == ["setuid 65534 → 0"])
            let capset = try #require(try inContainer("capset", id, comm: "setpriv").first, "setpriv's capset")
            #expect(capset["ret"] as Int64? == 0 && capset["aux3"] as Int64? == 1, "inheritable = CAP_CHOWN")
            #expect((capset["details"] as String?)?.hasSuffix(" inheritable=0x1 → 0") == true, "\(capset["details"] as String? ?? "")")

            // nc -l: bind, listen, accept; nc: connect
            let listens = try inContainer("listen", id, comm: "nc")
            #expect(listens.count == 1 && listens.first?["ret"] as Int64? == 0, "\(details(listens))")
            let server = try #require(listens.first?["aux3"] as Int64?)
            let binds = details(try inContainer("bind", id, comm: "nc"))
            #expect(binds.contains { $0.hasSuffix(":7007 → 0") }, "\(binds)")
            let connects = try inContainer("connect", id, comm: "nc").filter { $0["ret"] as Int64? == 0 }
            #expect(details(connects) == ["connect 127.0.0.1:7007 → 0"])
            // busybox nc -l calls accept(fd, NULL, NULL): no peer address was asked for, so none is stored
            let accepts = try inContainer("accept", id, comm: "nc")
            let accept = try #require(accepts.first, "nc -l's accept")
            let connection = try #require(accept["ret"] as Int64?)
            #expect(accepts.count == 1 && connection >= 0 && accept["aux3"] as Int64? == server)
            #expect(accept["aux"] as Int64? == nil && accept["aux2"] as Int64? == nil && accept["object_id"] as Int64? == nil)
            #expect(accept["details"] as String? == "accept on fd \(server) → fd \(connection)")

            // without the seccomp profile: the kernel's own refusals, as rows of the second container
            let mounts = details(try inContainer("mount", bare, comm: "mount"))
            #expect(mounts.contains("mount cf-src-\(tag) /tmp -t tmpfs flags 0x8000 → EPERM"), "busybox mount adds MS_SILENT: \(mounts)")
            #expect(details(try inContainer("unshare", bare, comm: "unshare")) == ["unshare CLONE_NEWNET → EPERM"])
            #expect(details(try inContainer("umount", bare, comm: "umount")) == ["umount /etc/hostname → EPERM"])
            let pivots = try inContainer("pivot_root", bare)
            #expect(details(pivots) == ["pivot_root /cf-new-\(tag) /cf-old-\(tag) → EPERM"])
            #expect(pivots.first?["ret"] as Int64? == -1)
            #expect(try Self.rows(db, "mount", containing: "cf-src-\(tag)").allSatisfy { $0["container_id"] as String? == bare })
        }
    }

    /// Every kind added with the privilege calls has an `event_kinds` row whose meanings are there
    /// for exactly the columns the recorder fills for it.
    @Test func eventKindsDescribeEveryNewKind() async throws {
        guard Requirement.root() else { return }
        let queue = try await record {}
        // kind: the columns it fills (a: aux, 2: aux2, 3: aux3, o: object_id)
        let columns: [String: String] = [
            "fchmod": "a3", "fchown": "a23", "ftruncate": "a3", "accept": "a23o", "listen": "a3",
            "setuid": "a", "setreuid": "a2", "setresuid": "a23", "setfsuid": "a", "setgid": "a", "setregid": "a2", "setresgid": "a23", "setfsgid": "a",
            "capset": "a23", "ptrace": "a23", "mount": "a23o", "umount": "ao", "module_load": "a23o", "module_unload": "ao", "bpf": "a23",
            "unshare": "a", "setns": "a2", "memfd_create": "ao", "kill": "a23", "execveat": "a3o", "chroot": "o", "pivot_root": "2o",
        ]
        try await queue.read { db in
            for (name, used) in columns.sorted(by: { $0.key < $1.key }) {
                let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM event_kinds WHERE name = ?", arguments: [name]), "event_kinds row \(name)")
                #expect(!(row["description"] as String? ?? "").isEmpty, "\(name) description")
                #expect(!(row["ret_means"] as String? ?? "").isEmpty, "\(name) ret_means")
                for (column, letter) in [("aux_means", "a"), ("aux2_means", "2"), ("aux3_means", "3"), ("object_is", "o")] {
                    let meaning = row[column] as String?
                    #expect((meaning?.isEmpty == false) == used.contains(letter), "\(name).\(column) = \(meaning ?? "NULL")")
                }
            }
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM event_kinds WHERE name IN (\(columns.keys.map { "'\($0)'" }.joined(separator: ",")))")
            #expect(Set(ids) == Set(18...44), "kinds 18 to 44: \(ids.sorted())")
        }
    }
}
