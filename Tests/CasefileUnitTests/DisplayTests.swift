@testable import CasefileCLI
import CasefileModel
@testable import CasefilePipeline
import CasefileTestSupport
import Testing

@Suite struct DisplayTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("tab\there", "tab\\there"),
        ("new\nline", "new\\nline"),
        ("\u{1B}[2J", "\\x1B[2J"),
        ("back\\slash", "back\\\\slash"),
        ("héllo ✓", "héllo ✓"),
        ("\u{202E}rtl", "\\u{202E}rtl"),
        ("\u{85}c1", "\\u{85}c1"),
    ])
    func safeTextEscapes(_ input: String, _ expected: String) {
        #expect(SafeText.escape(input) == expected)
    }

    @Test func safeTextEscapesInvalidUTF8() {
        #expect(SafeText.escape([0x61, 0xFF, 0xC3, 0x28, 0xE2, 0x82]) == "a\\xFF\\xC3(\\xE2\\x82")
        #expect(SafeText.escape([UInt8]()) == "")
    }

    @Test func commandLineQuotesAndMarksTruncation() {
        let argv = Array("sh\0-c\0exit 3\0\0".utf8)
        #expect(Display.commandLine(argv: argv) == "sh -c 'exit 3' ''")
        #expect(Display.commandLine(argv: Array("a\0b".utf8), truncated: true) == "a b …[argv cut]")
    }

    @Test func utcHasMicroseconds() {
        #expect(Display.utc(0) == "1970-01-01T00:00:00.000000Z")
        #expect(Display.utc(1_796_031_818_123_456_789) == "2026-11-30T09:43:38.123456Z")
        #expect(Display.utc(951_782_400_000_000_000) == "2000-02-29T00:00:00.000000Z")
    }

    @Test func timeArguments() throws {
        #expect(try TimeArgument.absolute("2026-11-30T09:43:38.123456Z") == 1_796_031_818_123_456_000)
        #expect(try TimeArgument.absolute("2026-11-30 09:43:38.123456") == 1_796_031_818_123_456_000)
        #expect(try TimeArgument.absolute("2026-11-30T10:43:38.123456+01:00") == 1_796_031_818_123_456_000)
        #expect(try TimeArgument.absolute("2026-11-30") == 1_796_000_000_000_000_000 - 1_796_000_000_000_000_000 % 86_400_000_000_000)
        #expect(try TimeArgument.absolute("1796031818.5") == 1_796_031_818_500_000_000)
        for bad in ["yesterday", "2026-13-01", "2026-11-30T25:00", "", "12:00"] {
            #expect(throws: (any Error).self, "\(bad)") { try TimeArgument.absolute(bad) }
        }
        // relative: before the file's last event
        guard case .beforeLastEvent(let ns) = try TimeArgument.parse("15m") else { Issue.record("15m is relative"); return }
        #expect(ns == 900_000_000_000)
        #expect(try TimeArgument.parse("15m").resolve(lastEvent: 1_000_000_000_000) == 100_000_000_000)
        #expect(try TimeArgument.parse("2h").resolve(lastEvent: .min) == .min) // saturates, no trap
        #expect(try DurationArgument.parse("250ms").nanoseconds == 250_000_000)
        #expect(throws: (any Error).self) { try DurationArgument.parse("1e300d") }
    }

    @Test func cgroupLayoutFromMountinfo() {
        let hybrid = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """
        let h = CgroupLayout.parse(mountinfo: hybrid)
        #expect(h.kind == .hybrid)
        #expect(h.tracked?.mountPoint == "/sys/fs/cgroup/unified")
        #expect(h.trackedHierarchyID(v1HierarchyIDs: ["cpuset": 3]) == 0)
        #expect(h.warning == nil)

        let v1 = CgroupLayout.parse(mountinfo: "34 31 0:31 / /sys/fs/cgroup/cpu\\040set rw - cgroup cgroup rw,cpuset\n35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory")
        #expect(v1.kind == .v1)
        #expect(v1.tracked?.mountPoint == "/sys/fs/cgroup/cpu set")
        #expect(v1.trackedHierarchyID(v1HierarchyIDs: ["cpuset": 3, "memory": 5]) == 3)

        let nested = CgroupLayout.parse(mountinfo: "41 31 0:38 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw")
        #expect(nested.kind == .v2)
        #expect(nested.warning?.contains("non-host cgroup namespace") == true)

        #expect(CgroupLayout.parse(mountinfo: "").warning != nil)
        #expect(h.warning(mountRootInode: 1) == nil)
        #expect(h.warning(mountRootInode: 4242)?.contains("not the root of its hierarchy") == true)
    }
}
