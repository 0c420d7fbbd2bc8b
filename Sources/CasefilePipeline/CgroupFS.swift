import CCasefileLinux
import CasefileModel
import Foundation

/// One mounted cgroup hierarchy, read from the file system: the start-up walk and id → path
/// lookups. Every cgroupfs access of the recorder is here.
public struct CgroupFS: Sendable {
    public let mountPoint: String
    public let hierarchyID: UInt32

    public init(mountPoint: String, hierarchyID: UInt32) {
        self.mountPoint = mountPoint
        self.hierarchyID = hierarchyID
    }

    /// The path (inside the hierarchy) of the cgroup with kernel id `id`, found in O(1) through
    /// `open_by_handle_at` on the mount. Nil when the cgroup no longer exists (or the kernel
    /// refuses file handles here).
    public func path(ofID id: UInt64) -> String? {
        let fd = open(mountPoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBufferPointer { cf_cgroup_path_by_id(fd, id, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let absolute = String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return relative(absolute)
    }

    /// `/sys/fs/cgroup/unified/docker/x` → `/docker/x`; the mount itself → `/`.
    func relative(_ absolute: String) -> String? {
        guard absolute.hasPrefix(mountPoint) else { return nil }
        let rest = absolute.dropFirst(mountPoint.count)
        if rest.isEmpty { return "/" }
        return rest.hasPrefix("/") ? String(rest) : nil
    }

    /// Every cgroup of the hierarchy: id (directory inode), path, depth, ctime. One walk, at start.
    /// Bounded by `limit` directories so a pathological host cannot stall start-up.
    public func walk(limit: Int = 1_000_000) -> [(id: UInt64, path: String, level: UInt32, ctime: Int64)] {
        var out: [(UInt64, String, UInt32, Int64)] = []
        var stack: [(String, UInt32)] = [("/", 0)]
        while let (path, level) = stack.popLast(), out.count < limit {
            let absolute = path == "/" ? mountPoint : mountPoint + path
            var st = stat()
            guard stat(absolute, &st) == 0 else { continue } // removed while walking
            out.append((UInt64(st.st_ino), path, level,
                        Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)))
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: absolute) else { continue }
            for name in entries {
                let child = path == "/" ? "/" + name : path + "/" + name
                var cst = stat()
                if lstat(mountPoint + child, &cst) == 0, (cst.st_mode & S_IFMT) == S_IFDIR {
                    stack.append((child, level + 1))
                }
            }
        }
        return out
    }
}
