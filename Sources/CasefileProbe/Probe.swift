import CCasefileABI
import CCasefileBPF
import CasefileModel
import Foundation

/// Why the probe could not start, with what to do about it.
public struct ProbeError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var errno: Int32
    public var detail: String

    public var description: String {
        var hint = ""
        switch errno {
        case EPERM, EACCES:
            hint = geteuid() == 0
                ? " Running as root but the kernel refused: kernel lockdown, a seccomp profile or missing CAP_BPF/CAP_PERFMON (in a container: run it privileged)."
                : " Run as root: sudo casefile record (loading BPF programs needs CAP_BPF and CAP_PERFMON)."
        case ENOENT, ENOTSUP, EINVAL:
            hint = " The kernel may lack BTF (/sys/kernel/btf/vmlinux) or this tracepoint; Casefile needs Linux 5.8+ with CONFIG_DEBUG_INFO_BTF."
        default: break
        }
        let why = errno != 0 ? ": \(String(cString: strerror(errno))) (errno \(errno))" : ""
        let log = detail.isEmpty ? "" : "\nlibbpf said:\n\(detail)"
        return "\(operation) failed\(why).\(hint)\(log)"
    }
}

/// The kernel side of Casefile: the embedded BPF object, loaded and attached, and its ring buffer.
///
/// One thread owns a `Probe` (it is not `Sendable`): it polls, drains and reads counters. Every
/// libbpf call in Casefile is in this file.
public final class Probe {
    /// `CF_ABI_VERSION` of the record layouts in `bpf/casefile.h`.
    public static let abiVersion = Int(CF_ABI_VERSION)

    /// Programs in the object, in the order they are attached.
    public private(set) var attached: [String] = []
    /// Programs that failed to attach, with the reason. The recorder reports them in the session.
    public private(set) var failed: [(program: String, reason: String)] = []
    /// Programs not loaded on purpose (nothing they record was chosen), with the reason.
    public private(set) var notAttached: [(program: String, reason: String)] = []
    /// Where user space puts the cgroups it finds out of the recording's scope (nil: no scope).
    public private(set) var skipList: CgroupSkipList?
    public let ringBufferBytes: Int

    private let object: OpaquePointer
    private var links: [OpaquePointer] = []
    private var ring: OpaquePointer?
    private let batch: UnsafeMutablePointer<cf_batch>
    private var countersFD: Int32 = -1
    private var cpuCount = 1

