/// What the kernel told us, decoded: one value per ring-buffer record.
///
/// Events are plain values so every stage can pass them along without locks. Strings that come
/// from the observed system (paths, argv, comm) are kept as raw bytes (`ByteString`): they are
/// evidence and are stored exactly; only display code turns them into safe text.
public struct Event: Sendable, Equatable {
    /// `CLOCK_BOOTTIME` of the event, in nanoseconds (the kernel's `bpf_ktime_get_boot_ns`).
    public var bootNanoseconds: UInt64
    /// The process (thread-group id) that was running when the event happened.
    public var pid: UInt32
    /// The thread that was running.
    public var tid: UInt32
    /// The running task's cgroup id in the tracked hierarchy (v2 when mounted).
    public var cgroupID: UInt64
    /// The running thread's name (`comm`) at the event, exact bytes (empty when unknown).
    public var comm: ByteString
    public var body: Body

    public init(bootNanoseconds: UInt64, pid: UInt32, tid: UInt32, cgroupID: UInt64, comm: ByteString = ByteString([]), body: Body) {
        self.bootNanoseconds = bootNanoseconds
        self.pid = pid
        self.tid = tid
        self.cgroupID = cgroupID
        self.comm = comm
        self.body = body
    }

    /// About how many bytes the event holds in memory (its value and the heap storage of its
    /// strings): the writer backlog's budget is in bytes, so a storm of large execs and one of
    /// small exits weigh what they cost.
    public var approximateBytes: Int {
        func heap(_ s: ByteString) -> Int { s.bytes.isEmpty ? 0 : s.bytes.count + 32 }
        var n = MemoryLayout<Event>.stride + heap(comm)
        switch body {
        case .exec(let x): n += heap(x.comm) + heap(x.filename) + heap(x.argv) + heap(x.environment ?? ByteString([]))
        case .fork(let f): n += heap(f.comm)
        case .exit(let x): n += heap(x.comm)
        case .cgroup(let c): n += heap(c.path)
        case .open(let o): n += heap(o.path)
        case .path(let p): n += heap(p.path) + heap(p.path2)
        case .net(let s): n += heap(s.address)
        case .call(let c): n += heap(c.string ?? ByteString([])) + heap(c.string2 ?? ByteString([])) + heap(c.name)
        }
        return n
    }

    public var kind: EventKind {
        switch body {
        case .exec: .exec
        case .fork: .fork
        case .exit: .exit
        case .cgroup(let c): c.change == .mkdir ? .cgroupMkdir : .cgroupRmdir
        case .open: .open
        case .path(let p): p.kind
        case .net(let s): s.kind
        case .call(let c): c.kind
        }
    }

    public enum Body: Sendable, Equatable {
        case exec(Exec)
        case fork(Fork)
        case exit(Exit)
        case cgroup(CgroupChange)
        case open(FileOpen)
        case path(PathChange)
        case net(SocketAddressCall)
        case call(PrivilegeCall)
    }
}

/// What a syscall record's result is when the thread exited inside the syscall (it never
/// returned; the kernel side wrote the record at the thread's exit): stored as NULL.
public enum SyscallResult {
    public static let didNotReturn: Int64 = .min
}

/// A process instance: a PID alone is reused; PID plus start time is not (within one boot).
///
/// Identity is PID plus start time in clock ticks (`startTicks`, 1/100 s): that is the
/// resolution `/proc/PID/stat` reports, so processes found by the start-up walk of `/proc` and
/// the same processes seen later in kernel events get the same key. A PID cannot be reused
/// within one tick. The exact nanoseconds are kept when the kernel gave them.
public struct ProcessKey: Hashable, Sendable, CustomStringConvertible {
    public var pid: UInt32
    /// `task->start_boottime`: nanoseconds since boot when the process started (exact from BPF
    /// events, tick-rounded from `/proc`). Not part of the identity.
    public var startBootNanoseconds: UInt64

    /// Kernel USER_HZ: `/proc` reports times in 1/100 s on every Linux architecture.
    public static let nanosecondsPerTick: UInt64 = 10_000_000

    /// Start time in USER_HZ ticks since boot, as `/proc/PID/stat` field 22 gives it.
    public var startTicks: UInt64 { startBootNanoseconds / Self.nanosecondsPerTick }

