import CCasefileLinux
import Foundation

/// One recorder per case file: held from before the file is opened for recording until after
/// its connection is closed. A second `casefile record` on the same file (from any process) is
/// refused instead of interleaving its session with the first, or closing the first one's
/// session as if its recorder had been killed. Investigators (read-only) are not affected.
///
/// It is an open-file-description lock on one byte far past anything SQLite locks (SQLite's
/// locks are at 1 GiB; this one at 2^62), so it never meets SQLite's own locks; the kernel drops it
/// when the recorder exits, however it exits.
public final class RecordingLock: @unchecked Sendable {
    // @unchecked: `fd` is written once in init and closed once in `release`, by the recorder.
    private var fd: Int32
    public let path: String
    static let lockOffset: Int64 = 1 << 62

    /// Takes the lock on `path` (creating the file, mode 0600, when it does not exist).
    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            throw StoreError.cannotOpen(path: path, reason: errno == ENOENT ? "no directory \(directory)" : String(cString: strerror(errno)))
        }
        let status = cf_ofd_lock_byte(fd, Self.lockOffset)
        guard status == 0 else {
            close(fd)
            fd = -1
            if status == -EAGAIN || status == -EACCES { throw StoreError.busy(path: path) }
            throw StoreError.cannotOpen(path: path, reason: "cannot lock it for recording: \(String(cString: strerror(-status)))")
        }
    }

    /// Releases the lock. Call it only after the case file's SQLite connection is closed: closing
    /// any descriptor of a file drops the process's POSIX locks on it, SQLite's included.
    public func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    /// Removes the file when it is still empty (a recording that never started made it), then
    /// releases the lock. Only while holding the lock: nobody else is writing it.
    public func removeIfEmpty() {
        guard fd >= 0 else { return }
        var st = stat()
        if fstat(fd, &st) == 0, st.st_size == 0 { unlink(path) }
        release()
    }

    /// Keeps the lock until the process exits, without closing the descriptor: for when the case
    /// file's connection could not be closed (closing would drop SQLite's locks with ours).
    public func abandon() {
        fd = -1
    }

    deinit { release() }

    /// Whether a recorder holds the lock on `path` now (nil when that cannot be told). Opens the
    /// file read-only and takes nothing.
    public static func isHeld(path: String) -> Bool? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let status = cf_ofd_byte_locked(fd, lockOffset)
        return status < 0 ? nil : status == 1
    }
}