    /// Loads and attaches every program of `casefile.bpf.c`.
    /// - Parameters:
    ///   - ringBufferBytes: ring size; a power of two, multiple of the page size.
    ///   - cgroupV1Cpuset: take event cgroup ids from the v1 cpuset hierarchy instead of v2 (for
    ///     hosts without a v2 hierarchy).
    ///   - sliceBytes: the most one `drain` takes from the ring (what stays is taken by the next):
    ///     the memory a drain needs is bounded, whatever the ring holds.
    ///   - choices: which syscall kinds the kernel writes, the recording's scope, the argv and
    ///     environment caps (`ProbeChoices`).
    public init(ringBufferBytes: Int = 16 << 20, sliceBytes: Int = 4 << 20, cgroupV1Cpuset: Bool = false,
                choices: ProbeChoices = ProbeChoices()) throws {
        guard ringBufferBytes > 0, ringBufferBytes & (ringBufferBytes - 1) == 0, ringBufferBytes >= 4096 else {
            throw ProbeError(operation: "configuring the ring buffer (\(ringBufferBytes) bytes: must be a power of two ≥ 4096)", errno: EINVAL, detail: "")
        }
        self.ringBufferBytes = ringBufferBytes
        cf_libbpf_capture_logs()
        guard let encoded = EmbeddedBPFObjects.base64["casefile"], let bytes = Data(base64Encoded: encoded) else {
            throw ProbeError(operation: "finding the embedded BPF object (build problem: rebuild with `swift build`)", errno: 0, detail: "")
        }
        guard let object = Self.openObject(bytes, name: "casefile") else {
            throw ProbeError(operation: "opening the BPF object", errno: errno, detail: Self.log())
        }
        self.object = object
        batch = .allocate(capacity: 1)
        batch.initialize(to: cf_batch())
        batch.pointee.slice = UInt(max(4096, sliceBytes))
        // From here on every stored property is set: a throw runs deinit, which releases it all.
        do {
            guard let events = bpf_object__find_map_by_name(object, "cf_events") else {
                throw ProbeError(operation: "finding map cf_events in the BPF object", errno: ENOENT, detail: "")
            }
            let rc = bpf_map__set_max_entries(events, UInt32(ringBufferBytes))
            guard rc == 0 else { throw ProbeError(operation: "sizing the ring buffer", errno: -rc, detail: Self.log()) }
            if cgroupV1Cpuset {
                try setConstant("cf_cgroup_v1_cpuset", to: 1)
            }
            // The recorder's own file syscalls are not recorded (they would feed back).
            try setConstant("cf_self_tgid", to: UInt32(getpid()))
            var kinds = choices.syscallKindMask
            try setConstant("cf_enabled_kinds", bytes: &kinds)
            try setConstant("cf_scoped", to: choices.scoped ? 1 : 0)
            try setConstant("cf_argv_max", to: UInt32(clamping: max(0, min(choices.argvMax, Self.argvCeiling))))
            try setConstant("cf_env_max", to: UInt32(clamping: max(0, min(choices.environmentMax, Self.environmentCeiling))))
            if kinds == 0 {
                // No file, network or privilege kind chosen: the syscall programs are not even loaded.
                for name in ["cf_sys_enter", "cf_sys_exit"] {
                    if let p = bpf_object__find_program_by_name(object, name) {
                        bpf_program__set_autoload(p, false)
                        notAttached.append((name, "no file, network or privilege event kind was chosen (--events)"))
                    }
                }
            }
            let loaded = bpf_object__load(object)
            guard loaded == 0 else {
                throw ProbeError(operation: "loading the BPF programs into the kernel", errno: -loaded, detail: Self.log())
            }
            guard let counters = bpf_object__find_map_by_name(object, "cf_counters") else {
                throw ProbeError(operation: "finding map cf_counters in the BPF object", errno: ENOENT, detail: "")
            }
            countersFD = bpf_map__fd(counters)
            cpuCount = Int(max(1, libbpf_num_possible_cpus()))

            if choices.scoped, let map = bpf_object__find_map_by_name(object, "cf_skip_cgroups") {
                skipList = try CgroupSkipList(mapFD: bpf_map__fd(map))
            }
            var program = bpf_object__next_program(object, nil)
            while let p = program {
                let name = String(cString: bpf_program__name(p))
                guard bpf_program__autoload(p) else {
                    program = bpf_object__next_program(object, p)
                    continue
                }
                if let link = bpf_program__attach(p) {
                    links.append(link)
                    attached.append(name)
                } else {
                    failed.append((name, "\(String(cString: strerror(errno))): \(Self.log())"))
                }
                program = bpf_object__next_program(object, p)
            }
            guard !attached.isEmpty else {
                throw ProbeError(operation: "attaching any BPF program (\(failed.map(\.program).joined(separator: ", ")))", errno: EPERM, detail: Self.log())
            }
            ring = cf_ring_buffer_new(bpf_map__fd(events), batch)
            guard ring != nil else {
                throw ProbeError(operation: "opening the ring buffer", errno: errno, detail: Self.log())
            }
        }
    }

    /// Sets a `const volatile __u32` of the BPF program before load (it lives in `.rodata`).
    private func setConstant(_ name: String, to value: UInt32) throws {
        var v = value
        try setConstant(name, bytes: &v)
    }

    /// Sets a `const volatile` of the BPF program before load, of exactly `T`'s size.
    private func setConstant<T>(_ name: String, bytes value: inout T) throws {
        let rc = withUnsafeBytes(of: &value) { cf_set_rodata(object, name, $0.baseAddress, $0.count) }
        guard rc == 0 else {
            throw ProbeError(operation: "setting BPF constant \(name) (build problem: is it in casefile.bpf.c?)", errno: -rc, detail: Self.log())
        }
    }