    public init(pid: UInt32, startBootNanoseconds: UInt64) {
        self.pid = pid
        self.startBootNanoseconds = startBootNanoseconds
    }

    public init(pid: UInt32, startTicks: UInt64) {
        self.init(pid: pid, startBootNanoseconds: startTicks * Self.nanosecondsPerTick)
    }

    public static func == (a: ProcessKey, b: ProcessKey) -> Bool {
        a.pid == b.pid && a.startTicks == b.startTicks
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pid)
        hasher.combine(startTicks)
    }

    public var description: String { "\(pid)@\(startTicks)" }
}

public struct Exec: Sendable, Equatable {
    public var process: ProcessKey
    public var ppid: UInt32
    public var uid: UInt32
    public var gid: UInt32
    /// PID inside the process's own PID namespace (differs from `pid` in containers).
    public var namespacePID: UInt32
    public var mountNamespace: UInt32
    public var pidNamespace: UInt32
    /// PID before exec; differs from `pid` when a non-leader thread called execve.
    public var oldPID: UInt32
    public var comm: ByteString
    public var filename: ByteString
    /// argv as the kernel holds it: NUL-separated arguments, possibly cut at the capture cap.
    public var argv: ByteString
    public var argvTruncated: Bool
    public var filenameTruncated: Bool
    /// The kernel could not read argv (or the filename) at all: empty is then unknown, not empty.
    public var argvUnreadable: Bool
    public var filenameUnreadable: Bool
    /// The environment (NUL-separated), when the recording captures it (`--capture-environment`);
    /// nil when it does not.
    public var environment: ByteString?
    public var environmentTruncated: Bool = false
    public var environmentUnreadable: Bool = false

    public init(process: ProcessKey, ppid: UInt32, uid: UInt32, gid: UInt32, namespacePID: UInt32,
                mountNamespace: UInt32, pidNamespace: UInt32, oldPID: UInt32, comm: ByteString,
                filename: ByteString, argv: ByteString, argvTruncated: Bool, filenameTruncated: Bool,
                argvUnreadable: Bool = false, filenameUnreadable: Bool = false) {
        self.argvUnreadable = argvUnreadable
        self.filenameUnreadable = filenameUnreadable
        self.process = process
        self.ppid = ppid
        self.uid = uid
        self.gid = gid
        self.namespacePID = namespacePID
        self.mountNamespace = mountNamespace
        self.pidNamespace = pidNamespace
        self.oldPID = oldPID
        self.comm = comm
        self.filename = filename
        self.argv = argv
        self.argvTruncated = argvTruncated
        self.filenameTruncated = filenameTruncated
    }

    /// The arguments, split at NULs.
    public var arguments: [ByteString] {
        argv.bytes.split(separator: 0, omittingEmptySubsequences: false)
            .dropLast(argv.bytes.last == 0 ? 1 : 0)
            .map { ByteString(Array($0)) }
    }
}

public struct Fork: Sendable, Equatable {
    public var parent: ProcessKey
    public var child: ProcessKey
    public var childTID: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var comm: ByteString
    public init(parent: ProcessKey, child: ProcessKey, childTID: UInt32, uid: UInt32, gid: UInt32, comm: ByteString) {
        self.parent = parent
        self.child = child
        self.childTID = childTID
        self.uid = uid
        self.gid = gid
        self.comm = comm
    }
}

public struct Exit: Sendable, Equatable {
    public var process: ProcessKey
    public var ppid: UInt32
    /// The wait status the kernel keeps in `task->exit_code`.
    public var status: UInt32
    public var comm: ByteString
    public init(process: ProcessKey, ppid: UInt32, status: UInt32, comm: ByteString) {
        self.process = process
        self.ppid = ppid
        self.status = status
        self.comm = comm
    }
    /// Exit code given to exit(2) (meaningful when `signal` is 0).
    public var code: Int { Int((status >> 8) & 0xff) }
    /// Signal that killed the process, or 0.
    public var signal: Int { Int(status & 0x7f) }
    public var coreDumped: Bool { status & 0x80 != 0 }
}

