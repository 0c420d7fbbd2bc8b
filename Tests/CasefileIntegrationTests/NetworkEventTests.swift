import CasefileTestSupport
import Foundation
import GRDB
import Testing

/// connect and bind, performed for real, with the address as the process gave it and the result:
/// refused connections are rows too; on the host and inside a real Docker container.
@Suite(.serialized, .timeLimit(.minutes(3)))  // a hang fails the test instead of holding CI
struct NetworkEventTests {
    static func lines(_ db: Database, kind: String, comm: String) throws -> [Row] {
        try Row.fetchAll(db, sql: """
            SELECT t.details, e.ret, e.aux, e.aux2, w.container_id FROM timeline t JOIN events e ON e.id = t.id
            JOIN events_with_container w ON w.id = e.id WHERE t.kind = ? AND w.comm = ? ORDER BY e.ts
            """, arguments: [kind, comm])
    }

    @Test func connectAndBindOnTheHostAndInAContainer() async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        let tag = shortID()
        let started = try sh("docker run -d --name cf-net-\(tag) --network none casefile/busybox:1 sleep 120")
        #expect(started.status == 0, "\(started.output)")
        let id = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? sh("docker rm -f cf-net-\(tag)") }
        let script = """
            import socket
            for fam, addr in [(socket.AF_INET, ('127.0.0.1', 9)), (socket.AF_INET6, ('::1', 9))]:
                try: socket.socket(fam).connect(addr)
                except OSError: pass
            socket.socket().bind(('127.0.0.1', 0))
            try: socket.socket(socket.AF_UNIX).connect('/run/cf-net-\(tag).sock')
            except OSError: pass
            """
        let file = try temporaryDirectory().appendingPathComponent("net.py").path
        try Data(script.utf8).write(to: URL(fileURLWithPath: file))
        let queue = try await record {
            #expect(try run("/usr/bin/python3", [file]) == 0)
            _ = try sh("docker exec cf-net-\(tag) wget -q -O- http://127.0.0.1:9/")
        }
        try await queue.read { db in
            let connects = try Self.lines(db, kind: "connect", comm: "python3").map { $0["details"] as String? ?? "" }
            #expect(connects.contains("connect 127.0.0.1:9 → ECONNREFUSED"), "\(connects)")
            #expect(connects.contains("connect [::1]:9 → ECONNREFUSED"), "\(connects)")
            #expect(connects.contains("connect /run/cf-net-\(tag).sock → ENOENT"), "\(connects)")
            let binds = try Self.lines(db, kind: "bind", comm: "python3")
            #expect(binds.contains { $0["details"] as String? == "bind 127.0.0.1:0 → 0" && $0["aux"] as Int64? == 2 })
            let inside = try Self.lines(db, kind: "connect", comm: "wget")
            let refused = try #require(inside.first { $0["container_id"] as String? == id }, "wget's connect, in its container")
            #expect(refused["details"] as String? == "connect 127.0.0.1:9 → ECONNREFUSED")
            #expect(refused["ret"] as Int64? == -111 && refused["aux2"] as Int64? == 9)
        }
    }
}
