import CasefileTestSupport
import Foundation
import GRDB
import Testing

/// Edges of syscall recording found in review: 32-bit syscalls (another table, other registers)
/// must not be read as 64-bit ones, and an accept must store only the peer bytes the kernel
/// copied into the caller's buffer.
@Suite(.serialized, .timeLimit(.minutes(3)))  // a hang fails the test instead of holding CI
struct SyscallEdgeTests {
    static func script(_ name: String, _ text: String) throws -> String {
        let file = try temporaryDirectory().appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// ia32 munmap (91) through `int 0x80` from a 64-bit process: 91 is fchmod in the x86_64
    /// table. No fchmod row may appear; the 32-bit call is counted in a `compat_syscall` gap.
    @Test func thirtyTwoBitSyscallsAreCountedNotMisread() async throws {
        guard Requirement.root() else { return }
        #if arch(x86_64)
        let file = try Self.script("compat.py", """
            import ctypes, mmap
            # mov eax, 91; xor ebx, ebx; xor ecx, ecx; int 0x80; ret  (ia32 munmap(0, 0))
            code = bytes([0xb8, 0x5b, 0, 0, 0, 0x31, 0xdb, 0x31, 0xc9, 0xcd, 0x80, 0xc3])
            page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
            page.write(code)
            address = ctypes.addressof(ctypes.c_char.from_buffer(page))
            result = ctypes.CFUNCTYPE(ctypes.c_int)(address)()
            print(result)
            """)
        let queue = try await record(options: { $0.enrichment = false }) {
            let status = try run("/usr/bin/python3", [file])
            #expect(status == 0)
        }
        try await queue.read { db in
            let fchmods = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM events e JOIN comms c ON c.id = e.comm_id WHERE e.kind = 18 AND c.comm = 'python3'
                """) ?? -1
            #expect(fchmods == 0, "a 32-bit munmap is not a 64-bit fchmod")
            let counted = try Int.fetchOne(db, sql: "SELECT coalesce(sum(count), 0) FROM gaps WHERE reason = 'compat_syscall'") ?? 0
            #expect(counted >= 1, "the 32-bit syscall is counted, not silently dropped")
        }
        #endif
    }

    /// An IPv6 peer accepted into a 16-byte buffer: the kernel writes the full length (28) back
    /// but copies only 16 bytes. Bytes past the buffer (here a marker) are not the peer.
    @Test func acceptStoresOnlyWhatTheKernelCopied() async throws {
        guard Requirement.root() else { return }
        let file = try Self.script("accept.py", """
            import ctypes, socket
            libc = ctypes.CDLL(None, use_errno=True)
            server = socket.socket(socket.AF_INET6)
            server.bind(('::1', 0))
            server.listen(1)
            client = socket.socket(socket.AF_INET6)
            client.connect(server.getsockname())
            buffer = (ctypes.c_ubyte * 64)(*([0xAB] * 64))  # the marker past the 16 bytes offered
            length = ctypes.c_uint(16)
            fd = libc.accept(server.fileno(), buffer, ctypes.byref(length))
            print(fd, length.value)
            """)
        let queue = try await record(options: { $0.enrichment = false }) {
            let status = try run("/usr/bin/python3", [file])
            #expect(status == 0)
        }
        try await queue.read { db in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT e.ret, e.aux, a.address FROM events e JOIN comms c ON c.id = e.comm_id
                LEFT JOIN addresses a ON a.id = e.object_id WHERE e.kind = 21 AND c.comm = 'python3'
                """), "the accept row")
            #expect((row["ret"] as Int64? ?? -1) >= 0)
            #expect(row["aux"] as Int64? == 10, "the family is in the 16 bytes copied")
            let address = row["address"] as String? ?? ""
            #expect(!address.contains("abab"), "nothing past the caller's buffer: \(address)")
        }
    }
}
