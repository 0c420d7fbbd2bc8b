import CCasefileLinux
import Glibc

/// What the recorder keeps after start-up, for every thread of the process.
///
/// Set-up needs much: CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN to load and attach programs, CAP_SYS_PTRACE
/// and CAP_DAC_READ_SEARCH to read every process's `/proc` entries in the start-up walk. Once the
/// programs are attached (their links and the ring buffer are open descriptors), the case file is
/// open and the snapshot is written, the recorder only:
/// - consumes the ring buffer and reads its loss counters through descriptors it holds (no
///   capability from Linux 5.19 on; before, with unprivileged BPF disabled, every bpf(2) command
///   needs CAP_BPF — CAP_SYS_ADMIN before 5.8 — which is then kept too: `needed(release:)`);
/// - looks cgroups up by id with `open_by_handle_at`, which needs **CAP_DAC_READ_SEARCH** — the one
///   capability it keeps;
/// - reads `/proc/PID/cgroup` (world-readable) to confirm containers, connects to the runtimes'
///   sockets (owned by root: the recorder's uid is still 0) and writes the case file it created.
///
/// Everything else is dropped from the effective, permitted, inheritable, ambient and bounding
/// sets, and no_new_privs is set, so nothing the recorder could be tricked into executing gains
/// privileges. The uid stays 0: the case file and the runtimes' sockets belong to root.
public enum Privileges {
    /// Capability numbers (linux/capability.h).
    static let capDacReadSearch: UInt64 = 2
    static let capSysAdmin: UInt64 = 21
    static let capBPF: UInt64 = 39

    /// What to keep on this kernel: CAP_DAC_READ_SEARCH; before 5.19, with unprivileged BPF
    /// disabled, every bpf(2) command needs CAP_BPF (CAP_SYS_ADMIN before 5.8), reading the loss
    /// counters of an open map included, so that is kept too.
    static func needed(release: String) -> [(bit: UInt64, name: String)] {
        let parts = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        let version = parts.count == 2 ? (parts[0], parts[1]) : (0, 0)
        var kept: [(UInt64, String)] = [(capDacReadSearch, "CAP_DAC_READ_SEARCH")]
        if version < (5, 19) { kept.append(version < (5, 8) ? (capSysAdmin, "CAP_SYS_ADMIN") : (capBPF, "CAP_BPF")) }
        return kept
    }

    /// Reduces every thread. Returns what the session row says about it.
    public static func reduce() -> Result<String, PrivilegeError> {
        var uts = utsname()
        uname(&uts)
        let release = withUnsafeBytes(of: uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let kept = needed(release: release)
        var message = [CChar](repeating: 0, count: 256)
        let status = cf_reduce_privileges(kept.reduce(0) { $0 | (1 << $1.bit) }, &message, message.count)
        guard status == 0 else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(PrivilegeError(reason: text))
        }
        return .success("capabilities " + kept.map(\.name).joined(separator: ", ") + "; no_new_privs")
    }

    public struct PrivilegeError: Error, CustomStringConvertible {
        public var reason: String
        public var description: String {
            "could not reduce the privileges of every thread of the recorder (\(reason)); some threads keep the privileges they started with, and it keeps recording"
        }
    }
}
