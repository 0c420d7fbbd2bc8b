@testable import CasefileEnrich
import CasefileModel
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import CasefileTestSupport
import Testing

// Docker and Podman through the Engine API without a daemon: fake servers on unix sockets for the faults,
// and JSON captured from the real daemons for the mapping (the real daemons: CasefileIntegrationTests).

@Suite("DockerEngineClient without a daemon")
struct EngineAPITests {

    // MARK: faults (fake servers)

    @Test func missingSocketIsUnreachableAtOnce() async throws {
        let dir = try shortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await withEngineClient(socket: dir + "/absent.sock", timeout: .seconds(60)) { client in
            var error: (any Error)?
            let elapsed = await ContinuousClock().measure {
                error = await caught { _ = try await client.inspect(containerID: "abc") }
            }
            expectKind(error, "unreachable")
            #expect(elapsed < .seconds(15), "unreachable after \(elapsed), not after the 60 s timeout")
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
        // The refusal is reported at once, not after the call's timeout: a timeout far above the
        // bound keeps the check meaningful and the bound far above scheduling noise on a busy host.
        try await withEngineClient(socket: path, timeout: .seconds(60)) { client in
            var error: (any Error)?
            let elapsed = await ContinuousClock().measure {
                error = await caught { _ = try await client.inspect(containerID: "abc") }
            }
            expectKind(error, "unreachable")
            #expect(elapsed < .seconds(15), "refused after \(elapsed), not after the 60 s timeout")
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
            // the deadline holds (a hang would run into the test's limit), with room for a busy host
            #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(10))
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
            #expect(elapsed < .seconds(10))
        }
        await server.stop()
    }

    @Test func junkServerIsBadResponse() async throws {
        let server = try await FakeRuntimeServer.start(.raw("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", close: true))
        try await withEngineClient(socket: server.path, timeout: .seconds(20)) { client in
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
        // The timeout is only a bound: answers come at once, but a busy test run can delay them.
        try await withEngineClient(socket: server.path, timeout: .seconds(20)) { client in
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
                                                runtime: .docker, source: "docker:/var/run/docker.sock")
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
                                                          runtime: .podman, source: "podman:/x")
        #expect(podmanImage.imageDigest == "localhost/casefile/busybox@sha256:b62537297c11e809cc29c78ac5ec10ddce6f7721ee1510b3c900080a51e77edc")
        // No image answer at all: the container's image id stands, no digest.
        let noImage = try DockerEngineClient.metadata(containerJSON: Data(Captured.dockerContainer.utf8), imageJSON: nil,
                                                      runtime: .docker, source: "docker:/x")
        #expect(noImage.imageDigest == nil && noImage.imageID == m.imageID)
        // A name where an id or digest should be is neither.
        let named = try DockerEngineClient.metadata(containerJSON: Data(#"{"Id":"x","Image":"nginx:1.27","Config":{"Image":"nginx:1.27"}}"#.utf8),
                                                    imageJSON: Data(#"{"Id":"nginx:1.27","RepoDigests":["nginx:1.27","nginx"]}"#.utf8),
                                                    runtime: .docker, source: "docker:/x")
        #expect(named.image == "nginx:1.27" && named.imageID == nil && named.imageDigest == nil)
    }

    @Test func sandboxLabels() throws {
        func sandbox(_ labels: String) throws -> Bool {
            try DockerEngineClient.metadata(containerJSON: Data(#"{"Id":"x","Config":{"Labels":\#(labels)}}"#.utf8), imageJSON: nil,
                                            runtime: .docker, source: "docker:/x").isSandbox
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
        #expect(ImageReference.repoDigest(from: ["other/thing@sha256:\(hex2)", "nginx@sha256:\(hex)"], image: "nginx:1.27") == "nginx@sha256:\(hex)")
        #expect(ImageReference.repoDigest(from: ["quay.io/x/nginx@sha256:\(hex2)", "docker.io/library/nginx@sha256:\(hex)"],
                                              image: "nginx") == "docker.io/library/nginx@sha256:\(hex)")
        #expect(ImageReference.repoDigest(from: ["a/b@sha256:\(hex2)", "registry:5000/team/app@sha256:\(hex)"],
                                              image: "registry:5000/team/app:v2") == "registry:5000/team/app@sha256:\(hex)")
        #expect(ImageReference.repoDigest(from: ["localhost/casefile/busybox@sha256:\(hex)"],
                                              image: "localhost/casefile/busybox:1") == "localhost/casefile/busybox@sha256:\(hex)")
        // No match: the first valid one; run by image id: the first.
        #expect(ImageReference.repoDigest(from: ["a/b@sha256:\(hex2)", "c/d@sha256:\(hex)"], image: "e/f:1") == "a/b@sha256:\(hex2)")
        #expect(ImageReference.repoDigest(from: ["a/b@sha256:\(hex2)"], image: "sha256:\(hex)") == "a/b@sha256:\(hex2)")
        #expect(ImageReference.repoDigest(from: ["sha256:\(hex)"], image: nil) == "sha256:\(hex)")
        // Never a name, never something digest-shaped but wrong.
        #expect(ImageReference.repoDigest(from: [], image: "nginx:1.27") == nil)
        #expect(ImageReference.repoDigest(from: ["nginx:1.27", "nginx", "docker.io/library/nginx:latest"], image: "nginx:1.27") == nil)
        #expect(ImageReference.repoDigest(from: ["nginx@sha256:abc", "nginx@sha256:\(hex.uppercased())", "@sha256:\(hex)",
                                                     "nginx@sha512:\(hex)\(hex)", "nginx@sha256:\(hex)x"], image: "nginx") == nil)
        #expect(ImageReference.repoDigest(from: ["nginx:1.27", "nginx@sha256:\(hex)"], image: "nginx:1.27") == "nginx@sha256:\(hex)")
    }

    @Test func timestamps() {
        #expect(Timestamp.rfc3339("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.rfc3339("2026-11-30T10:03:56.937271979Z") == 1_796_033_036_937_271_979)
        #expect(Timestamp.rfc3339("2026-11-30T11:03:56.937271979+01:00") == 1_796_033_036_937_271_979)
        #expect(Timestamp.rfc3339("2026-11-30T05:03:56.9372719791234-05:00") == 1_796_033_036_937_271_979)
        #expect(Timestamp.rfc3339("2026-11-30T10:03:56.5Z") == 1_796_033_036_500_000_000)
        #expect(Timestamp.rfc3339("2024-02-29T00:00:00Z") == 1_709_164_800_000_000_000)
        #expect(Timestamp.rfc3339("1969-12-31T23:59:59Z") == -1_000_000_000)
        // Go's zero time means "not set"; junk is unknown, not a crash.
        for junk in ["0001-01-01T00:00:00Z", "", "now", "2026-11-30", "2026-11-30T10:03:56", "2026-11-30T10:03:56.Z",
                     "2026-13-30T10:03:56Z", "2026-11-30T25:03:56Z", "2026-11-30T10:03:56Zjunk", "2026-11-30T10:03:56+0100",
                     "9999-12-31T23:59:59Z", "2026-11-30 10:04:02.973082046 +0000 UTC", "２０２６-11-30T10:03:56Z"] {
            #expect(Timestamp.rfc3339(junk) == nil, "\(junk)")
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
                _ = try DockerEngineClient.metadata(containerJSON: Data(full[..<n]), imageJSON: nil, runtime: .docker, source: "x")
            } catch {
                #expect(error is RuntimeError)
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var mangled = full
            for _ in 0..<3 { mangled[Int.random(in: 0..<mangled.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            do {
                _ = try DockerEngineClient.metadata(containerJSON: Data(mangled), imageJSON: Data(Captured.podmanImage.utf8), runtime: .docker, source: "x")
            } catch {
                #expect(error is RuntimeError)
            }
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
