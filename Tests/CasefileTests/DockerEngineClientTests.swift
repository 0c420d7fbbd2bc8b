@testable import CasefileEnrich
import CasefileModel
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

// Docker and Podman through the Engine API: against the real dockerd (/var/run/docker.sock) and the real
// `podman system service` (/run/podman/podman.sock), plus fake servers on unix sockets for the faults and
// JSON captured from those daemons for the mapping.

@Suite("DockerEngineClient", .serialized)
struct DockerEngineClientTests {
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
            #expect(m.runtime == "docker")
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

        try await withEngineClient(runtime: "podman", socket: Self.podmanSocket) { client in
            let m = try #require(try await client.inspect(containerID: id))
            #expect(m.id == id)
            #expect(m.runtime == "podman")
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
        try await withEngineClient(runtime: "podman", socket: Self.podmanSocket) { client in
            // Podman says "remove" where Docker says "destroy".
            let actions = try await lifecycle(of: client, cidFile: dir + "/cid",
                                              run: "\(Self.podmanRun) --rm --cidfile \(dir)/cid casefile/busybox:1 true")
            #expect(actions == [.create, .start, .exit, .destroy])
        }
    }

    // MARK: faults (fake servers)

    @Test func missingSocketIsUnreachableAtOnce() async throws {
        let dir = try shortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await withEngineClient(socket: dir + "/absent.sock", timeout: .seconds(5)) { client in
            var error: (any Error)?
            let elapsed = await ContinuousClock().measure {
                error = await caught { _ = try await client.inspect(containerID: "abc") }
            }
            expectKind(error, "unreachable")
            #expect(elapsed < .seconds(1))
            #expect("\(error.map { "\($0)" } ?? "")".contains("absent.sock"))
            expectKind(await caught { for try await _ in client.events() {} }, "unreachable")
        }
    }

    @Test func refusedConnectionIsUnreachable() async throws {
        // A socket file nobody listens on (a daemon that died): connect is refused.
        let dir = try shortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/dead.sock"
        try makeDeadSocket(at: path)
        try await withEngineClient(socket: path, timeout: .seconds(5)) { client in
            var error: (any Error)?
            let elapsed = await ContinuousClock().measure {
                error = await caught { _ = try await client.inspect(containerID: "abc") }
            }
            expectKind(error, "unreachable")
            #expect(elapsed < .seconds(2))
        }
    }

    @Test func silentServerTimesOut() async throws {
        let server = try await FakeRuntimeServer.start(.silent)
        try await withEngineClient(socket: server.path, timeout: .milliseconds(500)) { client in
            var error: (any Error)?
            let elapsed = await ContinuousClock().measure {
                error = await caught { _ = try await client.inspect(containerID: "abc") }
            }
            expectKind(error, "timeout")
            #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(3))
            expectKind(await caught { for try await _ in client.events() {} }, "timeout")
        }
        await server.stop()
    }

    @Test func headersThenSilenceTimesOut() async throws {
        // The head arrives, the body never completes: the deadline covers the body too.
        let server = try await FakeRuntimeServer.start(.raw(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"Id\":", close: false))
        try await withEngineClient(socket: server.path, timeout: .milliseconds(500)) { client in
            var error: (any Error)?
            let elapsed = await ContinuousClock().measure {
                error = await caught { _ = try await client.inspect(containerID: "abc") }
            }
            expectKind(error, "timeout")
            #expect(elapsed < .seconds(3))
        }
        await server.stop()
    }

    @Test func junkServerIsBadResponse() async throws {
        let server = try await FakeRuntimeServer.start(.raw("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", close: true))
        try await withEngineClient(socket: server.path, timeout: .seconds(2)) { client in
            let error = await caught { _ = try await client.inspect(containerID: "abc") }
            expectKind(error, "badResponse")
            #expect("\(error.map { "\($0)" } ?? "")".contains(server.path))
        }
        await server.stop()
    }

