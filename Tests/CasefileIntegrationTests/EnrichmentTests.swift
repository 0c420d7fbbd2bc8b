@testable import CasefileEnrich
import CasefileModel
import CasefileRecorder
import CasefileRuntimeAPI
import CasefileStore
import Foundation
import GRDB
import GRPCCore
import GRPCNIOTransportHTTP2
import CasefileTestSupport
import Testing

/// Enrichment against real runtimes: names, images, digests and pods arrive asynchronously and
/// are back-filled into rows that events already point to.
@Suite(.serialized, .timeLimit(.minutes(3)))  // a hang fails the test instead of holding CI
struct EnrichmentTests {
    /// Pushed through the local registry by scripts/runtimes.sh, so it has a real repo digest.
    static let image = "localhost:5000/casefile/busybox:1"

    static func tag() -> String { String(UUID().uuidString.prefix(8)).lowercased() }

    static func container(_ db: Database, _ id: String) throws -> Row? {
        try Row.fetchOne(db, sql: "SELECT * FROM containers WHERE id = ?", arguments: [id])
    }

    // MARK: Docker

    @Test func dockerContainerWithKubeletLabels() async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        let t = Self.tag()
        let podUID = UUID().uuidString.lowercased()
        var started = ""
        let queue = try await record {
            let run = try sh("""
                docker run -d --name cf-k8s-\(t) --network none --label io.kubernetes.pod.name=web-\(t) \
                --label io.kubernetes.pod.namespace=shop --label io.kubernetes.pod.uid=\(podUID) \
                --label io.kubernetes.container.name=app \(Self.image) sh -c 'echo cf-k8s-\(t); sleep 1'
                """)
            #expect(run.status == 0, "\(run.output)")
            started = run.output.trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try sh("docker wait cf-k8s-\(t); docker rm cf-k8s-\(t)")
        }
        let id = started
        defer { _ = try? sh("docker rm -f cf-k8s-\(t)") }
        try await queue.read { db in
            let c = try #require(try Self.container(db, id))
            #expect(c["name"] as String? == "cf-k8s-\(t)", "\(c)")
            #expect(c["image"] as String? == Self.image)
            let digest: String = try #require(c["image_digest"])
            #expect(digest.hasPrefix("localhost:5000/casefile/busybox@sha256:"))
            #expect((c["image_id"] as String?)?.hasPrefix("sha256:") == true)
            #expect((c["enriched_from"] as String?)?.hasPrefix("docker:") == true)
            #expect(c["enrich_error"] as String? == nil)
            // asked at create (no pid yet), asked again at start: its pid's cgroup confirms it
            #expect(c["runtime_pid"] as Int64? != nil && c["confirmed_at"] as Int64? != nil,
                    "a container enriched at create time is confirmed once it starts: \(c)")
            // created_at is what the kernel saw (the cgroup's mkdir); the runtime's claim is kept apart
            let mkdir = try Int64.fetchOne(db, sql: "SELECT created_at FROM cgroups WHERE hierarchy_id = 0 AND path = ?", arguments: ["/docker/\(id)"])
            #expect(c["created_at"] as Int64? == mkdir)
            let runtimeCreated: Int64 = try #require(c["runtime_created_at"])
            #expect(runtimeCreated <= (mkdir ?? 0), "docker creates the container before its cgroup")
            #expect(c["kube_container_name"] as String? == "app")
            #expect(c["pod_uid"] as String? == podUID)
            let pod = try #require(try Row.fetchOne(db, sql: "SELECT * FROM pods WHERE uid = ?", arguments: [podUID]))
            #expect(pod["name"] as String? == "web-\(t)")
            #expect(pod["namespace"] as String? == "shop")
            // labels are stored as JSON
            #expect(try String.fetchOne(db, sql: "SELECT json_extract(labels, '$.\"io.kubernetes.pod.namespace\"') FROM containers WHERE id = ?", arguments: [id]) == "shop")
        }
        // The events recorded inside it show its name and pod in the timeline.
        let path = try #require(queue.path as String?)
        let rows = try Investigation(path: path).timelineRows(Selection(kinds: ["exec"], containers: ["cf-k8s-\(t)"]))
        let exec = try #require(rows.first { $0["details"]?.string == "sh -c 'echo cf-k8s-\(t); sleep 1'" })
        #expect(exec["container"]?.string == "cf-k8s-\(t)")
        #expect(exec["pod"]?.string == "shop/web-\(t)")
    }

    /// `docker run --rm` of a container that exits at once still gets name, image and digest:
    /// the Docker event stream triggers enrichment at create time.
    @Test func shortLivedDockerContainer() async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        let t = Self.tag()
        let queue = try await record {
            let run = try sh("docker run --rm --name cf-fast-\(t) --network none \(Self.image) sh -c 'exit 0'")
            #expect(run.status == 0, "\(run.output)")
        }
        try await queue.read { db in
            let others = try Row.fetchAll(db, sql: "SELECT * FROM containers WHERE existed_at_start = 0")
            let c = try #require(try Row.fetchOne(db, sql: "SELECT * FROM containers WHERE name = ?", arguments: ["cf-fast-\(t)"]), "\(others)")
            #expect(c["image"] as String? == Self.image)
            #expect((c["image_digest"] as String?)?.contains("@sha256:") == true)
            #expect(c["removed_at"] as Int64? != nil)
            #expect(c["runtime"] as String? == "docker")
        }
    }

    // MARK: containerd

    @Test func containerdContainerWithKubeletLabels() async throws {
        guard Requirement.root(), Runtime.require(.containerd) else { return }
        let podUID = UUID().uuidString.lowercased()
        let id = String((UUID().uuidString + UUID().uuidString).lowercased().filter(\.isHexDigit).prefix(64))
        defer { _ = try? sh("ctr -n k8s.io task kill -s KILL \(id); sleep 0.3; ctr -n k8s.io task rm -f \(id); ctr -n k8s.io container rm \(id)") }
        let queue = try await record {
            let run = try sh("""
                ctr -n k8s.io run -d --cgroup /kubepods/besteffort/pod\(podUID)/\(id) --label io.kubernetes.pod.name=db \
                --label io.kubernetes.pod.namespace=store --label io.kubernetes.pod.uid=\(podUID) \
                --label io.kubernetes.container.name=postgres \(Self.image) \(id) sleep 30
                """)
            #expect(run.status == 0, "\(run.output)")
            try await Task.sleep(for: .milliseconds(300))
        }
        try await queue.read { db in
            let c = try #require(try Self.container(db, id))
            #expect(c["runtime"] as String? == "containerd")
            #expect(c["image"] as String? == Self.image)
            #expect((c["image_digest"] as String?)?.hasPrefix("sha256:") == true)
            #expect(c["kube_container_name"] as String? == "postgres")
            #expect((c["enriched_from"] as String?)?.contains("containerd") == true)
            let pod = try #require(try Row.fetchOne(db, sql: "SELECT * FROM pods WHERE uid = ?", arguments: [podUID]))
            #expect(pod["name"] as String? == "db")
            #expect(pod["namespace"] as String? == "store")
        }
    }

    // MARK: Podman

    @Test func podmanContainerThroughItsService() async throws {
        guard Requirement.root(), Runtime.require(.podman) else { return }
        let t = Self.tag()
        let queue = try await record {
            let run = try sh("""
                podman run -d --cgroup-manager=cgroupfs --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network none \
                --name cf-pod-\(t) \(Self.image) sleep 30
                """)
            #expect(run.status == 0, "\(run.output)")
            try await Task.sleep(for: .milliseconds(300))
        }
        defer { _ = try? sh("podman rm -f -t 0 cf-pod-\(t)") }
        try await queue.read { db in
            let c = try #require(try Row.fetchOne(db, sql: "SELECT * FROM containers WHERE name = ?", arguments: ["cf-pod-\(t)"]))
            #expect(c["runtime"] as String? == "podman")
            #expect((c["enriched_from"] as String?)?.hasPrefix("podman:") == true)
            #expect((c["image"] as String?)?.contains("casefile/busybox") == true)
        }
    }

    // MARK: CRI, acting as the kubelet against containerd's real CRI plugin

    @Test func criPodAndContainerThroughContainerdsCRIPlugin() async throws {
        guard Requirement.root(), Runtime.require(.containerd) else { return }
        // The test plays the kubelet: its own gRPC client to containerd's CRI plugin.
        let transport = try HTTP2ClientTransport.Posix(target: .unixDomainSocket(path: "/run/containerd/containerd.sock"),
                                                       transportSecurity: .plaintext)
        try await withGRPCClient(transport: transport) { client in
            let cri = Runtime_V1_RuntimeService.Client(wrapping: client)
            let podUID = UUID().uuidString.lowercased()
            let t = Self.tag()
            var sandboxID = ""
            var containerID = ""
            let queue = try await record {
                var sandbox = Runtime_V1_PodSandboxConfig()
                sandbox.metadata.name = "api-\(t)"
                sandbox.metadata.namespace = "prod"
                sandbox.metadata.uid = podUID
                sandbox.labels = ["app": "api", "tier": "backend", "io.kubernetes.pod.uid": podUID]
                sandbox.linux.cgroupParent = "/kubepods/besteffort/pod\(podUID)"
                sandbox.linux.securityContext.namespaceOptions.network = .node
                sandbox.logDirectory = "/tmp/cf-cri-\(t)"
                var run = Runtime_V1_RunPodSandboxRequest()
                run.config = sandbox
                sandboxID = try await cri.runPodSandbox(run).podSandboxID

                var config = Runtime_V1_ContainerConfig()
                config.metadata.name = "server"
                config.image.image = Self.image
                config.command = ["sleep", "30"]
                config.labels = ["io.kubernetes.pod.name": "api-\(t)", "io.kubernetes.pod.namespace": "prod",
                                 "io.kubernetes.pod.uid": podUID, "io.kubernetes.container.name": "server"]
                config.logPath = "server.log"
                var create = Runtime_V1_CreateContainerRequest()
                create.podSandboxID = sandboxID
                create.config = config
                create.sandboxConfig = sandbox
                containerID = try await cri.createContainer(create).containerID
                var start = Runtime_V1_StartContainerRequest()
                start.containerID = containerID
                _ = try await cri.startContainer(start)
                try await Task.sleep(for: .milliseconds(500))
            }
            let (sid, cid) = (sandboxID, containerID)
            // Clean up as the kubelet would (awaited, so nothing is left for the next test).
            var stop = Runtime_V1_StopPodSandboxRequest()
            stop.podSandboxID = sid
            _ = try? await cri.stopPodSandbox(stop)
            var remove = Runtime_V1_RemovePodSandboxRequest()
            remove.podSandboxID = sid
            _ = try? await cri.removePodSandbox(remove)
            try await queue.read { db in
                let c = try #require(try Self.container(db, cid))
                #expect(c["kube_container_name"] as String? == "server")
                // containerd's CRI names the image by its first tag: the same image is also imported as
                // docker.io/casefile/busybox:1, so either name is right.
                #expect((c["image"] as String?)?.hasSuffix("casefile/busybox:1") == true)
                #expect((c["enriched_from"] as String?)?.hasPrefix("cri:") == true)
                #expect((c["image_digest"] as String?)?.contains("sha256:") == true)
                #expect(c["sandbox"] as Int64 == 0)
                #expect(c["pod_uid"] as String? == podUID)
                let sandbox = try #require(try Self.container(db, sid))
                #expect(sandbox["sandbox"] as Int64 == 1)
                #expect(sandbox["pod_uid"] as String? == podUID)
                let pod = try #require(try Row.fetchOne(db, sql: "SELECT * FROM pods WHERE uid = ?", arguments: [podUID]))
                #expect(pod["name"] as String? == "api-\(t)")
                #expect(pod["namespace"] as String? == "prod")
                let labels = try #require(pod["labels"] as String?)
                #expect(labels.contains(#""app":"api""#) && labels.contains(#""tier":"backend""#))
            }
        }
    }

    // MARK: Faults

    /// No runtime at all: events are recorded, containers keep id and runtime guess, the error is stored.
    @Test func noRuntimeSocketAtAll() async throws {
        guard Requirement.root(), Requirement.check(cgroupV2Mount() != nil, "a cgroup v2 hierarchy"), let v2 = cgroupV2Mount() else { return }
        let id = String((UUID().uuidString + UUID().uuidString).lowercased().filter(\.isHexDigit).prefix(64))
        let dir = "\(v2)/docker/\(id)"
        let marker = "cf-noruntime-\(id.prefix(8))"
        let queue = try await record(options: {
            $0.runtimeSocketCandidates = []
            $0.runtimeSockets = [RuntimeEndpoint(runtime: .docker, path: "/nonexistent/docker.sock", explicit: true)]
            $0.enricher.maxAttempts = 2
            $0.enricher.firstRetry = .milliseconds(20)
        }) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            #expect(try run("/bin/sh", ["-c", "echo $$ > '\(dir)/cgroup.procs' && exec /bin/sh -c 'exit 0' \(marker)"]) == 0)
            try FileManager.default.removeItem(atPath: dir)
            try await Task.sleep(for: .milliseconds(300))
        }
        try await queue.read { db in
            let c = try #require(try Self.container(db, id))
            #expect(c["runtime"] as String? == "docker")
            #expect(c["name"] as String? == nil)
            let error: String = try #require(c["enrich_error"])
            #expect(error.contains("/nonexistent/docker.sock"))
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM execs WHERE cmdline = ?", arguments: ["/bin/sh -c 'exit 0' \(marker)"]) == 1)
            #expect(try String.fetchOne(db, sql: "SELECT runtimes FROM sessions")?.contains("/nonexistent/docker.sock") == true)
        }
    }

    /// Runtimes that answer junk or never answer: events are still recorded, the errors are stored
    /// in the container rows, nothing crashes, and the stop is not held up.
    @Test func junkAndHangingRuntimes() async throws {
        guard Requirement.root(), Requirement.check(cgroupV2Mount() != nil, "a cgroup v2 hierarchy"), let v2 = cgroupV2Mount() else { return }
        let junk = try await FakeRuntimeServer.start(.http { _ in FakeAnswer(body: "<html>definitely not JSON</html>") })
        let silent = try await FakeRuntimeServer.start(.silent)
        let id = String((UUID().uuidString + UUID().uuidString).lowercased().filter(\.isHexDigit).prefix(64))
        let dir = "\(v2)/docker/\(id)"
        let marker = "cf-junk-\(id.prefix(8))"
        let began = ContinuousClock.now
        let queue = try await record(options: {
            $0.runtimeSocketCandidates = []
            $0.runtimeSockets = [RuntimeEndpoint(runtime: .docker, path: junk.path, explicit: true),
                                 RuntimeEndpoint(runtime: .podman, path: silent.path, explicit: true)]
            $0.enricher.callTimeout = .milliseconds(500)
            $0.enricher.maxAttempts = 2
            $0.enrichmentGrace = .seconds(1)
        }) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            #expect(try run("/bin/sh", ["-c", "echo $$ > '\(dir)/cgroup.procs' && exec /bin/sh -c 'exit 0' \(marker)"]) == 0)
            try FileManager.default.removeItem(atPath: dir)
            try await Task.sleep(for: .milliseconds(1500))
        }
        #expect(ContinuousClock.now - began < .seconds(15))
        await junk.stop()
        await silent.stop()
        try await queue.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM execs WHERE cmdline = ?", arguments: ["/bin/sh -c 'exit 0' \(marker)"]) == 1)
            let c = try #require(try Self.container(db, id))
            #expect(c["name"] as String? == nil)
            let error: String = try #require(c["enrich_error"])
            #expect(error.contains(junk.path) || error.contains(silent.path), "\(error)")
            #expect(try Int.fetchOne(db, sql: "SELECT clean_shutdown FROM sessions") == 1)
        }
    }

    /// The runtime is down when a container starts and comes back during the session: the
    /// container is enriched then, and the events recorded before show its name afterwards.
    @Test func runtimeStoppedAndRestartedMidRecording() async throws {
        guard Requirement.root(), Runtime.require(.podman) else { return }
        let t = Self.tag()
        let queue = try await record(options: {
            $0.runtimeSocketCandidates = [RuntimeEndpoint(runtime: .podman, path: "/run/podman/podman.sock")]
            $0.enricher.firstRetry = .milliseconds(100)
            $0.enricher.maxRetryDelay = .milliseconds(400)
        }) {
            _ = try sh("pkill -f 'podman.*system service' ; sleep 0.5")
            #expect(!Runtime.podman.answers, "the podman service should be down now")
            let run = try sh("""
                podman run -d --cgroup-manager=cgroupfs --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network none \
                --name cf-back-\(t) \(Self.image) sh -c 'echo cf-back-\(t); sleep 30'
                """)
            #expect(run.status == 0, "\(run.output)")
            try await Task.sleep(for: .milliseconds(500))
            #expect(try sh("bash '\(repositoryRoot)/scripts/runtimes.sh' start").status == 0)
            for _ in 0..<50 where !Runtime.podman.answers { try await Task.sleep(for: .milliseconds(100)) }
            try await Task.sleep(for: .seconds(1))
        }
        defer { _ = try? sh("podman rm -f -t 0 cf-back-\(t)") }
        try await queue.read { db in
            let c = try #require(try Row.fetchOne(db, sql: "SELECT * FROM containers WHERE name = ?", arguments: ["cf-back-\(t)"]))
            #expect(c["enrich_error"] as String? == nil)
            #expect(c["enriched_at"] as Int64? != nil)
            let name = try String.fetchOne(db, sql: """
                SELECT w.container_name FROM events_with_container w JOIN execs x ON x.event_id = w.id WHERE x.cmdline = ?
                """, arguments: ["sh -c 'echo cf-back-\(t); sleep 30'"])
            #expect(name == "cf-back-\(t)")
        }
    }
}
