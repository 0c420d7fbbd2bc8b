/// Which cgroup hierarchies this host has, read from `/proc/self/mountinfo`.
///
/// Casefile attributes events to cgroups by the id the kernel reports for the current task:
/// the v2 (unified) hierarchy when it is mounted (pure v2 or hybrid hosts), else a v1 hierarchy
/// (`cpuset`, as most runtimes create a cpuset cgroup per container).
public struct CgroupLayout: Sendable, Equatable {
    public enum Kind: String, Sendable { case v2, v1, hybrid }

    public struct Mount: Sendable, Equatable {
        /// Where it is mounted, e.g. `/sys/fs/cgroup/unified`.
        public var mountPoint: String
        /// The cgroup inside the hierarchy this mount shows (`/` for the host's root).
        public var root: String
        /// v1 controllers (`cpuset`, `memory`, `name=systemd`, ...); empty for v2.
        public var controllers: [String]
        public var isV2: Bool
    }

    public var kind: Kind
    public var mounts: [Mount]

    /// The mount whose cgroup ids events carry.
    public var tracked: Mount? {
        mounts.first(where: \.isV2) ?? mounts.first(where: { $0.controllers.contains("cpuset") }) ?? mounts.first
    }

    /// Hierarchy id of the tracked mount as the kernel numbers it (0 for v2; v1 ids come from
    /// `/proc/cgroups`, passed in).
    public func trackedHierarchyID(v1HierarchyIDs: [String: UInt32]) -> UInt32 {
        guard let tracked, !tracked.isV2 else { return 0 }
        for controller in tracked.controllers {
            if let id = v1HierarchyIDs[controller] { return id }
        }
        return 0
    }

    /// A warning when the tracked mount does not show the host's whole hierarchy (for example
    /// inside a container with its own cgroup namespace): paths would then be relative to it.
    public var warning: String? { warning(mountRootInode: nil) }

    /// The same, also checking the inode of the mounted directory: a hierarchy's root cgroup has
    /// kernfs id 1, so any other inode means the mount shows a cgroup below the host's root.
    public func warning(mountRootInode: UInt64?) -> String? {
        guard let tracked else { return "no cgroup filesystem is mounted: events cannot be attributed to cgroups or containers" }
        if tracked.root != "/" {
            return "the cgroup mount \(tracked.mountPoint) shows \(tracked.root), not the host's root: this recorder runs in a non-host cgroup namespace, so cgroup paths are relative and containers outside it are invisible. Run it with the host's cgroup namespace (e.g. --cgroupns=host)."
        }
        if let inode = mountRootInode, inode != 1 {
            return "the cgroup mount \(tracked.mountPoint) is not the root of its hierarchy (inode \(inode), the root's is 1): cgroup paths are relative to a sub-cgroup and containers outside it are invisible. Mount the host's cgroup filesystem (e.g. --cgroupns=host, -v /sys/fs/cgroup:/sys/fs/cgroup:ro)."
        }
        return nil
    }

    public static func parse(mountinfo: String) -> CgroupLayout {
        var mounts: [Mount] = []
        for line in mountinfo.split(separator: "\n") {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2 else { continue }
            let left = halves[0].split(separator: " ")
            let right = halves[1].split(separator: " ")
            guard left.count >= 5, right.count >= 3 else { continue }
            let fstype = right[0]
            guard fstype == "cgroup" || fstype == "cgroup2" else { continue }
            let root = unescape(String(left[3]))
            let point = unescape(String(left[4]))
            let controllers = fstype == "cgroup2" ? [] : right[2].split(separator: ",").map(String.init).filter {
                !["rw", "ro", "relatime", "noatime", "nosuid", "nodev", "noexec", "clone_children", "xattr"].contains($0)
                    && !$0.hasPrefix("release_agent=")
            }
            mounts.append(Mount(mountPoint: point, root: root, controllers: controllers, isV2: fstype == "cgroup2"))
        }
        let hasV2 = mounts.contains(where: \.isV2)
        let hasV1 = mounts.contains(where: { !$0.isV2 })
        let kind: Kind = hasV2 && hasV1 ? .hybrid : hasV2 ? .v2 : .v1
        return CgroupLayout(kind: kind, mounts: mounts)
    }

    /// mountinfo escapes space, tab, newline and backslash as octal (`\040`).
    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == 0x5C, i + 4 <= b.count,
               let v = UInt8(String(decoding: b[(i + 1)..<(i + 4)], as: UTF8.self), radix: 8) {
                out.append(v)
                i += 4
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