    /// Tries the richer hooks this kernel may offer (an LSM program, an fentry program: see
    /// `bpf/richer.bpf.c`): loads each alone, attaches it for a moment, detaches it. Returns each
    /// hook with what happened, for the session's settings. Recording uses the tracepoints
    /// whatever the outcome.
    public static func probeRicherHooks() -> [(hook: String, outcome: String)] {
        let programs = [("cf_probe_lsm_file_open", "lsm/file_open"), ("cf_probe_fentry_unlinkat", "fentry/do_unlinkat")]
        guard let encoded = EmbeddedBPFObjects.base64["richer"], let bytes = Data(base64Encoded: encoded) else {
            return programs.map { ($0.1, "not probed: the probe object is missing (build problem)") }
        }
        return programs.map { program, hook in (hook, probeOne(bytes, program: program)) }
    }

    /// Opens an embedded BPF object (not loaded yet); nil with errno set when libbpf refuses it.
    private static func openObject(_ bytes: Data, name: String) -> OpaquePointer? {
        bytes.withUnsafeBytes { raw in
            var opts = bpf_object_open_opts()
            opts.sz = MemoryLayout<bpf_object_open_opts>.size
            return name.withCString { cName in
                opts.object_name = cName
                return bpf_object__open_mem(raw.baseAddress, raw.count, &opts)
            }
        }
    }

    private static func probeOne(_ bytes: Data, program: String) -> String {
        guard let object = openObject(bytes, name: "casefile_richer") else { return "not probed: opening the probe object failed (\(String(cString: strerror(errno))))" }
        defer { bpf_object__close(object) }
        var target: OpaquePointer?
        var p = bpf_object__next_program(object, nil)
        while let current = p {
            let mine = String(cString: bpf_program__name(current)) == program
            bpf_program__set_autoload(current, mine)
            if mine { target = current }
            p = bpf_object__next_program(object, current)
        }
        guard let target else { return "not probed: no program \(program) in the probe object" }
        let rc = bpf_object__load(object)
        guard rc == 0 else { return "not loadable here (\(String(cString: strerror(-rc))))" }
        guard let link = bpf_program__attach(target) else { return "loads but does not attach (\(String(cString: strerror(errno))))" }
        bpf_link__destroy(link)
        return "loads and attaches"
    }

    /// The most argv and environment bytes the kernel side can keep per exec.
    public static let argvCeiling = Int(CF_ARGV_MAX)
    public static let environmentCeiling = Int(CF_ENV_MAX)

    /// Sleeps until the kernel forces a wake-up (ring more than half full) or `timeoutMilliseconds`
    /// pass. Records are not read here: call `drain`.
    public func wait(timeoutMilliseconds: Int32) {
        guard let ring else { return }
        _ = cf_ring_buffer_wait(ring, timeoutMilliseconds)
    }

    /// Moves the records now in the ring into memory, at most one slice (`sliceBytes`), and hands
    /// them to `body` as one buffer of records (each `cf_header.size` long, 8-byte aligned). The
    /// buffer is valid only during `body`. Returns the number of records, and whether more were
    /// left in the ring (drain again).
    @discardableResult
    public func drain(_ body: (RecordBuffer) throws -> Void) throws -> (records: Int, more: Bool) {
        guard let ring else { return (0, false) }
        batch.pointee.len = 0
        batch.pointee.records = 0
        let rc = cf_ring_buffer_drain(ring, batch)
        guard rc >= 0 else {
            throw ProbeError(operation: "reading the ring buffer", errno: -rc, detail: Self.log())
        }
        let count = Int(batch.pointee.records)
        if count > 0, let data = batch.pointee.data {
            try body(RecordBuffer(bytes: UnsafeRawBufferPointer(start: data, count: Int(batch.pointee.len)), count: count))
        }
        return (count, batch.pointee.more != 0)
    }

    /// Records lost in user space because memory for the batch could not be allocated.
    public var allocationFailures: UInt64 { UInt64(batch.pointee.alloc_failures) }

    /// The kernel side's counters, summed over CPUs: records written and records dropped because the
    /// ring buffer was full.
    public func counters() throws -> (written: UInt64, dropped: UInt64, pendingDropped: UInt64) {
        (try counter(UInt32(CF_COUNTER_EVENTS.rawValue)), try counter(UInt32(CF_COUNTER_RINGBUF_DROPS.rawValue)),
         try counter(UInt32(CF_COUNTER_PENDING_DROPS.rawValue)))
    }