public struct CgroupChange: Sendable, Equatable {
    public enum Change: Sendable { case mkdir, rmdir }
    public var change: Change
    /// Kernel cgroup id (kernfs node id; the directory's inode number on cgroup v2).
    public var id: UInt64
    /// Which hierarchy: 0 is the v2 (unified) hierarchy; v1 hierarchies have their own ids.
    public var hierarchyID: UInt32
    public var level: UInt32
    /// Path inside the hierarchy, e.g. `/docker/<id>`.
    public var path: ByteString
    /// The kernel's path buffer was full: `path` is cut.
    public var pathTruncated: Bool
    public init(change: Change, id: UInt64, hierarchyID: UInt32, level: UInt32, path: ByteString, pathTruncated: Bool = false) {
        self.pathTruncated = pathTruncated
        self.change = change
        self.id = id
        self.hierarchyID = hierarchyID
        self.level = level
        self.path = path
    }
}

/// open, openat, openat2 or creat, with its result. Stamped at the syscall's entry (when the
/// process asked); the path is read then, as the process gave it (relative paths are relative to
/// `dirFD`, or to the working directory when it is `AT_FDCWD`).
public struct FileOpen: Sendable, Equatable {
    public enum Syscall: UInt16, Sendable { case open = 1, openat = 2, openat2 = 3, creat = 4 }
    public var syscall: Syscall
    /// The new file descriptor, or -errno.
    public var result: Int64
    public var dirFD: Int32
    public var flags: UInt32
    public var mode: UInt32
    public var path: ByteString
    public var pathTruncated: Bool
    public var pathUnreadable: Bool
    /// Boot clock at the syscall's exit (the event's own time is its entry).
    public var exitBootNanoseconds: UInt64

    public init(syscall: Syscall, result: Int64, dirFD: Int32, flags: UInt32, mode: UInt32, path: ByteString,
                pathTruncated: Bool = false, pathUnreadable: Bool = false, exitBootNanoseconds: UInt64 = 0) {
        self.syscall = syscall
        self.result = result
        self.dirFD = dirFD
        self.flags = flags
        self.mode = mode
        self.path = path
        self.pathTruncated = pathTruncated
        self.pathUnreadable = pathUnreadable
        self.exitBootNanoseconds = exitBootNanoseconds
    }

    /// `AT_FDCWD`: a relative path is relative to the working directory.
    public static let atFDCWD: Int32 = -100
}

/// unlink, rename, chmod, mkdir or rmdir (and their *at variants), with its result. Stamped at the
/// syscall's entry; paths as the process gave them, read then.
public struct PathChange: Sendable, Equatable {
    /// `.unlink`, `.rename`, `.chmod`, `.mkdir` or `.rmdir`.
    public var kind: EventKind
    /// 0, or -errno.
    public var result: Int64
    /// Mode (chmod, mkdir) or flags (unlinkat, renameat2).
    public var argument: Int64
    public var dirFD: Int32
    public var path: ByteString
    /// rename: the new path (and its directory fd); empty otherwise.
    public var path2: ByteString
    public var dirFD2: Int32
    public var pathTruncated: Bool
    public var pathUnreadable: Bool
    public var path2Truncated: Bool
    /// The second path could not be read (it is then stored as NULL, not as an empty path).
    public var path2Unreadable: Bool
    /// This architecture's syscall number (which variant was called).
    public var syscallNumber: UInt32

    public init(kind: EventKind, result: Int64, argument: Int64, dirFD: Int32, path: ByteString, path2: ByteString = ByteString([]),
                dirFD2: Int32 = FileOpen.atFDCWD, pathTruncated: Bool = false, pathUnreadable: Bool = false,
                path2Truncated: Bool = false, path2Unreadable: Bool = false, syscallNumber: UInt32 = 0) {
        self.path2Unreadable = path2Unreadable
        self.kind = kind
        self.result = result
        self.argument = argument
        self.dirFD = dirFD
        self.path = path
        self.path2 = path2
        self.dirFD2 = dirFD2
        self.pathTruncated = pathTruncated
        self.pathUnreadable = pathUnreadable
        self.path2Truncated = path2Truncated
        self.syscallNumber = syscallNumber
    }
}

