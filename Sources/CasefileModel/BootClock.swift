import Glibc

/// Maps the kernel's `CLOCK_BOOTTIME` (what BPF timestamps are) to UTC wall-clock time.
///
/// `utcNanoseconds = bootNanoseconds + offset`, with the offset measured once at the start of a
/// session and stored in `sessions.boot_offset_ns`, together with the boot id, so any event time
/// can be re-derived and checked later.
public struct BootClock: Sendable, Equatable {
    /// UTC nanoseconds since the Unix epoch at the instant the boot clock read zero.
    public var offsetNanoseconds: Int64
    /// `/proc/sys/kernel/random/boot_id`: which boot these boot-clock times belong to.
    public var bootID: String

    public init(offsetNanoseconds: Int64, bootID: String) {
        self.offsetNanoseconds = offsetNanoseconds
        self.bootID = bootID
    }

    @inlinable
    public func utc(_ bootNanoseconds: UInt64) -> Int64 {
        Int64(bitPattern: bootNanoseconds) &+ offsetNanoseconds
    }
}

/// UTC now in nanoseconds (`CLOCK_REALTIME`).
public func nowNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
