import CCasefileLinux

/// What the recorder keeps after start-up, for every thread of the process.
///
/// Set-up needs much: CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN to load and attach programs, CAP_SYS_PTRACE
/// and CAP_DAC_READ_SEARCH to read every process's `/proc` entries in the start-up walk. Once the
/// programs are attached (their links and the ring buffer are open descriptors), the case file is
/// open and the snapshot is written, the recorder only:
/// - consumes the ring buffer and reads its loss counters through descriptors it holds (no
///   capability on kernels ≥ 6.5, where map access on an open map needs none);
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

    /// The capabilities kept, as names.
    public static let kept = ["CAP_DAC_READ_SEARCH"]

    /// Reduces every thread. Returns what the session row says about it.
    public static func reduce() -> Result<String, PrivilegeError> {
        var message = [CChar](repeating: 0, count: 256)
        let status = cf_reduce_privileges(1 << capDacReadSearch, &message, message.count)
        guard status == 0 else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(PrivilegeError(reason: text))
        }
        return .success("capabilities " + kept.joined(separator: ", ") + "; no_new_privs")
    }

    public struct PrivilegeError: Error, CustomStringConvertible {
        public var reason: String
        public var description: String {
            "could not reduce the recorder's privileges (\(reason)); it keeps recording with the privileges it started with"
        }
    }
}