/// connect or bind (the socket address the process passed), accept (the peer's address the
/// kernel wrote for it; family 0 when the process passed no buffer) or listen (no address), with
/// the result.
public struct SocketAddressCall: Sendable, Equatable {
    /// `.connect`, `.bind`, `.accept` or `.listen`.
    public var kind: EventKind
    public var result: Int64
    public var fd: Int32
    /// 2 AF_INET, 10 AF_INET6, 1 AF_UNIX, ... (0: the address could not be read).
    public var family: UInt16
    /// IPv4/IPv6 text, a unix socket path (`@name` when abstract), or other families' bytes in hex.
    public var address: ByteString
    /// Port (IP families), else 0.
    public var port: UInt16
    /// accept4: its flags; listen: the backlog; 0 otherwise.
    public var argument: Int32

    public init(kind: EventKind, result: Int64, fd: Int32, family: UInt16, address: ByteString, port: UInt16, argument: Int32 = 0) {
        self.argument = argument
        self.kind = kind
        self.result = result
        self.fd = fd
        self.family = family
        self.address = address
        self.port = port
    }

    /// Parses a `struct sockaddr` as the process passed it (`length` bytes of `bytes`).
    public static func parse(_ bytes: [UInt8], length: Int) -> (family: UInt16, address: ByteString, port: UInt16) {
        let b = Array(bytes.prefix(max(0, min(length, bytes.count))))
        guard b.count >= 2 else { return (0, ByteString([]), 0) }
        let family = UInt16(b[0]) | UInt16(b[1]) << 8
        func port() -> UInt16 { b.count >= 4 ? UInt16(b[2]) << 8 | UInt16(b[3]) : 0 }
        switch family {
        case 2 where b.count >= 8:
            return (family, ByteString("\(b[4]).\(b[5]).\(b[6]).\(b[7])"), port())
        case 10 where b.count >= 24:
            var groups: [UInt16] = []
            for i in stride(from: 8, to: 24, by: 2) { groups.append(UInt16(b[i]) << 8 | UInt16(b[i + 1])) }
            return (family, ByteString(ipv6Text(groups)), port())
        case 1:
            var path = Array(b.dropFirst(2))
            if path.first == 0 { // abstract: a leading NUL, the name is the rest (NULs included)
                path = Array("@".utf8) + path.dropFirst()
            } else if let end = path.firstIndex(of: 0) {
                path = Array(path[..<end])
            }
            return (family, ByteString(path), 0)
        default:
            let digits = Array("0123456789abcdef".utf8)
            return (family, ByteString(b.dropFirst(2).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }), 0)
        }
    }

    /// RFC 5952 text: the longest run of zero groups (two or more) becomes `::`; IPv4-mapped
    /// addresses end in dotted quad.
    public static func ipv6Text(_ g: [UInt16]) -> String {
        if g[0...4].allSatisfy({ $0 == 0 }) && g[5] == 0xffff {
            return "::ffff:\(g[6] >> 8).\(g[6] & 0xff).\(g[7] >> 8).\(g[7] & 0xff)"
        }
        var best = (start: -1, length: 0), i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > best.length { best = (i, j - i) }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ r: ArraySlice<UInt16>) -> String { r.map { String($0, radix: 16) }.joined(separator: ":") }
        guard best.length >= 2 else { return hex(g[0..<8]) }
        return hex(g[0..<best.start]) + "::" + hex(g[(best.start + best.length)..<8])
    }
}

/// A privilege or escape call (setuid family, capset, ptrace, mount, umount, modules, bpf,
/// unshare, setns, memfd_create, kill family, execveat, chroot, pivot_root), with its result.
/// Stamped at the syscall's entry; strings as the process gave them, read then. What each of
/// `arguments`, `string`, `string2` and `name` holds per kind is said next to the kind in
/// `bpf/casefile.h` (and, as stored, in `event_kinds`).
public struct PrivilegeCall: Sendable, Equatable {
    public var kind: EventKind
    /// The result (0, an fd, a previous id, ...), -errno, or `SyscallResult.didNotReturn`.
    public var result: Int64
    public var arguments: [Int64]
    /// The main string (a path, a module's parameters or name, a memfd name); nil when the
    /// process passed none.
    public var string: ByteString?
    public var string2: ByteString?
    /// A short name: the filesystem type of mount, the program or map name of bpf.
    public var name: ByteString
    public var stringTruncated: Bool
    /// The string could not be read (capset: its data could not be read).
    public var stringUnreadable: Bool
    public var string2Truncated: Bool
    public var string2Unreadable: Bool
    public var syscallNumber: UInt32

