import CasefileStore
import CasefileTestSupport
import Foundation
import GRDB
import Testing

/// File events, performed for real: each open is a row with its arguments and its result —
/// failed attempts included — on the host and inside a real Docker container.
@Suite(.serialized, .timeLimit(.minutes(3)))  // a hang fails the test instead of holding CI
struct FileEventTests {
    static let image = "casefile/busybox:1"

    /// The timeline line of the open of `path` by a process named `comm`.
    static func opens(_ db: Database, path: String, comm: String? = nil) throws -> [Row] {
        try Row.fetchAll(db, sql: """
            SELECT t.details, t.container, e.ret, e.aux, e.aux2, e.aux3, w.container_id, w.comm
            FROM events e JOIN paths p ON p.id = e.object_id JOIN timeline t ON t.id = e.id
            JOIN events_with_container w ON w.id = e.id
            WHERE e.kind = 6 AND p.path = ? AND (? IS NULL OR w.comm = ?) ORDER BY e.ts
            """, arguments: [path, comm, comm])
    }

    @Test func opensOnTheHostWithTheirResults() async throws {
        guard Requirement.root() else { return }
        let tag = shortID()
        let dir = try temporaryDirectory()
        let created = dir.appendingPathComponent("cf-open-\(tag)").path
        let missing = dir.appendingPathComponent("missing-\(tag)").path
        let queue = try await record {
            let status = try run("/bin/sh", ["-c", "cat /etc/hostname > /dev/null; echo x > '\(created)'; cat '\(missing)' 2>/dev/null; true"])
            #expect(status == 0)
            let denied = try run("/usr/sbin/runuser", ["-u", "nobody", "--", "/bin/cat", "/etc/shadow"])
            #expect(denied != 0)
        }
        try await queue.read { db in
            let read = try #require(try Self.opens(db, path: "/etc/hostname", comm: "cat").first)
            #expect((read["ret"] as Int64? ?? -1) >= 0)
            #expect((read["details"] as String?)?.hasPrefix("open /etc/hostname O_RDONLY → fd ") == true, "\(read["details"] as String? ?? "")")

            let write = try #require(try Self.opens(db, path: created).first)
            #expect(write["details"] as String? == "open \(created) O_WRONLY|O_CREAT|O_TRUNC 0666 → fd \(write["ret"] as Int64? ?? -1)")
            #expect(write["aux2"] as Int64? == 0o666)

            let absent = try #require(try Self.opens(db, path: missing, comm: "cat").first)
            #expect(absent["ret"] as Int64? == -2)
            #expect((absent["details"] as String?)?.hasSuffix("→ ENOENT") == true)

            let shadow = try #require(try Self.opens(db, path: "/etc/shadow", comm: "cat").first, "the denied attempt is a row")
            #expect(shadow["ret"] as Int64? == -13)
            #expect(shadow["details"] as String? == "open /etc/shadow O_RDONLY → EACCES")
            #expect(shadow["aux3"] as Int64? == nil, "an absolute path: no directory fd")
        }
    }

