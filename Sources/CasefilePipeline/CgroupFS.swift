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
    /// `open_by_handle_at` on the mount, byte for byte. Nil when the cgroup no longer exists (or
    /// the kernel refuses file handles here).
    public func path(ofID id: UInt64) -> ByteString? {
        let fd = open(mountPoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBufferPointer { cf_cgroup_path_by_id(fd, id, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return relative(buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) })
    }

    /// `/sys/fs/cgroup/unified/docker/x` → `/docker/x`; the mount itself → `/`.
    func relative(_ absolute: [UInt8]) -> ByteString? {
        let mount = Array(mountPoint.utf8)
        guard absolute.starts(with: mount) else { return nil }
        let rest = absolute.dropFirst(mount.count)
        if rest.isEmpty { return ByteString("/") }
        return rest.first == UInt8(ascii: "/") ? ByteString(Array(rest)) : nil
    }

    /// Every cgroup of the hierarchy: id (directory inode), path (byte for byte: a name that is
    /// not UTF-8, and everything below it, is found too), depth, ctime. One walk, at start.
    /// Bounded by `limit` directories so a pathological host cannot stall start-up.
    public func walk(limit: Int = 1_000_000) -> [(id: UInt64, path: ByteString, level: UInt32, ctime: Int64)] {
        let slash = UInt8(ascii: "/")
        let mount = Array(mountPoint.utf8)
        var out: [(UInt64, ByteString, UInt32, Int64)] = []
        var stack: [([UInt8], UInt32)] = [([slash], 0)]
        while let (path, level) = stack.popLast(), out.count < limit {
            let absolute = path == [slash] ? mount : mount + path
            var st = stat()
            guard stat(Self.cPath(absolute), &st) == 0 else { continue } // removed while walking
            out.append((UInt64(st.st_ino), ByteString(path), level,
                        Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)))
            for name in Self.subdirectories(of: absolute) {
                stack.append(((path == [slash] ? [] : path) + [slash] + name, level + 1))
            }
        }
        return out
    }

    /// The names of the directories in `directory`, as bytes (`.` and `..` left out).
    static func subdirectories(of directory: [UInt8]) -> [[UInt8]] {
        guard let dir = opendir(cPath(directory)) else { return [] }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var st = stat()
                isDirectory = lstat(cPath(directory + [UInt8(ascii: "/")] + name), &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            }
            if isDirectory { names.append(name) }
        }
        return names
    }

    /// `path` as a NUL-terminated C string (passed to C as a pointer to its elements).
    static func cPath(_ path: [UInt8]) -> [CChar] {
        path.map { CChar(bitPattern: $0) } + [0]
    }
}