    public init(kind: EventKind, result: Int64, arguments: [Int64], string: ByteString? = nil, string2: ByteString? = nil,
                name: ByteString = ByteString([]), stringTruncated: Bool = false, stringUnreadable: Bool = false,
                string2Truncated: Bool = false, string2Unreadable: Bool = false, syscallNumber: UInt32 = 0) {
        self.kind = kind
        self.result = result
        self.arguments = arguments
        self.string = string
        self.string2 = string2
        self.name = name
        self.stringTruncated = stringTruncated
        self.stringUnreadable = stringUnreadable
        self.string2Truncated = string2Truncated
        self.string2Unreadable = string2Unreadable
        self.syscallNumber = syscallNumber
    }

    /// The argument at `i`, 0 when absent.
    public func argument(_ i: Int) -> Int64 { i < arguments.count ? arguments[i] : 0 }
}

/// The groups `record --events` takes (besides single kinds).
public enum EventGroup: String, Sendable, CaseIterable {
    case process, file, network, privilege, cgroup

    public var kinds: [EventKind] { EventKind.allCases.filter { $0.group == self } }
}

/// Every kind of event Casefile stores: the one definition. The raw value is what `events.kind`
/// holds; the store writes `name` and the meanings below into the case file's `event_kinds`
/// table, so `sqlite3` users read them next to the data.
public enum EventKind: Int, Sendable, CaseIterable, Hashable {
    case exec = 1
    case fork = 2
    case exit = 3
    case cgroupMkdir = 4
    case cgroupRmdir = 5
    case open = 6
    case unlink = 7
    case rename = 8
    case chmod = 9
    case mkdir = 10
    case rmdir = 11
    case connect = 12
    case bind = 13
    case link = 14
    case symlink = 15
    case chown = 16
    case truncate = 17
    case fchmod = 18
    case fchown = 19
    case ftruncate = 20
    case accept = 21
    case listen = 22
    case setuid = 23
    case setreuid = 24
    case setresuid = 25
    case setfsuid = 26
    case setgid = 27
    case setregid = 28
    case setresgid = 29
    case setfsgid = 30
    case capset = 31
    case ptrace = 32
    case mount = 33
    case umount = 34
    case moduleLoad = 35
    case moduleUnload = 36
    case bpf = 37
    case unshare = 38
    case setns = 39
    case memfdCreate = 40
    case kill = 41
    case execveat = 42
    case chroot = 43
    case pivotRoot = 44

    /// Kinds the kernel side records from syscalls (chosen per kind in the kernel).
    public var isSyscall: Bool { rawValue >= EventKind.open.rawValue }

    /// Kinds recorded through `PrivilegeCall`.
    public var isPrivilegeCall: Bool { rawValue >= EventKind.setuid.rawValue }

    public var group: EventGroup {
        switch self {
        case .exec, .fork, .exit: .process
        case .cgroupMkdir, .cgroupRmdir: .cgroup
        case .open, .unlink, .rename, .chmod, .mkdir, .rmdir, .link, .symlink, .chown, .truncate, .fchmod, .fchown, .ftruncate: .file
        case .connect, .bind, .accept, .listen: .network
        default: .privilege
        }
    }

    /// The name used in the store, the CLI (`--kind`) and reports.
    public var name: String {
        switch self {
        case .exec: "exec"
        case .fork: "fork"
        case .exit: "exit"
        case .cgroupMkdir: "cgroup_mkdir"
        case .cgroupRmdir: "cgroup_rmdir"
        case .open: "open"
        case .unlink: "unlink"
        case .rename: "rename"
        case .chmod: "chmod"
        case .mkdir: "mkdir"
        case .rmdir: "rmdir"
        case .connect: "connect"
        case .bind: "bind"
        case .link: "link"
        case .symlink: "symlink"
        case .chown: "chown"
        case .truncate: "truncate"
        case .fchmod: "fchmod"
        case .fchown: "fchown"
        case .ftruncate: "ftruncate"
        case .accept: "accept"
        case .listen: "listen"
        case .setuid: "setuid"
        case .setreuid: "setreuid"
        case .setresuid: "setresuid"
        case .setfsuid: "setfsuid"
        case .setgid: "setgid"
        case .setregid: "setregid"
        case .setresgid: "setresgid"
        case .setfsgid: "setfsgid"
        case .capset: "capset"
        case .ptrace: "ptrace"
        case .mount: "mount"
        case .umount: "umount"
        case .moduleLoad: "module_load"
        case .moduleUnload: "module_unload"
        case .bpf: "bpf"
        case .unshare: "unshare"
        case .setns: "setns"
        case .memfdCreate: "memfd_create"
        case .kill: "kill"
        case .execveat: "execveat"
        case .chroot: "chroot"
        case .pivotRoot: "pivot_root"
        }
    }