    @Test func opensInsideADockerContainerAreAttributed() async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        let tag = shortID()
        let started = try sh("docker run -d --name cf-files-\(tag) --network none \(Self.image) sleep 120")
        #expect(started.status == 0, "\(started.output)")
        let id = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? sh("docker rm -f cf-files-\(tag)") }
        let queue = try await record {
            _ = try sh("docker exec cf-files-\(tag) sh -c 'cat /etc/passwd > /dev/null; cat /nonexistent-\(tag); true'")
        }
        try await queue.read { db in
            let passwd = try Self.opens(db, path: "/etc/passwd", comm: "cat").filter { $0["container_id"] as String? == id }
            #expect(passwd.count == 1)
            #expect((passwd.first?["ret"] as Int64? ?? -1) >= 0)
            #expect(passwd.first?["container"] as String? == "cf-files-\(tag)")
            let absent = try #require(try Self.opens(db, path: "/nonexistent-\(tag)").first)
            #expect(absent["container_id"] as String? == id)
            #expect(absent["ret"] as Int64? == -2)
        }
    }

    /// The timeline lines of kind `kind` whose details mention `text`, oldest first.
    static func lines(_ db: Database, kind: String, containing text: String) throws -> [Row] {
        try Row.fetchAll(db, sql: """
            SELECT t.details, t.container, e.ret, w.container_id FROM timeline t JOIN events e ON e.id = t.id
            JOIN events_with_container w ON w.id = e.id WHERE t.kind = ? AND instr(t.details, ?) > 0 ORDER BY e.ts
            """, arguments: [kind, text])
    }

    /// The scenario of issue 9: a script written, made executable, renamed, a directory made
    /// twice, removed, files removed (one missing): every step a row with its result.
    @Test func pathChangesOnTheHostAndInAContainer() async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        let tag = shortID()
        let started = try sh("docker run -d --name cf-paths-\(tag) --network none \(Self.image) sleep 120")
        #expect(started.status == 0, "\(started.output)")
        let id = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? sh("docker rm -f cf-paths-\(tag)") }
        let script = "echo x > /tmp/cf-\(tag).sh; chmod 755 /tmp/cf-\(tag).sh; mv /tmp/cf-\(tag).sh /tmp/cf-\(tag)-b.sh; "
            + "mkdir /tmp/cf-\(tag).d; mkdir /tmp/cf-\(tag).d; rmdir /tmp/cf-\(tag).d; rm /tmp/cf-\(tag)-b.sh; rm /tmp/cf-\(tag)-gone; true"
        let queue = try await record {
            let host = try sh("sh -c '\(script)' 2>/dev/null")
            #expect(host.status == 0)
            let inside = try sh("docker exec cf-paths-\(tag) sh -c '\(script)' 2>/dev/null")
            #expect(inside.status == 0)
        }
        try await queue.read { db in
            for inContainer in [false, true] {
                func one(_ kind: String, _ text: String) throws -> Row {
                    let rows = try Self.lines(db, kind: kind, containing: text).filter { ($0["container_id"] as String? == id) == inContainer }
                    return try #require(rows.first, "\(kind) \(text) \(inContainer ? "in the container" : "on the host")")
                }
                #expect(try one("chmod", "/tmp/cf-\(tag).sh")["details"] as String? == "chmod /tmp/cf-\(tag).sh 0755 → 0")
                #expect(try one("rename", "/tmp/cf-\(tag).sh")["details"] as String? == "rename /tmp/cf-\(tag).sh /tmp/cf-\(tag)-b.sh → 0")
                let mkdirs = try Self.lines(db, kind: "mkdir", containing: "/tmp/cf-\(tag).d").filter { ($0["container_id"] as String? == id) == inContainer }
                #expect(mkdirs.map { $0["details"] as String? ?? "" } == ["mkdir /tmp/cf-\(tag).d 0777 → 0", "mkdir /tmp/cf-\(tag).d 0777 → EEXIST"])
                #expect(try one("rmdir", "/tmp/cf-\(tag).d")["ret"] as Int64? == 0)
                #expect(try one("unlink", "/tmp/cf-\(tag)-b.sh")["ret"] as Int64? == 0)
                if !inContainer { // busybox rm checks with lstat first and never calls unlink on a missing file
                    #expect(try one("unlink", "/tmp/cf-\(tag)-gone")["details"] as String? == "unlink /tmp/cf-\(tag)-gone → ENOENT")
                }
            }
        }
    }

    /// Links, symlinks, owners and lengths: two paths where there are two, uid:gid, the length.
    @Test func linksOwnersAndLengthsWithTheirResults() async throws {
        guard Requirement.root() else { return }
        let tag = shortID()
        let base = "/tmp/cf-l-\(tag)"
        // GNU truncate(1) uses ftruncate on an fd; Python's os.truncate calls truncate(2) on the path.
        let script = "echo x > \(base); ln \(base) \(base).hard; ln -s \(base) \(base).soft; chown 65534:65534 \(base); "
            + "python3 -c \"import os, sys; os.truncate(sys.argv[1], 5)\" \(base); ln \(base) \(base).hard; rm -f \(base) \(base).hard \(base).soft"
        let queue = try await record {
            // The second ln fails on purpose (EEXIST); the script's status is rm's.
            let result = try sh("sh -c '\(script)' 2>/dev/null")
            #expect(result.status == 0, "\(result.output)")
        }
        try await queue.read { db in
            func details(_ kind: String) throws -> [String] {
                try Self.lines(db, kind: kind, containing: base).map { $0["details"] as String? ?? "" }
            }
            let links = try details("link"), symlinks = try details("symlink"), chowns = try details("chown"), truncates = try details("truncate")
            #expect(links == ["link \(base) \(base).hard → 0", "link \(base) \(base).hard → EEXIST"])
            #expect(symlinks == ["symlink \(base) \(base).soft → 0"])
            #expect(chowns.contains("chown \(base) 65534:65534 → 0"), "\(chowns)")
            #expect(truncates.contains("truncate \(base) 5 → 0"), "\(truncates)")
        }
    }
}
