@testable import CasefileEnrich
import CasefileModel
import Foundation
import CasefileTestSupport
import Testing

// Docker and Podman through the Engine API, against the real dockerd (/var/run/docker.sock) and the real
// `podman system service` (/run/podman/podman.sock). The faults and the JSON mapping are unit tests
// (CasefileUnitTests/EngineAPITests.swift).

@Suite("DockerEngineClient against real daemons", .serialized, .timeLimit(.minutes(3)))
struct EngineAPIRuntimeTests {
    static let dockerSocket = "/var/run/docker.sock"
    static let podmanSocket = "/run/podman/podman.sock"
    static let podmanRun = "podman run --cgroup-manager=cgroupfs --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network none"

    // MARK: real dockerd

    @Test func dockerInspectsKubeletLabelledContainer() async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        let name = "cf-engine-\(shortID())"
        let uid = UUID().uuidString.lowercased()
        defer { _ = try? sh("docker rm -f \(name)") }
        let started = try sh("""
            docker run -d --name \(name) --network none --label io.kubernetes.pod.name=web \
            --label io.kubernetes.pod.namespace=shop --label io.kubernetes.pod.uid=\(uid) \
            --label io.kubernetes.container.name=app casefile/busybox:1 sleep 30
            """)
        try #require(started.status == 0, "docker run: \(started.output)")
        let id = lastLine(started.output)
        try #require(id.count == 64)

        try await withEngineClient(socket: Self.dockerSocket) { client in
            #expect(client.source == "docker:/var/run/docker.sock")
            let m = try #require(try await client.inspect(containerID: id))
            #expect(m.id == id)
            #expect(m.runtime == .docker)
            #expect(m.source == "docker:/var/run/docker.sock")
            #expect(m.name == name)
            #expect(m.image == "casefile/busybox:1")
            #expect(m.labels == [
                "io.kubernetes.pod.name": "web", "io.kubernetes.pod.namespace": "shop",
                "io.kubernetes.pod.uid": uid, "io.kubernetes.container.name": "app",
            ])
            #expect(m.pod == PodMetadata(uid: uid, name: "web", namespace: "shop"))
            #expect(m.kubernetesContainerName == "app")
            #expect(m.isSandbox == false)
            // casefile/busybox:1 is imported, so it has no RepoDigests unless it was pushed somewhere since
            // (someone may have pushed it to a local registry): then the digest is one of them, never a name.
            let repoDigests = try JSONDecoder().decode([String].self, from: Data(
                lastLine(try sh("docker image inspect -f '{{json .RepoDigests}}' casefile/busybox:1").output).utf8))
            if repoDigests.isEmpty {
                #expect(m.imageDigest == nil)
            } else {
                let digest = try #require(m.imageDigest)
                #expect(repoDigests.contains(digest) && digest.contains("@sha256:"))
                if let own = repoDigests.first(where: { $0.hasPrefix("casefile/busybox@") || $0.hasPrefix("docker.io/casefile/busybox@") }) {
                    #expect(digest == own)
                }
            }
            let imageID = try #require(m.imageID)
            #expect(imageID.hasPrefix("sha256:") && imageID.count == 71)
            #expect(imageID == lastLine(try sh("docker inspect -f '{{.Image}}' \(id)").output))

            // Times are exactly what dockerd says, to the nanosecond.
            let created = lastLine(try sh("docker inspect -f '{{.Created}}' \(id)").output)
            let startedAt = lastLine(try sh("docker inspect -f '{{.State.StartedAt}}' \(id)").output)
            #expect(m.createdAt == Int64(lastLine(try sh("date -u -d '\(created)' +%s%N").output)))
            #expect(m.startedAt == Int64(lastLine(try sh("date -u -d '\(startedAt)' +%s%N").output)))
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            if let c = m.createdAt, let s = m.startedAt {
                #expect(c <= s && s <= now && now - c < 120_000_000_000)
            }

            // By name and by short id: the same container, under its full id.
            #expect(try await client.inspect(containerID: name)?.id == id)
            #expect(try await client.inspect(containerID: String(id.prefix(12)))?.id == id)
        }
    }

    @Test func dockerUnknownContainerIsNil() async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        try await withEngineClient(socket: Self.dockerSocket) { client async throws in
            #expect(try await client.inspect(containerID: String(repeating: "0", count: 63) + "1") == nil)
            #expect(try await client.inspect(containerID: "no-such-container-\(shortID())") == nil)
            // Not a container id or name at all: nil without asking.
            #expect(try await client.inspect(containerID: "../../info") == nil)
            #expect(try await client.inspect(containerID: "") == nil)
        }
    }

    @Test func dockerEventsFollowLifecycle() async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        let dir = try shortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await withEngineClient(socket: Self.dockerSocket) { client in
            let actions = try await lifecycle(of: client, cidFile: dir + "/cid",
                                              run: "docker run --rm --network none --cidfile \(dir)/cid casefile/busybox:1 true")
            #expect(actions == [.create, .start, .exit, .destroy])
        }
    }

    // MARK: real podman service

    @Test func podmanInspectsKubeletLabelledContainer() async throws {
        guard Requirement.root(), Runtime.require(.podman) else { return }
        let name = "cf-engine-\(shortID())"
        let uid = UUID().uuidString.lowercased()
        let dir = try shortTemporaryDirectory()
        defer {
            _ = try? sh("podman rm -f -t 0 \(name)")
            try? FileManager.default.removeItem(atPath: dir)
        }
        let started = try shDetached("""
            \(Self.podmanRun) -d --name \(name) --label io.kubernetes.pod.name=web \
            --label io.kubernetes.pod.namespace=shop --label io.kubernetes.pod.uid=\(uid) \
            --label io.kubernetes.container.name=app casefile/busybox:1 sleep 30
            """, output: dir + "/out")
        try #require(started.status == 0, "podman run: \(started.output)")
        let id = lastLine(started.output)
        try #require(id.count == 64)

        try await withEngineClient(runtime: .podman, socket: Self.podmanSocket) { client in
            let m = try #require(try await client.inspect(containerID: id))
            #expect(m.id == id)
            #expect(m.runtime == .podman)
            #expect(m.source == "podman:/run/podman/podman.sock")
            #expect(m.name == name)
            #expect(m.image == "localhost/casefile/busybox:1")
            #expect(m.labels["io.kubernetes.pod.uid"] == uid)
            #expect(m.pod == PodMetadata(uid: uid, name: "web", namespace: "shop"))
            #expect(m.kubernetesContainerName == "app")
            #expect(m.isSandbox == false)
            // Podman gives even a loaded image a repo digest, under its own repository.
            let digest = try #require(m.imageDigest)
            #expect(digest.hasPrefix("localhost/casefile/busybox@sha256:") && digest.count == "localhost/casefile/busybox@sha256:".count + 64)
            let cliDigests = try sh("podman image inspect --format '{{json .RepoDigests}}' localhost/casefile/busybox:1").output
            #expect(cliDigests.contains(digest))
            let imageID = try #require(m.imageID)
            #expect(imageID.hasPrefix("sha256:") && imageID.count == 71)
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            let created = try #require(m.createdAt)
            let startedAt = try #require(m.startedAt)
            #expect(created <= startedAt && startedAt <= now && now - created < 120_000_000_000)

            #expect(try await client.inspect(containerID: name)?.id == id)
            #expect(try await client.inspect(containerID: String(repeating: "f", count: 64)) == nil)
        }
    }

    @Test func podmanEventsFollowLifecycle() async throws {
        guard Requirement.root(), Runtime.require(.podman) else { return }
        let dir = try shortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await withEngineClient(runtime: .podman, socket: Self.podmanSocket) { client in
            // Podman says "remove" where Docker says "destroy".
            let actions = try await lifecycle(of: client, cidFile: dir + "/cid",
                                              run: "\(Self.podmanRun) --rm --cidfile \(dir)/cid casefile/busybox:1 true")
            #expect(actions == [.create, .start, .exit, .destroy])
        }
    }
}