    /// Path syscalls recorded through `PathChange` (the fd forms have no path).
    public static let pathChanges: Set<EventKind> = [.unlink, .rename, .chmod, .mkdir, .rmdir, .link, .symlink, .chown, .truncate,
                                                     .fchmod, .fchown, .ftruncate]

    /// Calls on a file descriptor rather than a path.
    public static let fdCalls: Set<EventKind> = [.fchmod, .fchown, .ftruncate]

    /// Path syscalls whose second path (`aux2`) is a `paths.id`.
    public static let twoPaths: Set<EventKind> = [.rename, .link, .symlink]

    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    /// What happened, and where its details are.
    public var description: String {
        switch self {
        case .exec: "A process replaced its program (execve/execveat succeeded). Details in execs (execs.event_id = events.id)."
        case .fork: "A process created a new process (fork/vfork/clone without CLONE_THREAD). pid is the parent."
        case .exit: "The last thread of a process exited. pid is the process."
        case .cgroupMkdir: "A cgroup directory was created, in any hierarchy. pid is the task that created it."
        case .cgroupRmdir: "A cgroup directory was removed, in any hierarchy. pid is the task that removed it."
        case .open: "A process opened (or tried to open) a file: open, openat, openat2 or creat, at its entry, with its result. Failed attempts are rows too."
        case .unlink: "A process removed (or tried to remove) a file name: unlink, unlinkat."
        case .rename: "A process renamed (or tried to rename) a file: rename, renameat, renameat2."
        case .chmod: "A process changed (or tried to change) a file's mode: chmod, fchmodat."
        case .mkdir: "A process made (or tried to make) a directory: mkdir, mkdirat."
        case .rmdir: "A process removed (or tried to remove) a directory: rmdir, unlinkat with AT_REMOVEDIR."
        case .connect: "A process connected (or tried to connect) a socket to an address."
        case .bind: "A process bound (or tried to bind) a socket to a local address."
        case .link: "A process made (or tried to make) a hard link: link, linkat."
        case .symlink: "A process made (or tried to make) a symbolic link: symlink, symlinkat."
        case .chown: "A process changed (or tried to change) a file's owner: chown, lchown, fchownat."
        case .truncate: "A process truncated (or tried to truncate) a file by path: truncate."
        case .fchmod: "A process changed (or tried to change) an open file's mode: fchmod."
        case .fchown: "A process changed (or tried to change) an open file's owner: fchown."
        case .ftruncate: "A process truncated (or tried to truncate) an open file: ftruncate."
        case .accept: "A process accepted (or tried to accept) a connection on a listening socket: accept, accept4. The peer's address is what the kernel wrote for the process (none when it passed no buffer)."
        case .listen: "A process made (or tried to make) a socket listen: listen."
        case .setuid: "A process set (or tried to set) its user id: setuid."
        case .setreuid: "A process set (or tried to set) its real and effective user ids: setreuid."
        case .setresuid: "A process set (or tried to set) its real, effective and saved user ids: setresuid."
        case .setfsuid: "A process set its filesystem user id: setfsuid (it returns the previous one, never an error)."
        case .setgid: "A process set (or tried to set) its group id: setgid."
        case .setregid: "A process set (or tried to set) its real and effective group ids: setregid."
        case .setresgid: "A process set (or tried to set) its real, effective and saved group ids: setresgid."
        case .setfsgid: "A process set its filesystem group id: setfsgid (it returns the previous one)."
        case .capset: "A process changed (or tried to change) its capability sets: capset."
        case .ptrace: "A process used (or tried to use) ptrace on another: attach, seize, peek, poke, ..."
        case .mount: "A process mounted (or tried to mount) a filesystem: mount."
        case .umount: "A process unmounted (or tried to unmount) a filesystem: umount2."
        case .moduleLoad: "A process loaded (or tried to load) a kernel module: init_module, finit_module."
        case .moduleUnload: "A process removed (or tried to remove) a kernel module: delete_module."
        case .bpf: "A process used (or tried to use) the bpf syscall (Casefile's own calls are not recorded)."
        case .unshare: "A process moved (or tried to move) into new namespaces: unshare."
        case .setns: "A process joined (or tried to join) a namespace: setns."
        case .memfdCreate: "A process created (or tried to create) an anonymous memory file: memfd_create (a way to run programs that never touch a disk)."
        case .kill: "A process sent (or tried to send) a signal: kill, tkill, tgkill."
        case .execveat: "A process called execveat (a successful one is also an exec row; AT_EMPTY_PATH runs the file an fd refers to, e.g. a memfd)."
        case .chroot: "A process changed (or tried to change) its root directory: chroot."
        case .pivotRoot: "A process swapped (or tried to swap) its root filesystem: pivot_root."
        }
    }

