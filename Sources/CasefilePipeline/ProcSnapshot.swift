import CasefileModel
import Foundation

/// Every process running when recording starts, read from `/proc`, so an incident that began
/// before recording still has its actors.
public enum ProcSnapshot {
    /// Reads all processes. `cgroupIDForPath` maps a path in the tracked hierarchy (from
    /// `/proc/PID/cgroup`) to its id; `hierarchyLine` picks the line (`0::` for v2,
    /// `N:cpuset:` for v1).
    public static func read(procRoot: String = "/proc", trackedHierarchy: UInt32, trackedIsV2: Bool,
                            cgroupIDForPath: (String) -> UInt64?) -> [ProcessRecord] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: procRoot) else { return [] }
        var out: [ProcessRecord] = []
        for name in entries {
            guard let pid = UInt32(name) else { continue }
            let dir = "\(procRoot)/\(name)"
            guard let stat = read(dir + "/stat"), let parsed = parseStat(stat) else { continue } // exited meanwhile
            var record = ProcessRecord(key: ProcessKey(pid: pid, startTicks: parsed.startTicks), ppid: parsed.ppid,
                                       comm: ByteString(parsed.comm))
            if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/exe") {
                record.exe = ByteString(exe)
            }
            if let cmdline = read(dir + "/cmdline"), !cmdline.isEmpty { record.argv = ByteString(cmdline) }
            if let status = read(dir + "/status") {
                let fields = parseStatus(status)
                record.uid = fields.uid
                record.gid = fields.gid
                record.namespacePID = fields.nsPID
            }
            record.mountNamespace = namespaceInode(dir + "/ns/mnt")
            record.pidNamespace = namespaceInode(dir + "/ns/pid")
            if let cgroup = read(dir + "/cgroup"),
               let path = cgroupPath(String(decoding: cgroup, as: UTF8.self), hierarchy: trackedHierarchy, v2: trackedIsV2) {
                record.cgroupID = cgroupIDForPath(path)
            }
            out.append(record)
        }
        return out
    }

    static func read(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    /// `/proc/PID/stat`: `pid (comm) state ppid ... starttime(22) ...`; comm may hold spaces and ')'.
    static func parseStat(_ bytes: [UInt8]) -> (comm: [UInt8], ppid: UInt32, startTicks: UInt64)? {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")), let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close else { return nil }
        let comm = Array(bytes[(open + 1)..<close])
        let rest = String(decoding: bytes[(close + 1)...], as: UTF8.self).split(separator: " ")
        // rest[0] is field 3 (state); field N is rest[N - 3]
        guard rest.count > 19, let ppid = UInt32(rest[1]), let start = UInt64(rest[19]) else { return nil }
        return (comm, ppid, start)
    }

    static func parseStatus(_ bytes: [UInt8]) -> (uid: UInt32?, gid: UInt32?, nsPID: UInt32?) {
        var uid: UInt32?, gid: UInt32?, nsPID: UInt32?
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard f.count >= 2 else { continue }
            switch f[0] {
            case "Uid:": uid = UInt32(f[1])
            case "Gid:": gid = UInt32(f[1])
            case "NSpid:": nsPID = f.last.flatMap { UInt32($0) } // innermost namespace
            default: break
            }
        }
        return (uid, gid, nsPID)
    }

    /// `mnt:[4026531841]` → 4026531841
    static func namespaceInode(_ link: String) -> UInt32? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link),
              let open = target.firstIndex(of: "["), let close = target.lastIndex(of: "]"), open < close else { return nil }
        return UInt32(target[target.index(after: open)..<close])
    }

    /// The path of the tracked hierarchy's line in `/proc/PID/cgroup` (`0::/x` on v2; `3:cpuset:/x` on v1).
    static func cgroupPath(_ text: String, hierarchy: UInt32, v2: Bool) -> String? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if v2 ? (parts[0] == "0" && parts[1].isEmpty) : UInt32(parts[0]) == hierarchy {
                return String(parts[2])
            }
        }
        return nil
    }
}