    @Test func junkAnswersAreBadResponses() async throws {
        let server = try await FakeRuntimeServer.start(.http { uri in
            switch uri {
            case "/containers/html/json": FakeAnswer(body: "<html>hello</html>", contentType: "text/html")
            case "/containers/wrongtype/json": FakeAnswer(body: #"{"Id": 42, "Name": "/x"}"#)
            case "/containers/array/json": FakeAnswer(body: "[1,2,3]")
            case "/containers/badlabels/json": FakeAnswer(body: #"{"Id":"abc","Config":{"Labels":{"a":1}}}"#)
            case "/containers/empty/json": FakeAnswer(body: "")
            case "/containers/boom/json": FakeAnswer(status: .internalServerError, body: #"{"message":"boom"}"#)
            case "/containers/forbidden/json": FakeAnswer(status: .forbidden, body: "no", contentType: "text/plain")
            case "/containers/minimal/json": FakeAnswer(body: #"{"Id":"minimal","Config":{"Labels":null},"State":null}"#)
            case "/containers/badimage/json": FakeAnswer(body: #"{"Id":"badimage","Image":"sha256:feed"}"#)
            case "/images/sha256:feed/json": FakeAnswer(body: #"{"Id":"sha256:feed","RepoDigests":"casefile/busybox:1"}"#)
            default: FakeAnswer(status: .notFound, body: #"{"message":"No such container"}"#)
            }
        })
        try await withEngineClient(socket: server.path, timeout: .seconds(2)) { client in
            for id in ["html", "wrongtype", "array", "badlabels", "empty", "badimage"] {
                let error = await caught { _ = try await client.inspect(containerID: id) }
                expectKind(error, "badResponse", id)
            }
            let wrong = await caught { _ = try await client.inspect(containerID: "wrongtype") }
            #expect("\(wrong.map { "\($0)" } ?? "")".contains("Id"))
            let boom = await caught { _ = try await client.inspect(containerID: "boom") }
            #expect(isHTTP(boom, 500), "\(String(describing: boom))")
            #expect("\(boom.map { "\($0)" } ?? "")".contains("boom"))
            #expect((boom as? RuntimeError)?.isTransient == true)
            let forbidden = await caught { _ = try await client.inspect(containerID: "forbidden") }
            #expect(isHTTP(forbidden, 403), "\(String(describing: forbidden))")
            // Missing and null fields are simply unknown.
            let minimal = try #require(try await client.inspect(containerID: "minimal"))
            #expect(minimal.id == "minimal" && minimal.labels.isEmpty && minimal.name == nil && minimal.imageDigest == nil)
            #expect(try await client.inspect(containerID: "unknown") == nil)
        }
        await server.stop()
    }

    @Test func eventStreamThroughFakeServer() async throws {
        // The daemons' own lines (captured above), then a line that is not JSON: events, then badResponse.
        let lines = [Captured.dockerEvents, Captured.podmanEvents].joined(separator: "\n") + "\n\n"
        let good = try await FakeRuntimeServer.start(.http { uri in
            uri.hasPrefix("/events?filters=") ? FakeAnswer(body: lines) : FakeAnswer(status: .notFound, body: "{}")
        })
        try await withEngineClient(socket: good.path) { client in
            var events: [RuntimeEvent] = []
            for try await e in client.events() { events.append(e) }
            // First the stream says it is established, then the daemons' events.
            #expect(events.first?.action == .subscribed)
            events.removeFirst()
            #expect(events.map(\.action) == [.create, .start, .exit, .destroy, .create, .start, .exit, .destroy])
            #expect(events.first?.containerID == "ce5f76d766ea7945d3d99977e02f1be90ee8ac9180bbc05a7b1e387b10fa6ffe")
            #expect(events.first?.time == 1_796_033_048_365_012_434)
            // the event carries the container's name, image and labels (the fallback for fast containers)
            #expect(events.first?.attributes["name"]?.isEmpty == false)
            #expect(events.first?.attributes["image"]?.isEmpty == false)
            #expect(events.last?.containerID == "0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e")
        }
        await good.stop()

        let junk = try await FakeRuntimeServer.start(.http { _ in FakeAnswer(body: Captured.dockerEvents + "\nthis is not json\n") })
        try await withEngineClient(socket: junk.path) { client in
            var count = 0
            let error = await caught { for try await e in client.events() where e.action != .subscribed { count += 1 } }
            expectKind(error, "badResponse")
            #expect(count == 4)
        }
        await junk.stop()

        let refused = try await FakeRuntimeServer.start(.http { _ in FakeAnswer(status: .badRequest, body: #"{"message":"bad filter"}"#) })
        try await withEngineClient(socket: refused.path) { client in
            let error = await caught { for try await _ in client.events() {} }
            #expect(isHTTP(error, 400), "\(String(describing: error))")
            #expect("\(error.map { "\($0)" } ?? "")".contains("bad filter"))
        }
        await refused.stop()
    }

    // MARK: mapping (JSON captured from this machine's dockerd 20.10.24 and podman 4.3.1)

    @Test func mapsCapturedDockerJSON() throws {
        let m = try DockerEngineClient.metadata(containerJSON: Data(Captured.dockerContainer.utf8),
                                                imageJSON: Data(Captured.dockerImage.utf8),
                                                runtime: "docker", source: "docker:/var/run/docker.sock")
        #expect(m.id == "8ba0090b5093f79d471577024e9082ce41a3a0f73fd79d035b3ee1008215738a")
        #expect(m.name == "cf-probe")
        #expect(m.image == "casefile/busybox:1")
        #expect(m.imageDigest == nil)
        #expect(m.imageID == "sha256:67fbcded715f6a142e24d9921c4bef07b09d0090dea50db682b98fe4012d26e8")
        #expect(m.createdAt == 1_796_033_036_937_271_979)  // date -u -d 2026-11-30T10:03:56.937271979Z +%s%N
        #expect(m.startedAt == 1_796_033_037_301_083_990)  // .30108399Z: 8 digits
        #expect(m.pod == PodMetadata(uid: "1234", name: "web", namespace: "shop"))
        #expect(m.kubernetesContainerName == "app")
        #expect(m.isSandbox == false)
        #expect(m.labels.count == 4)

        // The same container, its image now known with a podman-style digest: that digest is taken.
        let podmanImage = try DockerEngineClient.metadata(containerJSON: Data(Captured.dockerContainer.utf8),
                                                          imageJSON: Data(Captured.podmanImage.utf8),
                                                          runtime: "podman", source: "podman:/x")
        #expect(podmanImage.imageDigest == "localhost/casefile/busybox@sha256:b62537297c11e809cc29c78ac5ec10ddce6f7721ee1510b3c900080a51e77edc")
        // No image answer at all: the container's image id stands, no digest.
        let noImage = try DockerEngineClient.metadata(containerJSON: Data(Captured.dockerContainer.utf8), imageJSON: nil,
                                                      runtime: "docker", source: "docker:/x")
        #expect(noImage.imageDigest == nil && noImage.imageID == m.imageID)
        // A name where an id or digest should be is neither.
        let named = try DockerEngineClient.metadata(containerJSON: Data(#"{"Id":"x","Image":"nginx:1.27","Config":{"Image":"nginx:1.27"}}"#.utf8),
                                                    imageJSON: Data(#"{"Id":"nginx:1.27","RepoDigests":["nginx:1.27","nginx"]}"#.utf8),
                                                    runtime: "docker", source: "docker:/x")
        #expect(named.image == "nginx:1.27" && named.imageID == nil && named.imageDigest == nil)
    }

    @Test func sandboxLabels() throws {
        func sandbox(_ labels: String) throws -> Bool {
            try DockerEngineClient.metadata(containerJSON: Data(#"{"Id":"x","Config":{"Labels":\#(labels)}}"#.utf8), imageJSON: nil,
                                            runtime: "docker", source: "docker:/x").isSandbox
        }
        #expect(try sandbox(#"{"io.kubernetes.docker.type":"podsandbox"}"#))
        #expect(try sandbox(#"{"io.kubernetes.docker.type":"sandbox"}"#))
        #expect(try sandbox(#"{"io.cri-containerd.kind":"sandbox"}"#))
        #expect(try !sandbox(#"{"io.kubernetes.docker.type":"container"}"#))
        #expect(try !sandbox(#"{"io.cri-containerd.kind":"container"}"#))
        #expect(try !sandbox("{}"))
    }

    @Test func repoDigestChoice() {
        let hex = String(repeating: "ab", count: 32)
        let hex2 = String(repeating: "cd", count: 32)
        // The digest of the image's own repository, with Docker's normalization of short names.
        #expect(DockerEngineClient.repoDigest(from: ["other/thing@sha256:\(hex2)", "nginx@sha256:\(hex)"], image: "nginx:1.27") == "nginx@sha256:\(hex)")
        #expect(DockerEngineClient.repoDigest(from: ["quay.io/x/nginx@sha256:\(hex2)", "docker.io/library/nginx@sha256:\(hex)"],
                                              image: "nginx") == "docker.io/library/nginx@sha256:\(hex)")
        #expect(DockerEngineClient.repoDigest(from: ["a/b@sha256:\(hex2)", "registry:5000/team/app@sha256:\(hex)"],
                                              image: "registry:5000/team/app:v2") == "registry:5000/team/app@sha256:\(hex)")
        #expect(DockerEngineClient.repoDigest(from: ["localhost/casefile/busybox@sha256:\(hex)"],
                                              image: "localhost/casefile/busybox:1") == "localhost/casefile/busybox@sha256:\(hex)")
        // No match: the first valid one; run by image id: the first.
        #expect(DockerEngineClient.repoDigest(from: ["a/b@sha256:\(hex2)", "c/d@sha256:\(hex)"], image: "e/f:1") == "a/b@sha256:\(hex2)")
        #expect(DockerEngineClient.repoDigest(from: ["a/b@sha256:\(hex2)"], image: "sha256:\(hex)") == "a/b@sha256:\(hex2)")
        #expect(DockerEngineClient.repoDigest(from: ["sha256:\(hex)"], image: nil) == "sha256:\(hex)")
        // Never a name, never something digest-shaped but wrong.
        #expect(DockerEngineClient.repoDigest(from: [], image: "nginx:1.27") == nil)
        #expect(DockerEngineClient.repoDigest(from: ["nginx:1.27", "nginx", "docker.io/library/nginx:latest"], image: "nginx:1.27") == nil)
        #expect(DockerEngineClient.repoDigest(from: ["nginx@sha256:abc", "nginx@sha256:\(hex.uppercased())", "@sha256:\(hex)",
                                                     "nginx@sha512:\(hex)\(hex)", "nginx@sha256:\(hex)x"], image: "nginx") == nil)
        #expect(DockerEngineClient.repoDigest(from: ["nginx:1.27", "nginx@sha256:\(hex)"], image: "nginx:1.27") == "nginx@sha256:\(hex)")
    }

    @Test func timestamps() {
        #expect(RFC3339.nanoseconds("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.nanoseconds("2026-11-30T10:03:56.937271979Z") == 1_796_033_036_937_271_979)
        #expect(RFC3339.nanoseconds("2026-11-30T11:03:56.937271979+01:00") == 1_796_033_036_937_271_979)
        #expect(RFC3339.nanoseconds("2026-11-30T05:03:56.9372719791234-05:00") == 1_796_033_036_937_271_979)
        #expect(RFC3339.nanoseconds("2026-11-30T10:03:56.5Z") == 1_796_033_036_500_000_000)
        #expect(RFC3339.nanoseconds("2024-02-29T00:00:00Z") == 1_709_164_800_000_000_000)
        #expect(RFC3339.nanoseconds("1969-12-31T23:59:59Z") == -1_000_000_000)
        // Go's zero time means "not set"; junk is unknown, not a crash.
        for junk in ["0001-01-01T00:00:00Z", "", "now", "2026-11-30", "2026-11-30T10:03:56", "2026-11-30T10:03:56.Z",
                     "2026-13-30T10:03:56Z", "2026-11-30T25:03:56Z", "2026-11-30T10:03:56Zjunk", "2026-11-30T10:03:56+0100",
                     "9999-12-31T23:59:59Z", "2026-11-30 10:04:02.973082046 +0000 UTC", "２０２６-11-30T10:03:56Z"] {
            #expect(RFC3339.nanoseconds(junk) == nil, "\(junk)")
        }
    }

    @Test func eventLines() throws {
        let docker = Captured.dockerEvents.split(separator: "\n").map { Data($0.utf8) }
        let mapped = try docker.map { try DockerEngineClient.event(fromJSON: $0, source: "docker:/x") }
        #expect(mapped.map { $0?.action } == [.create, nil, .start, .exit, .destroy])  // attach is skipped
        #expect(mapped[3]?.time == 1_796_033_048_579_747_221)
        let podman = try Captured.podmanEvents.split(separator: "\n").map { try DockerEngineClient.event(fromJSON: Data($0.utf8), source: "podman:/x") }
        #expect(podman.map { $0?.action } == [.create, nil, .start, nil, .exit, .destroy])  // init, attach skipped; remove = destroy
        // Newer Engine APIs drop status/id/from: Action and Actor.ID are enough; time falls back to seconds.
        let modern = try DockerEngineClient.event(fromJSON: Data(#"{"Type":"container","Action":"die","Actor":{"ID":"abc"},"time":5}"#.utf8), source: "x")
        #expect(modern == RuntimeEvent(containerID: "abc", action: .exit, time: 5_000_000_000))
        #expect(try DockerEngineClient.event(fromJSON: Data(#"{"Type":"image","Action":"create","id":"x"}"#.utf8), source: "x") == nil)
        #expect(try DockerEngineClient.event(fromJSON: Data(#"{"Type":"container","Action":"create"}"#.utf8), source: "x") == nil)
        #expect(try DockerEngineClient.event(fromJSON: Data(#"{"Type":"container","Action":"exec_start: sh","id":"x"}"#.utf8), source: "x") == nil)
        for junk in ["not json", "[]", "42", #"{"Type":7}"#, #"{"timeNano":"soon","Action":"start","id":"x"}"#, ""] {
            #expect(throws: RuntimeError.self, "\(junk)") { try DockerEngineClient.event(fromJSON: Data(junk.utf8), source: "x") }
        }
    }

    @Test func lineSplitterIgnoresReadBoundaries() throws {
        let text = Captured.dockerEvents + "\r\n\n" + Captured.podmanEvents + "\n"
        let expected = text.split(whereSeparator: \.isNewline).map(String.init)
        let bytes = Array(text.utf8)
        // Every split point, and one-byte reads.
        for cut in stride(from: 0, through: bytes.count, by: 7) {
            var splitter = JSONLineSplitter()
            var got = try splitter.append(ByteBuffer(bytes: bytes[..<cut]), source: "x")
            got += try splitter.append(ByteBuffer(bytes: bytes[cut...]), source: "x")
            #expect(got.map { String(buffer: $0) } == expected)
        }
        var splitter = JSONLineSplitter()
        var got: [ByteBuffer] = []
        for b in bytes { got += try splitter.append(ByteBuffer(bytes: [b]), source: "x") }
        #expect(got.map { String(buffer: $0) } == expected)
        // A line that never ends is refused, not buffered forever.
        var small = JSONLineSplitter(maxLine: 1000)
        #expect(throws: RuntimeError.self) { _ = try small.append(ByteBuffer(repeating: UInt8(ascii: "x"), count: 2000), source: "x") }
    }

    @Test func neverCrashesOnTruncatedOrMangledJSON() {
        // Every prefix of a real answer, and byte flips: a value or a RuntimeError, nothing else.
        let full = Array(Captured.dockerContainer.utf8)
        for n in stride(from: 0, to: full.count, by: 3) {
            do {
                _ = try DockerEngineClient.metadata(containerJSON: Data(full[..<n]), imageJSON: nil, runtime: "docker", source: "x")
            } catch {
                #expect(error is RuntimeError)
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var mangled = full
            for _ in 0..<3 { mangled[Int.random(in: 0..<mangled.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            do {
                _ = try DockerEngineClient.metadata(containerJSON: Data(mangled), imageJSON: Data(Captured.podmanImage.utf8), runtime: "docker", source: "x")
            } catch {
                #expect(error is RuntimeError)
            }
        }
    }
}

// MARK: - Helpers shared with CRIOInspectTests

/// A client on its own HTTP client (the recommended configuration), shut down afterwards.
func withEngineClient(runtime: String = "docker", socket: String, timeout: Duration = .seconds(5),
                      _ body: (DockerEngineClient) async throws -> Void) async throws {
    let http = DockerEngineClient.makeHTTPClient()
    let client = DockerEngineClient(runtime: runtime, socketPath: socket, http: http, timeout: timeout)
    do {
        try await body(client)
    } catch {
        try? await http.shutdown()
        throw error
    }
    try await http.shutdown()
}

func caught(_ body: () async throws -> Void) async -> (any Error)? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}

func isHTTP(_ error: (any Error)?, _ code: Int) -> Bool {
    guard let e = error as? RuntimeError, case .http(let c) = e.kind else { return false }
    return c == code
}

func kindName(_ kind: RuntimeError.Kind) -> String {
    switch kind {
    case .unreachable: "unreachable"
    case .timeout: "timeout"
    case .badResponse: "badResponse"
    case .http(let code): "http(\(code))"
    case .rpc(let code): "rpc(\(code))"
    }
}

func expectKind(_ error: (any Error)?, _ kind: String, _ note: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else {
        Issue.record("expected RuntimeError \(kind), got no error \(note)", sourceLocation: sourceLocation)
        return
    }
    guard let runtimeError = error as? RuntimeError else {
        Issue.record("expected RuntimeError \(kind), got \(type(of: error)): \(error) \(note)", sourceLocation: sourceLocation)
        return
    }
    #expect(kindName(runtimeError.kind) == kind, "\(runtimeError) \(note)", sourceLocation: sourceLocation)
}

func shortID() -> String { String(UUID().uuidString.prefix(8)).lowercased() }

/// A directory with a short path (unix socket paths are limited to 107 bytes).
func shortTemporaryDirectory() throws -> String {
    let path = "/tmp/cf-\(shortID())"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func lastLine(_ output: String) -> String {
    output.split(whereSeparator: \.isNewline).last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
}

/// `sh` for commands that leave a long-lived child behind (`podman run -d` leaves conmon running):
/// Foundation's Process learns that its child ended through a socket the child inherits (seen as fd 12),
/// so `waitUntilExit` would wait for conmon, i.e. for the container to exit. The command runs in bash
/// with every descriptor above 2 closed, its output going to a file.
func shDetached(_ command: String, output: String) throws -> (status: Int32, output: String) {
    let script = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ] 2>/dev/null; then eval "exec $n>&-" 2>/dev/null; fi; done; eval "$CASEFILE_COMMAND""#
    guard FileManager.default.createFile(atPath: output, contents: nil) else { throw POSIXError(.EIO) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    defer { try? handle.close() }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = ["-c", script]
    var env = ProcessInfo.processInfo.environment
    env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin:" + (env["PATH"] ?? "")
    env["CASEFILE_COMMAND"] = command
    p.environment = env
    p.standardOutput = handle
    p.standardError = handle
    try p.run()
    p.waitUntilExit()
    return (p.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
}

/// A unix socket file bound but never listened on: connecting to it is refused.
func makeDeadSocket(at path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
    }
    let status = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
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

// MARK: - Fake runtime servers on unix sockets

struct FakeAnswer: Sendable {
    var status: HTTPResponseStatus = .ok
    var body: String
    var contentType = "application/json"
}

enum FakeBehavior: Sendable {
    /// Accepts, reads, never answers.
    case silent
    /// Answers these bytes to the first read, then closes or keeps the connection.
    case raw(String, close: Bool)
    /// An HTTP/1.1 server (NIOHTTP1's server pipeline) answering each request by its URI.
    case http(@Sendable (String) -> FakeAnswer)
}

struct FakeRuntimeServer {
    let directory: String
    let path: String
    let channel: any Channel

    static func start(_ behavior: FakeBehavior) async throws -> FakeRuntimeServer {
        let directory = try shortTemporaryDirectory()
        let path = directory + "/fake.sock"
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    switch behavior {
                    case .silent:
                        break
                    case .raw(let text, let close):
                        try channel.pipeline.syncOperations.addHandler(RawReply(reply: Array(text.utf8), close: close))
                    case .http(let route):
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(HTTPReply(route: route))
                    }
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .get()
        return FakeRuntimeServer(directory: directory, path: path, channel: channel)
    }

    func stop() async {
        try? await channel.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

final class RawReply: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let reply: [UInt8]
    let close: Bool
    var answered = false

    init(reply: [UInt8], close: Bool) {
        self.reply = reply
        self.close = close
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: reply)), promise: nil)
        if close { context.close(promise: nil) }
    }
}

final class HTTPReply: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let route: @Sendable (String) -> FakeAnswer
    var uri = ""
    var hasHost = false

    init(route: @escaping @Sendable (String) -> FakeAnswer) { self.route = route }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            uri = head.uri
            hasHost = !head.headers["Host"].isEmpty
        case .body:
            break
        case .end:
            // Like Go's net/http, which every real runtime uses: HTTP/1.1 without Host is a 400.
            let answer = hasHost ? route(uri) : FakeAnswer(status: .badRequest, body: "400 Bad Request: missing required Host header", contentType: "text/plain; charset=utf-8")
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: answer.contentType)
            headers.add(name: "Content-Length", value: "\(answer.body.utf8.count)")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: answer.status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: answer.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

// MARK: - Answers captured from this machine's daemons (2026-11-30)

enum Captured {
    /// `curl --unix-socket /var/run/docker.sock http://d/containers/cf-probe/json` (dockerd 20.10.24, API 1.41).
    static let dockerContainer = #"""
    {"Id":"8ba0090b5093f79d471577024e9082ce41a3a0f73fd79d035b3ee1008215738a","Created":"2026-11-30T10:03:56.937271979Z","Path":"sleep","Args":["60"],"State":{"Status":"running","Running":true,"Paused":false,"Restarting":false,"OOMKilled":false,"Dead":false,"Pid":12241,"ExitCode":0,"Error":"","StartedAt":"2026-11-30T10:03:57.30108399Z","FinishedAt":"0001-01-01T00:00:00Z"},"Image":"sha256:67fbcded715f6a142e24d9921c4bef07b09d0090dea50db682b98fe4012d26e8","ResolvConfPath":"/var/lib/docker/containers/8ba0090b5093f79d471577024e9082ce41a3a0f73fd79d035b3ee1008215738a/resolv.conf","HostnamePath":"/var/lib/docker/containers/8ba0090b5093f79d471577024e9082ce41a3a0f73fd79d035b3ee1008215738a/hostname","HostsPath":"/var/lib/docker/containers/8ba0090b5093f79d471577024e9082ce41a3a0f73fd79d035b3ee1008215738a/hosts","LogPath":"/var/lib/docker/containers/8ba0090b5093f79d471577024e9082ce41a3a0f73fd79d035b3ee1008215738a/8ba0090b5093f79d471577024e9082ce41a3a0f73fd79d035b3ee1008215738a-json.log","Name":"/cf-probe","RestartCount":0,"Driver":"overlay2","Platform":"linux","MountLabel":"","ProcessLabel":"","AppArmorProfile":"","ExecIDs":null,"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"json-file","Config":{}},"NetworkMode":"none","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"host","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"private","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":67108864,"Runtime":"runc","ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":[],"BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],"BlkioDeviceWriteIOps":[],"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":null,"OomKillDisable":false,"PidsLimit":null,"Ulimits":[],"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":["/proc/asound","/proc/acpi","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware"],"ReadonlyPaths":["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]},"GraphDriver":{"Data":{"LowerDir":"/var/lib/docker/overlay2/632f45d67fc6c42b217c0e410bb6e9950c4bcc8c9f8c112f030da5d35f815327-init/diff:/var/lib/docker/overlay2/afe7d86d10e823e05fad2bfcaea86ff5393dff671453454c9f58fdb8b0763b20/diff","MergedDir":"/var/lib/docker/overlay2/632f45d67fc6c42b217c0e410bb6e9950c4bcc8c9f8c112f030da5d35f815327/merged","UpperDir":"/var/lib/docker/overlay2/632f45d67fc6c42b217c0e410bb6e9950c4bcc8c9f8c112f030da5d35f815327/diff","WorkDir":"/var/lib/docker/overlay2/632f45d67fc6c42b217c0e410bb6e9950c4bcc8c9f8c112f030da5d35f815327/work"},"Name":"overlay2"},"Mounts":[],"Config":{"Hostname":"8ba0090b5093","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":["sleep","60"],"Image":"casefile/busybox:1","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{"io.kubernetes.container.name":"app","io.kubernetes.pod.name":"web","io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.uid":"1234"}},"NetworkSettings":{"Bridge":"","SandboxID":"c0837ef7b14a225ea0f14b0513f7027d10d7594902dba37cf610e328a51f93aa","HairpinMode":false,"LinkLocalIPv6Address":"","LinkLocalIPv6PrefixLen":0,"Ports":{},"SandboxKey":"/var/run/docker/netns/c0837ef7b14a","SecondaryIPAddresses":null,"SecondaryIPv6Addresses":null,"EndpointID":"","Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","MacAddress":"","Networks":{"none":{"IPAMConfig":null,"Links":null,"Aliases":null,"NetworkID":"decff7c9d7c3eed1c93c7be6ffea37b0f2369f91f12e3ad235154d2b7ea6858b","EndpointID":"435231c1f1e4e5f60bb6aa192fbae3ccdeaff6bc9e7b97d318e102cc20bed11e","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"MacAddress":"","DriverOpts":null}}}}
    """#

    /// `GET /images/sha256:67fb…/json` from dockerd: an imported image, `RepoDigests: []`.
    static let dockerImage = #"""
    {"Id":"sha256:67fbcded715f6a142e24d9921c4bef07b09d0090dea50db682b98fe4012d26e8","RepoTags":["casefile/busybox:1"],"RepoDigests":[],"Parent":"","Comment":"Imported from -","Created":"2026-11-30T09:56:36.248242169Z","Container":"","ContainerConfig":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"DockerVersion":"20.10.24+dfsg1","Author":"","Config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"Architecture":"amd64","Os":"linux","Size":1982477,"VirtualSize":1982477,"GraphDriver":{"Data":{"MergedDir":"/var/lib/docker/overlay2/afe7d86d10e823e05fad2bfcaea86ff5393dff671453454c9f58fdb8b0763b20/merged","UpperDir":"/var/lib/docker/overlay2/afe7d86d10e823e05fad2bfcaea86ff5393dff671453454c9f58fdb8b0763b20/diff","WorkDir":"/var/lib/docker/overlay2/afe7d86d10e823e05fad2bfcaea86ff5393dff671453454c9f58fdb8b0763b20/work"},"Name":"overlay2"},"RootFS":{"Type":"layers","Layers":["sha256:14425cf896adcb8c1002d3b230700dfe6c5beed8c8dc4140d6c5c29c3ae91863"]},"Metadata":{"LastTagTime":"2026-11-30T09:56:36.249151785Z"}}
    """#

    /// The same image through Podman 4.3.1's compatible API: it has a repo digest.
    static let podmanImage = #"""
    {"Id":"sha256:67fbcded715f6a142e24d9921c4bef07b09d0090dea50db682b98fe4012d26e8","RepoTags":["localhost/casefile/busybox:1"],"RepoDigests":["localhost/casefile/busybox@sha256:b62537297c11e809cc29c78ac5ec10ddce6f7721ee1510b3c900080a51e77edc"],"Parent":"","Comment":"Imported from -","Created":"2026-11-30T09:56:36.248242169Z","Container":"","ContainerConfig":{"Hostname":"67fbcded715","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"DockerVersion":"20.10.24+dfsg1","Author":"","Config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"Architecture":"amd64","Os":"linux","OsVersion":"20.10.24+dfsg1","Size":2008789,"VirtualSize":2008789,"GraphDriver":{"Data":{"UpperDir":"/var/lib/containers/storage/overlay/14425cf896adcb8c1002d3b230700dfe6c5beed8c8dc4140d6c5c29c3ae91863/diff","WorkDir":"/var/lib/containers/storage/overlay/14425cf896adcb8c1002d3b230700dfe6c5beed8c8dc4140d6c5c29c3ae91863/work"},"Name":"overlay"},"RootFS":{"Type":"layers","Layers":["sha256:14425cf896adcb8c1002d3b230700dfe6c5beed8c8dc4140d6c5c29c3ae91863"]},"Metadata":{"LastTagTime":"0001-01-01T00:00:00Z"}}
    """#

    /// `GET /events?filters={"type":["container"]}` from dockerd during `docker run --rm … true`.
    static let dockerEvents = #"""
    {"status":"create","id":"ce5f76d766ea7945d3d99977e02f1be90ee8ac9180bbc05a7b1e387b10fa6ffe","from":"casefile/busybox:1","Type":"container","Action":"create","Actor":{"ID":"ce5f76d766ea7945d3d99977e02f1be90ee8ac9180bbc05a7b1e387b10fa6ffe","Attributes":{"image":"casefile/busybox:1","name":"vigorous_bhabha"}},"scope":"local","time":1796033048,"timeNano":1796033048365012434}
    {"status":"attach","id":"ce5f76d766ea7945d3d99977e02f1be90ee8ac9180bbc05a7b1e387b10fa6ffe","from":"casefile/busybox:1","Type":"container","Action":"attach","Actor":{"ID":"ce5f76d766ea7945d3d99977e02f1be90ee8ac9180bbc05a7b1e387b10fa6ffe","Attributes":{"image":"casefile/busybox:1","name":"vigorous_bhabha"}},"scope":"local","time":1796033048,"timeNano":1796033048366717275}
    {"status":"start","id":"ce5f76d766ea7945d3d99977e02f1be90ee8ac9180bbc05a7b1e387b10fa6ffe","from":"casefile/busybox:1","Type":"container","Action":"start","Actor":{"ID":"ce5f76d766ea7945d3d99977e02f1be90ee8ac9180bbc05a7b1e387b10fa6ffe","Attributes":{"image":"casefile/busybox:1","name":"vigorous_bhabha"}},"scope":"local","time":1796033048,"timeNano":1796033048562007356}
    {"status":"die","id":"ce5f76d766ea7945d3d99977e02f1be90ee8ac9180bbc05a7b1e387b10fa6ffe","from":"casefile/busybox:1","Type":"container","Action":"die","Actor":{"ID":"ce5f76d766ea7945d3d99977e02f1be90ee8ac9180bbc05a7b1e387b10fa6ffe","Attributes":{"exitCode":"0","image":"casefile/busybox:1","name":"vigorous_bhabha"}},"scope":"local","time":1796033048,"timeNano":1796033048579747221}
    {"status":"destroy","id":"ce5f76d766ea7945d3d99977e02f1be90ee8ac9180bbc05a7b1e387b10fa6ffe","from":"casefile/busybox:1","Type":"container","Action":"destroy","Actor":{"ID":"ce5f76d766ea7945d3d99977e02f1be90ee8ac9180bbc05a7b1e387b10fa6ffe","Attributes":{"image":"casefile/busybox:1","name":"vigorous_bhabha"}},"scope":"local","time":1796033048,"timeNano":1796033048620149673}
    """#

    /// The same from Podman 4.3.1's compatible API during `podman run --rm … true`: init, attach, and `remove`.
    static let podmanEvents = #"""
    {"status":"create","id":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","from":"localhost/casefile/busybox:1","Type":"container","Action":"create","Actor":{"ID":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","Attributes":{"containerExitCode":"0","image":"localhost/casefile/busybox:1","name":"happy_carson","podId":""}},"scope":"local","time":1796033048,"timeNano":1796033048700111370}
    {"status":"init","id":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","from":"localhost/casefile/busybox:1","Type":"container","Action":"init","Actor":{"ID":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","Attributes":{"containerExitCode":"0","image":"localhost/casefile/busybox:1","name":"happy_carson","podId":""}},"scope":"local","time":1796033048,"timeNano":1796033048772663881}
    {"status":"start","id":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","from":"localhost/casefile/busybox:1","Type":"container","Action":"start","Actor":{"ID":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","Attributes":{"containerExitCode":"0","image":"localhost/casefile/busybox:1","name":"happy_carson","podId":""}},"scope":"local","time":1796033048,"timeNano":1796033048796374627}
    {"status":"attach","id":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","from":"localhost/casefile/busybox:1","Type":"container","Action":"attach","Actor":{"ID":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","Attributes":{"containerExitCode":"0","image":"localhost/casefile/busybox:1","name":"happy_carson","podId":""}},"scope":"local","time":1796033048,"timeNano":1796033048796509029}
    {"status":"die","id":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","from":"localhost/casefile/busybox:1","Type":"container","Action":"die","Actor":{"ID":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","Attributes":{"containerExitCode":"0","exitCode":"0","image":"localhost/casefile/busybox:1","name":"happy_carson","podId":""}},"scope":"local","time":1796033048,"timeNano":1796033048800659294}
    {"status":"remove","id":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","from":"localhost/casefile/busybox:1","Type":"container","Action":"remove","Actor":{"ID":"0544295fd0a94ceae99a5acf74a0d9ac149f9ee43474a05e34d7a1037ae47c3e","Attributes":{"containerExitCode":"0","image":"localhost/casefile/busybox:1","name":"happy_carson","podId":""}},"scope":"local","time":1796033048,"timeNano":1796033048881599080}
    """#
}