    /// 32-bit (ia32) syscalls the kernel side saw and did not record (their numbers and
    /// registers are another table's).
    public func compatSkips() throws -> UInt64 {
        try counter(UInt32(CF_COUNTER_COMPAT_SKIPS.rawValue))
    }

    /// Events the kernel side did not write because their cgroup was out of the recording's scope.
    public func scopeSkips() throws -> UInt64 {
        try counter(UInt32(CF_COUNTER_SCOPE_SKIPS.rawValue))
    }

    private func counter(_ index: UInt32) throws -> UInt64 {
        var key = index
        var values = [UInt64](repeating: 0, count: cpuCount)
        let rc = values.withUnsafeMutableBytes { bpf_map_lookup_elem(countersFD, &key, $0.baseAddress) }
        guard rc == 0 else { throw ProbeError(operation: "reading BPF counter \(index)", errno: errno, detail: "") }
        return values.reduce(0, &+)
    }

    /// Detaches every program: nothing new reaches the ring, what it holds can still be drained
    /// and the loss counters read. The first step of a stop.
    public func detach() {
        for link in links { bpf_link__destroy(link) }
        links = []
    }

    private func close() {
        if let ring { ring_buffer__free(ring) }
        ring = nil
        for link in links { bpf_link__destroy(link) }
        links = []
        bpf_object__close(object)
    }

    deinit {
        close()
        cf_batch_free(batch)
        batch.deinitialize(count: 1)
        batch.deallocate()
    }

    private static func log() -> String {
        String(cString: cf_libbpf_last_log()).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// What the kernel side records, chosen before load.
public struct ProbeChoices: Sendable {
    /// Syscall kinds (file, network, privilege) the kernel writes; the others cost one table
    /// lookup per syscall. Process and cgroup kinds are always written: processes and containers
    /// are known from them.
    public var syscallKinds: Set<EventKind>
    /// A scope is set: events of cgroups put in `Probe.skipList` are counted, not written.
    public var scoped: Bool
    public var argvMax: Int
    /// Environment bytes kept per exec; 0: not captured.
    public var environmentMax: Int

    public init(syscallKinds: Set<EventKind> = Set(EventKind.allCases.filter(\.isSyscall)), scoped: Bool = false,
                argvMax: Int = Probe.argvCeiling, environmentMax: Int = 0) {
        self.syscallKinds = syscallKinds
        self.scoped = scoped
        self.argvMax = argvMax
        self.environmentMax = environmentMax
    }

    var syscallKindMask: UInt64 {
        var kinds = syscallKinds.filter(\.isSyscall)
        // rmdir comes through unlinkat too: the kernel side lets unlinkat in to see its flag
        // (the writer stores no unlink row that was not chosen)
        if kinds.contains(.rmdir) { kinds.insert(.unlink) }
        return kinds.reduce(UInt64(0)) { $0 | (1 << UInt64($1.rawValue)) }
    }
}

/// The kernel's list of cgroups out of the recording's scope (`cf_skip_cgroups`). Safe to use
/// from any thread: each call is one syscall on its own descriptor.
public final class CgroupSkipList: Sendable {
    private let fd: Int32

    init(mapFD: Int32) throws {
        let copy = dup(mapFD)
        guard copy >= 0 else { throw ProbeError(operation: "keeping the scope map's descriptor", errno: errno, detail: "") }
        fd = copy
    }

    /// Puts a cgroup out of scope; false when the kernel refused (the map is full): its events
    /// are then still written, and dropped and counted in user space.
    @discardableResult
    public func skip(_ cgroupID: UInt64) -> Bool {
        var key = cgroupID
        var value: UInt8 = 1
        return bpf_map_update_elem(fd, &key, &value, 0) == 0
    }

    /// Takes a removed cgroup off the list (its id will not come back).
    public func unskip(_ cgroupID: UInt64) {
        var key = cgroupID
        _ = bpf_map_delete_elem(fd, &key)
    }

    deinit { Foundation.close(fd) }
}

/// A drained batch of raw records, as the BPF side wrote them. Valid only inside `Probe.drain`.
public struct RecordBuffer {
    public let bytes: UnsafeRawBufferPointer
    public let count: Int
}
