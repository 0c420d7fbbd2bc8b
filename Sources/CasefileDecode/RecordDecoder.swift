import CCasefileABI
import CasefileModel

/// Turns raw ring-buffer records (layouts from `bpf/casefile.h`) into `Event` values.
///
/// Pure and total: a record that is too short or of an unknown kind is counted in
/// `undecodable`, never trusted and never a crash. The only place that reads the C ABI.
public struct RecordDecoder: Sendable {
    /// Records that could not be decoded since this decoder was made.
    public private(set) var undecodable: UInt64 = 0

    public init() {}

    /// Decodes records laid out as the probe delivers them: each `cf_header.size` bytes long,
    /// padded to 8 bytes. `records` is how many the buffer holds (the probe counts them): when a
    /// corrupt length stops the framing, every record not yet decoded is counted as lost.
    public mutating func decode(bytes: UnsafeRawBufferPointer, records: Int? = nil, into events: inout [Event]) {
        let headerSize = MemoryLayout<cf_header>.size
        var offset = 0
        var seen = 0
        // grown once, not doubled and copied as it fills (events are large values)
        if let records { events.reserveCapacity(events.count + records) }
        while offset + headerSize <= bytes.count {
            let header = bytes.loadUnaligned(fromByteOffset: offset, as: cf_header.self)
            let size = Int(header.size)
            seen += 1
            guard size >= headerSize, offset + size <= bytes.count else {
                // a corrupt length: nothing after it can be framed
                undecodable += UInt64(max(1, (records ?? seen) - seen + 1))
                return
            }
            let record = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + size)])
            if let event = Self.decodeRecord(header, record) {
                events.append(event)
            } else {
                undecodable += 1
            }
            offset += (size + 7) & ~7
        }
    }

    /// Decodes one record; nil when its kind is unknown or it is shorter than its fixed part.
    public static func decodeRecord(_ h: cf_header, _ record: UnsafeRawBufferPointer) -> Event? {
        var header = h
        let comm = cString(&header.comm)
        let body: Event.Body
        switch Int(h.kind) {
        case Int(CF_KIND_EXEC.rawValue):
            // argv, then the environment, follow the fixed part (read from the record itself).
            let argvOffset = cf_exec_argv_offset()
            guard var e = load(cf_exec.self, record, fixedPart: argvOffset) else { return nil }
            let tail = UnsafeRawBufferPointer(rebasing: record[argvOffset...])
            let argvLength = min(Int(e.argv_len), Int(CF_ARGV_MAX), tail.count)
            let envLength = min(Int(e.env_len), Int(CF_ENV_MAX), tail.count - argvLength)
            let envFlags = UInt32(CF_EXEC_ENV_TRUNCATED) | UInt32(CF_EXEC_ENV_UNREADABLE)
            let environment: ByteString? = envLength > 0 || e.flags & envFlags != 0
                ? ByteString(Array(tail[argvLength..<(argvLength + envLength)]))
                : nil
            var exec = Exec(
                process: ProcessKey(pid: h.pid, startBootNanoseconds: e.start_boot_ns),
                ppid: e.ppid, uid: e.uid, gid: e.gid, namespacePID: e.ns_pid,
                mountNamespace: e.mnt_ns, pidNamespace: e.pid_ns, oldPID: e.old_pid,
                comm: comm,
                filename: bytes(&e.filename, count: Int(e.filename_len)),
                argv: ByteString(Array(tail[0..<argvLength])),
                argvTruncated: e.flags & UInt32(CF_EXEC_ARGV_TRUNCATED) != 0,
                filenameTruncated: e.flags & UInt32(CF_EXEC_FILENAME_TRUNCATED) != 0,
                argvUnreadable: e.flags & UInt32(CF_EXEC_ARGV_UNREADABLE) != 0,
                filenameUnreadable: e.flags & UInt32(CF_EXEC_FILENAME_UNREADABLE) != 0)
            exec.environment = environment
            exec.environmentTruncated = e.flags & UInt32(CF_EXEC_ENV_TRUNCATED) != 0
            exec.environmentUnreadable = e.flags & UInt32(CF_EXEC_ENV_UNREADABLE) != 0
            body = .exec(exec)
        case Int(CF_KIND_FORK.rawValue):
            guard let e = load(cf_fork.self, record, fixedPart: MemoryLayout<cf_fork>.size) else { return nil }
            body = .fork(Fork(
                parent: ProcessKey(pid: h.pid, startBootNanoseconds: e.parent_start_boot_ns),
                child: ProcessKey(pid: e.child_pid, startBootNanoseconds: e.child_start_boot_ns),
                childTID: e.child_tid, uid: e.uid, gid: e.gid, comm: comm))
        case Int(CF_KIND_EXIT.rawValue):
            guard let e = load(cf_exit.self, record, fixedPart: MemoryLayout<cf_exit>.size) else { return nil }
            body = .exit(Exit(
                process: ProcessKey(pid: h.pid, startBootNanoseconds: e.start_boot_ns),
                ppid: e.ppid, status: e.exit_code, comm: comm))
        case Int(CF_KIND_CGROUP_MKDIR.rawValue), Int(CF_KIND_CGROUP_RMDIR.rawValue):
            guard var e = load(cf_cgroup.self, record, fixedPart: MemoryLayout<cf_cgroup>.offset(of: \.path)) else { return nil }
            let pathLength = min(Int(e.path_len), max(0, record.count - (MemoryLayout<cf_cgroup>.offset(of: \.path) ?? 0)))
            body = .cgroup(CgroupChange(
                change: Int(h.kind) == Int(CF_KIND_CGROUP_MKDIR.rawValue) ? .mkdir : .rmdir,
                id: e.id, hierarchyID: e.hierarchy_id, level: e.level,
                path: bytes(&e.path, count: pathLength),
                pathTruncated: e.flags & UInt16(CF_CGROUP_PATH_TRUNCATED) != 0))
        case Int(CF_KIND_OPEN.rawValue):
            guard var e = load(cf_open.self, record, fixedPart: MemoryLayout<cf_open>.offset(of: \.path)),
                  let syscall = FileOpen.Syscall(rawValue: e.syscall) else { return nil }
            let pathLength = min(Int(e.path_len), max(0, record.count - (MemoryLayout<cf_open>.offset(of: \.path) ?? 0)))
            let open = FileOpen(syscall: syscall, result: e.ret, dirFD: e.dfd, flags: e.flags, mode: e.mode,
                                path: bytes(&e.path, count: pathLength),
                                pathTruncated: e.path_flags & UInt16(CF_PATH_TRUNCATED) != 0,
                                pathUnreadable: e.path_flags & UInt16(CF_PATH_UNREADABLE) != 0,
                                exitBootNanoseconds: h.ts_boot_ns)
            // Stamped when the process asked (entry), not when the kernel answered.
            return Event(bootNanoseconds: e.enter_ns, pid: h.pid, tid: h.tid, cgroupID: h.cgroup_id, comm: comm, body: .open(open))
        case Int(CF_KIND_UNLINK.rawValue), Int(CF_KIND_RENAME.rawValue), Int(CF_KIND_CHMOD.rawValue),
             Int(CF_KIND_MKDIR.rawValue), Int(CF_KIND_RMDIR.rawValue), Int(CF_KIND_LINK.rawValue), Int(CF_KIND_SYMLINK.rawValue),
             Int(CF_KIND_CHOWN.rawValue), Int(CF_KIND_TRUNCATE.rawValue), Int(CF_KIND_FCHMOD.rawValue), Int(CF_KIND_FCHOWN.rawValue),
             Int(CF_KIND_FTRUNCATE.rawValue):
            guard var e = load(cf_path2.self, record, fixedPart: MemoryLayout<cf_path2>.size),
                  let kind = EventKind(rawValue: Int(h.kind)) else { return nil }
            let change = PathChange(
                kind: kind, result: e.ret, argument: e.arg, dirFD: e.dfd,
                path: bytes(&e.path, count: Int(e.path_len)), path2: bytes(&e.path2, count: Int(e.path2_len)), dirFD2: e.dfd2,
                pathTruncated: e.path_flags & UInt16(CF_PATH_TRUNCATED) != 0,
                pathUnreadable: e.path_flags & UInt16(CF_PATH_UNREADABLE) != 0,
                path2Truncated: (e.path_flags >> 2) & UInt16(CF_PATH_TRUNCATED) != 0,
                path2Unreadable: (e.path_flags >> 2) & UInt16(CF_PATH_UNREADABLE) != 0,
                syscallNumber: e.syscall_nr)
            return Event(bootNanoseconds: e.enter_ns, pid: h.pid, tid: h.tid, cgroupID: h.cgroup_id, comm: comm, body: .path(change))
        case Int(CF_KIND_CONNECT.rawValue), Int(CF_KIND_BIND.rawValue), Int(CF_KIND_ACCEPT.rawValue), Int(CF_KIND_LISTEN.rawValue):
            guard var e = load(cf_net.self, record, fixedPart: MemoryLayout<cf_net>.size),
                  let kind = EventKind(rawValue: Int(h.kind)) else { return nil }
            let raw = bytes(&e.addr, count: Int(CF_SOCKADDR_MAX)).bytes
            let (family, address, port) = SocketAddressCall.parse(raw, length: Int(e.addr_len))
            let call = SocketAddressCall(kind: kind, result: e.ret, fd: e.fd, family: family, address: address, port: port,
                                         argument: e.arg)
            return Event(bootNanoseconds: e.enter_ns, pid: h.pid, tid: h.tid, cgroupID: h.cgroup_id, comm: comm, body: .net(call))
        case Int(CF_KIND_SETUID.rawValue)..<Int(CF_KIND_MAX.rawValue):
            // cut after `str` when there is no second string
            guard var e = load(cf_call.self, record, fixedPart: MemoryLayout<cf_call>.offset(of: \.str)),
                  let kind = EventKind(rawValue: Int(h.kind)) else { return nil }
            let strOffset = MemoryLayout<cf_call>.offset(of: \.str) ?? 0
            let str2Offset = MemoryLayout<cf_call>.offset(of: \.str2) ?? 0
            let length = min(Int(e.str_len), max(0, record.count - strOffset))
            let length2 = min(Int(e.str2_len), max(0, record.count - str2Offset))
            let flags = e.str_flags
            let args = withUnsafeBytes(of: &e.args) { Array($0.bindMemory(to: Int64.self)) }
            let call = PrivilegeCall(
                kind: kind, result: e.ret, arguments: args,
                string: flags & UInt16(CF_PATH_ABSENT) != 0 ? nil : bytes(&e.str, count: length),
                string2: flags & UInt16(CF_PATH2_ABSENT) != 0 ? nil : bytes(&e.str2, count: length2),
                name: bytes(&e.name, count: Int(e.name_len)),
                stringTruncated: flags & UInt16(CF_PATH_TRUNCATED) != 0,
                stringUnreadable: flags & UInt16(CF_PATH_UNREADABLE) != 0,
                string2Truncated: (flags >> 2) & UInt16(CF_PATH_TRUNCATED) != 0,
                string2Unreadable: (flags >> 2) & UInt16(CF_PATH_UNREADABLE) != 0,
                syscallNumber: e.syscall_nr)
            return Event(bootNanoseconds: e.enter_ns, pid: h.pid, tid: h.tid, cgroupID: h.cgroup_id, comm: comm, body: .call(call))
        default:
            return nil
        }
        return Event(bootNanoseconds: h.ts_boot_ns, pid: h.pid, tid: h.tid, cgroupID: h.cgroup_id, comm: comm, body: body)
    }

    /// Copies a record into a zeroed struct; the record may be shorter than the struct (its
    /// variable tail is cut to the length written) but not shorter than `fixedPart`.
    private static func load<T>(_ type: T.Type, _ record: UnsafeRawBufferPointer, fixedPart: Int?) -> T? {
        guard let fixedPart, record.count >= fixedPart else { return nil }
        let value = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        defer { value.deallocate() }
        value.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
        if let base = record.baseAddress {
            value.copyMemory(from: base, byteCount: min(record.count, MemoryLayout<T>.size))
        }
        return value.load(as: T.self)
    }

    /// Bytes of a fixed C char array up to the first NUL.
    private static func cString<T>(_ tuple: inout T) -> ByteString {
        withUnsafeBytes(of: &tuple) { raw in
            let end = raw.firstIndex(of: 0) ?? raw.count
            return ByteString(Array(raw[0..<end]))
        }
    }

    /// The first `count` bytes of a C char array (clamped to its size).
    private static func bytes<T>(_ tuple: inout T, count: Int) -> ByteString {
        withUnsafeBytes(of: &tuple) { raw in ByteString(Array(raw[0..<min(max(0, count), raw.count)])) }
    }
}