    /// What `events.ret` means for this kind (nil: unused).
    public var retMeans: String? {
        switch self {
        case .exit: "exit code (0-255), when not killed by a signal"
        case .open: "the new file descriptor, or -errno (e.g. -2 ENOENT, -13 EACCES)"
        case .unlink, .rename, .chmod, .mkdir, .rmdir, .bind, .link, .symlink, .chown, .truncate: "0, or -errno"
        case .connect: "0, or -errno (-115 EINPROGRESS: a non-blocking connect under way)"
        case .exec, .fork, .cgroupMkdir, .cgroupRmdir: nil
        case .accept, .memfdCreate: "the new file descriptor, or -errno (NULL: the thread exited inside the call)"
        case .setfsuid, .setfsgid: "the previous id (NULL: the thread exited inside the call)"
        case .bpf: "a file descriptor or 0, or -errno (NULL: the thread exited inside the call)"
        default: "0, or -errno (NULL: the thread exited inside the call)"
        }
    }

    /// What `events.aux` means for this kind (nil: unused).
    public var auxMeans: String? {
        switch self {
        case .exec: "pid before exec (differs when a thread called exec)"
        case .fork: "child pid"
        case .exit: "signal that killed it, or 0 (+128 when it dumped core)"
        case .cgroupMkdir, .cgroupRmdir: "hierarchy id"
        case .open: "open flags (O_*, as the process passed them; creat is O_CREAT|O_WRONLY|O_TRUNC)"
        case .chmod, .mkdir: "mode"
        case .unlink, .rmdir: "unlinkat flags (AT_REMOVEDIR = 0x200)"
        case .rename: "renameat2 flags (RENAME_NOREPLACE 1, RENAME_EXCHANGE 2, RENAME_WHITEOUT 4)"
        case .connect, .bind: "address family (2 AF_INET, 10 AF_INET6, 1 AF_UNIX)"
        case .link: "linkat flags (AT_SYMLINK_FOLLOW 0x400)"
        case .symlink: nil
        case .chown, .fchown: "new uid (-1: unchanged)"
        case .truncate, .ftruncate: "new length in bytes"
        case .fchmod: "mode"
        case .accept: "address family of the peer (NULL: no address was asked for)"
        case .listen: "backlog"
        case .setuid, .setfsuid: "uid"
        case .setgid, .setfsgid: "gid"
        case .setreuid, .setresuid: "real uid (-1: unchanged)"
        case .setregid, .setresgid: "real gid (-1: unchanged)"
        case .capset: "effective set (bit n = capability n; NULL: the data could not be read)"
        case .ptrace: "request (16 PTRACE_ATTACH, 0x4206 PTRACE_SEIZE, 0 PTRACE_TRACEME, 4/5 POKETEXT/POKEDATA, ...)"
        case .mount: "mount flags (MS_*)"
        case .umount: "umount2 flags (MNT_FORCE 1, MNT_DETACH 2, ...)"
        case .moduleLoad: "finit_module flags (NULL for init_module)"
        case .moduleUnload: "delete_module flags (O_NONBLOCK, O_TRUNC = force)"
        case .bpf: "command (0 BPF_MAP_CREATE, 5 BPF_PROG_LOAD, 6 BPF_OBJ_PIN, 8 BPF_PROG_ATTACH, 28 BPF_LINK_CREATE, ...)"
        case .unshare: "flags (CLONE_NEW*)"
        case .setns: "namespace file descriptor (or pidfd)"
        case .memfdCreate: "flags (MFD_CLOEXEC 1, MFD_ALLOW_SEALING 2, MFD_EXEC 0x10, ...)"
        case .kill: "pid as kill takes it (0: own group, -1: every process allowed, < -1: a group), or the tgid of tgkill; NULL for tkill"
        case .execveat: "flags (AT_EMPTY_PATH 0x1000, AT_SYMLINK_NOFOLLOW 0x100)"
        case .chroot, .pivotRoot: nil
        }
    }

