import CCasefileABI
import CasefileDecode
import CasefileModel
import CasefileTestSupport
import Testing

/// The decoder reads records exactly as bpf/casefile.h lays them out, and never trusts a length.
@Suite struct DecoderTests {
    /// Bytes of a C struct, cut to `size` (records carry only the used part of their tail).
    func record<T>(_ value: T, size: Int) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0.prefix(size)) }
    }

    func aligned(_ records: [[UInt8]]) -> [UInt8] {
        records.flatMap { $0 + [UInt8](repeating: 0, count: (8 - $0.count % 8) % 8) }
    }

    func decode(_ bytes: [UInt8], records: Int? = nil) -> ([Event], UInt64) {
        var decoder = RecordDecoder()
        var events: [Event] = []
        bytes.withUnsafeBytes { decoder.decode(bytes: $0, records: records, into: &events) }
        return (events, decoder.undecodable)
    }

    func execRecord(argv: [UInt8], env: [UInt8] = [], envFlags: UInt32 = 0) -> [UInt8] {
        var e = cf_exec()
        let argvOffset = cf_exec_argv_offset()
        e.h.kind = UInt32(CF_KIND_EXEC.rawValue)
        e.h.size = UInt32(argvOffset + argv.count + env.count)
        e.h.pid = 77
        e.h.tid = 78
        e.h.ts_boot_ns = 123
        e.h.cgroup_id = 9
        e.start_boot_ns = 55
        e.ppid = 1
        e.uid = 1000
        e.flags = UInt32(CF_EXEC_ARGV_TRUNCATED) | UInt32(CF_EXEC_FILENAME_UNREADABLE) | envFlags
        withUnsafeMutableBytes(of: &e.h.comm) { $0.copyBytes(from: Array("bash".utf8)) }
        withUnsafeMutableBytes(of: &e.filename) { $0.copyBytes(from: Array("/bin/bash".utf8)) }
        e.filename_len = 9
        e.argv_len = UInt16(argv.count)
        e.env_len = UInt16(env.count)
        // argv and the environment follow the fixed part (Swift does not import the C array)
        return record(e, size: argvOffset) + argv + env
    }

    @Test func execEnvironmentFollowsArgv() throws {
        let argv = Array("env\0".utf8), env = Array("A=1\0SECRET=x\0".utf8)
        let (events, bad) = decode(aligned([execRecord(argv: argv, env: env, envFlags: UInt32(CF_EXEC_ENV_TRUNCATED))]))
        #expect(bad == 0)
        guard case .exec(let x)? = events.first?.body else { Issue.record("not an exec"); return }
        #expect(x.argv.bytes == argv)
        #expect(x.environment?.bytes == env)
        #expect(x.environmentTruncated && !x.environmentUnreadable)
        // without capture there is no environment at all (not an empty one)
        let (plain, _) = decode(aligned([execRecord(argv: argv)]))
        guard case .exec(let y)? = plain.first?.body else { Issue.record("not an exec"); return }
        #expect(y.environment == nil)
        // a length that claims more than the record holds is cut to what is there
        var lying = execRecord(argv: argv, env: env)
        lying.removeLast(5)
        let size = UInt32(lying.count)
        lying.withUnsafeMutableBytes { $0.storeBytes(of: size, toByteOffset: MemoryLayout<cf_header>.offset(of: \.size) ?? 20, as: UInt32.self) }
        let (cut, cutBad) = decode(aligned([lying]))
        #expect(cutBad == 0)
        guard case .exec(let z)? = cut.first?.body else { Issue.record("not an exec"); return }
        #expect(z.environment?.bytes == Array(env.prefix(env.count - 5)))
    }

    @Test func privilegeCallRecordCutAfterItsString() throws {
        var c = cf_call()
        let strOffset = MemoryLayout<cf_call>.offset(of: \.str) ?? 0
        c.h.kind = UInt32(CF_KIND_MOUNT.rawValue)
        c.h.pid = 5
        c.enter_ns = 1000
        c.ret = -1
        c.args = (0x1000, 0, 0, 0)
        withUnsafeMutableBytes(of: &c.str) { $0.copyBytes(from: Array("/mnt".utf8)) }
        c.str_len = 4
        withUnsafeMutableBytes(of: &c.name) { $0.copyBytes(from: Array("ext4".utf8)) }
        c.name_len = 4
        c.str_flags = UInt16(CF_PATH2_ABSENT)
        c.h.size = UInt32(strOffset + 4)
        let (events, bad) = decode(aligned([record(c, size: strOffset + 4)]))
        #expect(bad == 0)
        let event = try #require(events.first)
        #expect(event.bootNanoseconds == 1000, "stamped at entry")
        guard case .call(let call) = event.body else { Issue.record("not a call"); return }
        #expect(call.kind == .mount && call.result == -1 && call.argument(0) == 0x1000)
        #expect(call.string?.bytes == Array("/mnt".utf8) && call.string2 == nil && call.name.bytes == Array("ext4".utf8))
        // shorter than its fixed part: refused, counted
        c.h.size = UInt32(strOffset - 8)
        let (none, refused) = decode(aligned([record(c, size: strOffset - 8)]))
        #expect(none.isEmpty && refused == 1)
    }

    @Test func execRecordWithVariableTail() throws {
        let argv = Array("bash\0-c\0echo hi\0".utf8)
        let (events, bad) = decode(aligned([execRecord(argv: argv)]))
        #expect(bad == 0)
        let event = try #require(events.first)
        #expect(event.pid == 77 && event.tid == 78 && event.bootNanoseconds == 123 && event.cgroupID == 9)
        guard case .exec(let x) = event.body else { Issue.record("not an exec"); return }
        #expect(x.argv.bytes == argv)
        #expect(x.arguments.map(\.displayText) == ["bash", "-c", "echo hi"])
        #expect(x.filename.bytes == Array("/bin/bash".utf8))
        #expect(x.comm.bytes == Array("bash".utf8))
        #expect(event.comm.bytes == Array("bash".utf8), "the header's comm is the event's")
        #expect(x.process == ProcessKey(pid: 77, startBootNanoseconds: 55))
        #expect(x.argvTruncated && !x.filenameTruncated)
        #expect(x.filenameUnreadable && !x.argvUnreadable)
    }

    @Test func severalKindsInOneBatch() {
        var fork = cf_fork()
        fork.h.kind = UInt32(CF_KIND_FORK.rawValue)
        fork.h.size = UInt32(MemoryLayout<cf_fork>.size)
        fork.h.pid = 10
        fork.child_pid = 11
        fork.child_start_boot_ns = 99
        var exit = cf_exit()
        exit.h.kind = UInt32(CF_KIND_EXIT.rawValue)
        exit.h.size = UInt32(MemoryLayout<cf_exit>.size)
        exit.h.pid = 11
        exit.exit_code = 9 // killed by SIGKILL
        var cg = cf_cgroup()
        let pathOffset = MemoryLayout<cf_cgroup>.offset(of: \.path) ?? 0
        cg.h.kind = UInt32(CF_KIND_CGROUP_RMDIR.rawValue)
        cg.h.size = UInt32(pathOffset + 7)
        cg.id = 4242
        cg.hierarchy_id = 3
        cg.path_len = 7
        withUnsafeMutableBytes(of: &cg.path) { $0.copyBytes(from: Array("/docker".utf8)) }
        let (events, bad) = decode(aligned([record(fork, size: Int(fork.h.size)), record(exit, size: Int(exit.h.size)),
                                            record(cg, size: Int(cg.h.size))]))
        #expect(bad == 0)
        #expect(events.map(\.kind) == [.fork, .exit, .cgroupRmdir])
        if case .fork(let f) = events[0].body { #expect(f.child == ProcessKey(pid: 11, startBootNanoseconds: 99)) }
        if case .exit(let x) = events[1].body { #expect(x.signal == 9 && x.code == 0) }
        if case .cgroup(let c) = events[2].body {
            #expect(c.path.bytes == Array("/docker".utf8) && c.id == 4242 && c.hierarchyID == 3 && c.change == .rmdir)
        }
    }

    @Test func hostileRecordsAreCountedNotTrusted() {
        // unknown kind: skipped and counted, the next record still decodes
        var unknown = cf_header()
        unknown.kind = 999
        unknown.size = UInt32(MemoryLayout<cf_header>.size)
        let good = execRecord(argv: Array("x\0".utf8))
        var (events, bad) = decode(aligned([record(unknown, size: Int(unknown.size)), good]))
        #expect(events.count == 1 && bad == 1)

        // a length that runs past the buffer stops framing, counted once
        var lying = cf_header()
        lying.kind = UInt32(CF_KIND_FORK.rawValue)
        lying.size = 1 << 20
        (events, bad) = decode(aligned([record(lying, size: MemoryLayout<cf_header>.size)]))
        #expect(events.isEmpty && bad == 1)
        // ... and when the probe said the batch held more records, all of those count as lost
        (events, bad) = decode(aligned([good, record(lying, size: MemoryLayout<cf_header>.size), good, good]), records: 4)
        #expect(events.count == 1 && bad == 3)

        // an exec shorter than its fixed part
        var short = cf_header()
        short.kind = UInt32(CF_KIND_EXEC.rawValue)
        short.size = UInt32(MemoryLayout<cf_header>.size + 4)
        (events, bad) = decode(aligned([record(short, size: MemoryLayout<cf_header>.size) + [1, 2, 3, 4]]))
        #expect(events.isEmpty && bad == 1)

        // an argv_len larger than what the record holds is clamped to the record
        var big = execRecord(argv: Array("abc".utf8))
        let lenOffset = MemoryLayout<cf_exec>.offset(of: \.argv_len) ?? 0
        big[lenOffset] = 0xFF
        big[lenOffset + 1] = 0x07
        (events, bad) = decode(aligned([big]))
        if case .exec(let x)? = events.first?.body { #expect(x.argv.bytes == Array("abc".utf8)) } else { Issue.record("no exec") }

        // random garbage never crashes
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let junk = (0..<Int.random(in: 0..<512, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = decode(junk)
        }
    }

    /// A file open: stamped at its entry, with its result, flags, mode, dirfd and path.
    @Test func openRecordIsStampedAtEntryWithItsResult() throws {
        var e = cf_open()
        let pathOffset = MemoryLayout<cf_open>.offset(of: \.path) ?? 0
        let path = Array("/etc/shadow".utf8)
        e.h.kind = UInt32(CF_KIND_OPEN.rawValue)
        e.h.size = UInt32(pathOffset + path.count)
        e.h.pid = 5
        e.h.tid = 6
        e.h.ts_boot_ns = 2_000
        e.enter_ns = 1_500
        e.ret = -13
        e.dfd = -100
        e.flags = 0o1101
        e.mode = 0o644
        e.syscall = UInt16(CF_SYS_OPENAT.rawValue)
        e.path_len = UInt16(path.count)
        withUnsafeMutableBytes(of: &e.path) { $0.copyBytes(from: path) }
        withUnsafeMutableBytes(of: &e.h.comm) { $0.copyBytes(from: Array("cat".utf8)) }
        let (events, bad) = decode(aligned([record(e, size: Int(e.h.size))]))
        #expect(bad == 0)
        let event = try #require(events.first)
        #expect(event.bootNanoseconds == 1_500, "the entry's time")
        #expect(event.kind == .open && event.comm.bytes == Array("cat".utf8))
        guard case .open(let o) = event.body else { Issue.record("not an open"); return }
        #expect(o.result == -13 && o.flags == 0o1101 && o.mode == 0o644 && o.dirFD == -100 && o.syscall == .openat)
        #expect(o.path.bytes == path && !o.pathTruncated && !o.pathUnreadable && o.exitBootNanoseconds == 2_000)
    }

    /// A rename: both paths, the flags and the result; the kind comes from the header.
    @Test func renameRecordCarriesBothPaths() throws {
        var e = cf_path2()
        e.h.kind = UInt32(CF_KIND_RENAME.rawValue)
        e.h.size = UInt32(MemoryLayout<cf_path2>.size)
        e.h.pid = 9
        e.enter_ns = 700
        e.ret = -18
        e.arg = 1
        e.dfd = -100
        e.dfd2 = 5
        e.path_len = 6
        e.path2_len = 1
        e.path_flags = UInt16(CF_PATH_TRUNCATED) << 2
        withUnsafeMutableBytes(of: &e.path) { $0.copyBytes(from: Array("/tmp/a".utf8)) }
        withUnsafeMutableBytes(of: &e.path2) { $0.copyBytes(from: Array("b".utf8)) }
        let (events, bad) = decode(aligned([record(e, size: Int(e.h.size))]))
        #expect(bad == 0)
        let event = try #require(events.first)
        guard case .path(let p) = event.body else { Issue.record("not a path change"); return }
        #expect(event.kind == .rename && event.bootNanoseconds == 700)
        #expect(p.path.bytes == Array("/tmp/a".utf8) && p.path2.bytes == Array("b".utf8) && p.dirFD2 == 5)
        #expect(p.result == -18 && p.argument == 1 && !p.pathTruncated && p.path2Truncated)
    }

    /// Socket addresses as processes pass them: IPv4, IPv6 (RFC 5952 text), unix paths, abstract names.
    @Test func socketAddressesAreParsed() {
        var v4: [UInt8] = [2, 0, 0x1f, 0x90, 10, 0, 0, 1]
        v4 += [UInt8](repeating: 0, count: 8)
        #expect(SocketAddressCall.parse(v4, length: 16) == (2, ByteString("10.0.0.1"), 8080))
        var v6: [UInt8] = [10, 0, 0, 9, 0, 0, 0, 0]
        v6 += [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1] + [0, 0, 0, 0]
        #expect(SocketAddressCall.parse(v6, length: 28) == (10, ByteString("2001:db8::1"), 9))
        let unix: [UInt8] = [1, 0] + Array("/run/x.sock".utf8) + [0, 0x41]
        #expect(SocketAddressCall.parse(unix, length: unix.count) == (1, ByteString("/run/x.sock"), 0))
        let abstract: [UInt8] = [1, 0, 0] + Array("name".utf8)
        #expect(SocketAddressCall.parse(abstract, length: abstract.count) == (1, ByteString("@name"), 0))
        #expect(SocketAddressCall.parse([2], length: 1).family == 0, "too short: unreadable, no trap")
        #expect(SocketAddressCall.ipv6Text([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]) == "::ffff:127.0.0.1")
    }
}