/// What a client's `events()` said about the container that `run` starts (its id from `cidFile`).
func lifecycle(of client: DockerEngineClient, cidFile: String, run: String) async throws -> [RuntimeEvent.Action] {
    let log = EventLog()
    let stream = client.events()
    let consumer = Task {
        do {
            for try await event in stream { await log.add(event) }
            await log.end(nil)
        } catch {
            await log.end("\(error)")
        }
    }
    // Let the stream open before the container exists.
    try await Task.sleep(for: .seconds(1))
    let result = try sh(run)
    #expect(result.status == 0, "\(run): \(result.output)")
    let id = try String(contentsOfFile: cidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(id.count == 64)
    let deadline = ContinuousClock.now + .seconds(10)
    var mine: [RuntimeEvent] = []
    while ContinuousClock.now < deadline {
        mine = await log.events.filter { $0.containerID == id }
        if mine.contains(where: { $0.action == .destroy }) { break }
        if let ended = await log.ended { Issue.record("event stream ended: \(ended ?? "finished")"); break }
        try await Task.sleep(for: .milliseconds(100))
    }
    // Times are the daemon's, in order, and recent.
    let now = Int64(Date().timeIntervalSince1970 * 1e9)
    let times = mine.compactMap(\.time)
    #expect(times.count == mine.count)
    #expect(times == times.sorted())
    #expect(times.allSatisfy { abs(now - $0) < 60_000_000_000 })
    // Stopping the consumer closes the stream promptly.
    let stop = ContinuousClock.now
    consumer.cancel()
    await consumer.value
    #expect(ContinuousClock.now - stop < .seconds(2))
    return mine.map(\.action)
}

actor EventLog {
    private(set) var events: [RuntimeEvent] = []
    /// nil while open; then .some(nil) when finished, .some(error) when it threw.
    private(set) var ended: String??
    func add(_ event: RuntimeEvent) { events.append(event) }
    func end(_ error: String?) { ended = .some(error) }
}
