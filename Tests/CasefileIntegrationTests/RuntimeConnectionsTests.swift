@testable import CasefileEnrich
import CasefileModel
import Foundation
import CasefileTestSupport
import Testing

/// Docker and Podman clients share one HTTP client: answers never cross sockets.
@Test func sharedHTTPClientKeepsSocketsApart() async throws {
    guard Requirement.root(), Runtime.require(.docker), Runtime.require(.podman) else { return }
    let run = try sh("docker run -d --network none localhost:5000/casefile/busybox:1 sleep 20")
    let id = run.output.trimmingCharacters(in: .whitespacesAndNewlines)
    defer { _ = try? sh("docker rm -f \(id)") }
    let connections = RuntimeConnections(endpoints: [RuntimeEndpoint(runtime: .docker, path: "/var/run/docker.sock"),
                                                     RuntimeEndpoint(runtime: .podman, path: "/run/podman/podman.sock")], timeout: .seconds(3))
    let docker = connections.clients[0], podman = connections.clients[1]
    let misses = try await connections.run {
        var misses = 0
        for _ in 0..<30 {
            async let p = try? podman.inspect(containerID: id)
            async let d = try docker.inspect(containerID: id)
            let (pr, dr) = await (p, try d)
            #expect(pr == nil)
            if dr == nil { misses += 1 }
        }
        return misses
    }
    #expect(misses == 0)
}
