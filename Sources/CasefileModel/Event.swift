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
        case .exec(let x): n += heap(x.comm) + heap(x.filename) + heap(x.argv)
        case .fork(let f): n += heap(f.comm)
        case .exit(let x): n += heap(x.comm)
        case .cgroup(let c): n += heap(c.path)
        case .open(let o): n += heap(o.path)
        case .path(let p): n += heap(p.path) + heap(p.path2)
        case .net(let s): n += heap(s.address)
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
    }
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
    /// This architecture's syscall number (which variant was called).
    public var syscallNumber: UInt32

    public init(kind: EventKind, result: Int64, argument: Int64, dirFD: Int32, path: ByteString, path2: ByteString = ByteString([]),
                dirFD2: Int32 = FileOpen.atFDCWD, pathTruncated: Bool = false, pathUnreadable: Bool = false,
                path2Truncated: Bool = false, syscallNumber: UInt32 = 0) {
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

/// connect or bind, with the socket address the process passed and the result.
public struct SocketAddressCall: Sendable, Equatable {
    /// `.connect` or `.bind`.
    public var kind: EventKind
    public var result: Int64
    public var fd: Int32
    /// 2 AF_INET, 10 AF_INET6, 1 AF_UNIX, ... (0: the address could not be read).
    public var family: UInt16
    /// IPv4/IPv6 text, a unix socket path (`@name` when abstract), or other families' bytes in hex.
    public var address: ByteString
    /// Port (IP families), else 0.
    public var port: UInt16

    public init(kind: EventKind, result: Int64, fd: Int32, family: UInt16, address: ByteString, port: UInt16) {
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
        }
    }

    /// Path syscalls recorded through `PathChange`.
    public static let pathChanges: Set<EventKind> = [.unlink, .rename, .chmod, .mkdir, .rmdir, .link, .symlink, .chown, .truncate]

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
        case .chown: "new uid (-1: unchanged)"
        case .truncate: "new length in bytes"
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
        case .chown: "new gid (-1: unchanged)"
        default: nil
        }
    }

    /// What `events.aux3` means for this kind (nil: unused).
    public var aux3Means: String? {
        switch self {
        case .open, .unlink, .rename, .chmod, .mkdir, .rmdir, .link, .chown, .truncate:
            "directory fd a relative path was given against (NULL: the working directory, or an absolute path)"
        case .connect, .bind: "the socket's file descriptor"
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
        case .exec, .exit: nil
        }
    }
}
