import CasefileModel
import CasefilePipeline
import Foundation

/// What the recorder reads about the host once, at start.
package struct HostFacts {
    var host: String
    var kernel: String
    var machineID: String?
    var clock: BootClock
    var cgroups: CgroupLayout
    var trackedHierarchy: UInt32

    /// Set when cgroup attribution will be incomplete (non-host cgroup namespace, no cgroupfs).
    var cgroupWarning: String? {
        var st = stat()
        let inode = cgroups.tracked.flatMap { stat($0.mountPoint, &st) == 0 ? UInt64(st.st_ino) : nil }
        return cgroups.warning(mountRootInode: inode)
    }

    static func read(preferV1Cpuset: Bool = false) throws -> HostFacts {
        var uts = utsname()
        uname(&uts)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        let bootID = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        let machineID = (try? String(contentsOfFile: "/etc/machine-id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        var layout = CgroupLayout.parse(mountinfo: mountinfo)
        if preferV1Cpuset { layout.mounts.removeAll(where: \.isV2) }
        let procCgroups = (try? String(contentsOfFile: "/proc/cgroups", encoding: .utf8)) ?? ""
        var ids: [String: UInt32] = [:]
        for line in procCgroups.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            if f.count >= 2, let id = UInt32(f[1]) { ids[String(f[0])] = id }
        }
        return HostFacts(
            host: ProcessInfo.processInfo.hostName,
            kernel: "\(field(uts.release)) \(field(uts.version))",
            machineID: machineID?.isEmpty == false ? machineID : nil,
            clock: BootClock(offsetNanoseconds: measureBootOffset(), bootID: bootID),
            cgroups: layout,
            trackedHierarchy: layout.trackedHierarchyID(v1HierarchyIDs: ids))
    }

    /// The real measurement, for tests that shift it.
    package static func measureBootOffsetForTests() -> Int64 { measureBootOffset() }

    /// UTC minus CLOCK_BOOTTIME, from the tightest of several paired readings.
    static func measureBootOffset() -> Int64 {
        func read(_ clock: clockid_t) -> Int64 {
            var ts = timespec()
            clock_gettime(clock, &ts)
            return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
        }
        var best: (width: Int64, offset: Int64) = (.max, 0)
        for _ in 0..<16 {
            let before = read(CLOCK_REALTIME)
            let boot = read(CLOCK_BOOTTIME)
            let after = read(CLOCK_REALTIME)
            if after - before < best.width {
                best = (after - before, before + (after - before) / 2 - boot)
            }
        }
        return best.offset
    }
}