    /// What `events.aux2` means for this kind (nil: unused).
    public var aux2Means: String? {
        switch self {
        case .open: "creation mode (meaningful with O_CREAT or O_TMPFILE)"
        case .rename: "paths.id of the new path"
        case .connect, .bind: "port (IP families)"
        case .link: "paths.id of the new name"
        case .symlink: "paths.id of the new link"
        case .chown, .fchown: "new gid (-1: unchanged)"
        case .accept: "port of the peer (IP families)"
        case .setreuid, .setresuid: "effective uid (-1: unchanged)"
        case .setregid, .setresgid: "effective gid (-1: unchanged)"
        case .capset: "permitted set"
        case .ptrace: "target pid"
        case .mount: "paths.id of the source (NULL: none given)"
        case .moduleLoad: "init_module: length of the module image in bytes"
        case .bpf: "program type (BPF_PROG_LOAD) or map type (BPF_MAP_CREATE)"
        case .setns: "namespace type asked for (CLONE_NEW*, 0: any)"
        case .kill: "signal (0: only checks the target exists)"
        case .pivotRoot: "paths.id of put_old"
        default: nil
        }
    }

    /// What `events.aux3` means for this kind (nil: unused).
    public var aux3Means: String? {
        switch self {
        case .open, .unlink, .rename, .chmod, .mkdir, .rmdir, .link, .chown, .truncate:
            "directory fd a relative path was given against (NULL: the working directory, or an absolute path)"
        case .connect, .bind, .listen: "the socket's file descriptor"
        case .accept: "the listening socket's file descriptor"
        case .fchmod, .fchown, .ftruncate: "the file descriptor"
        case .setresuid: "saved uid (-1: unchanged)"
        case .setresgid: "saved gid (-1: unchanged)"
        case .capset: "inheritable set"
        case .ptrace: "address argument"
        case .mount: "paths.id of the filesystem type"
        case .moduleLoad: "finit_module: the module file's descriptor"
        case .bpf: "paths.id of the program or map name (NULL: none)"
        case .kill: "thread id (tkill, tgkill)"
        case .execveat: "directory fd the path was given against (NULL: the working directory, or an absolute path)"
        default: nil
        }
    }

    /// What `events.object_id` points to for this kind (nil: unused).
    public var objectIs: String? {
        switch self {
        case .fork: "processes.id of the child"
        case .cgroupMkdir: "cgroups.id of the new cgroup"
        case .cgroupRmdir: "cgroups.id of the removed cgroup"
        case .open, .unlink, .chmod, .mkdir, .rmdir: "paths.id of the path as the process gave it (NULL: the kernel could not read it)"
        case .rename: "paths.id of the old path as the process gave it (NULL: the kernel could not read it)"
        case .connect, .bind: "addresses.id of the address (NULL: the kernel could not read it)"
        case .link: "paths.id of the existing file as the process gave it (NULL: unreadable)"
        case .symlink: "paths.id of the link's target text (NULL: unreadable)"
        case .chown, .truncate: "paths.id of the path as the process gave it (NULL: the kernel could not read it)"
        case .accept: "addresses.id of the peer's address (NULL: not asked for, or unreadable)"
        case .mount, .umount: "paths.id of the mount point as the process gave it"
        case .moduleLoad: "paths.id of the module parameters"
        case .moduleUnload: "paths.id of the module name"
        case .memfdCreate: "paths.id of the memfd's name"
        case .execveat, .chroot: "paths.id of the path as the process gave it"
        case .pivotRoot: "paths.id of new_root"
        default: nil
        }
    }
}
