@testable import CasefileEnrich
import CasefileModel
import Foundation
import NIOCore
import NIOHTTP1
import CasefileTestSupport
import Synchronization
import Testing

// CRI-O cannot be installed on this machine, so its inspect endpoint is played by a test double that
// speaks the same protocol on a unix socket: HTTP/1.1 (NIOHTTP1's server pipeline, as Go's net/http
// would), `GET /containers/{id}` → 200 `application/json` with a `types.ContainerInfo`, or 404
// `text/plain; charset=utf-8` "can't find the container with id <id>\n" (Go's `http.Error`).
//
// The JSON shapes follow cri-o/cri-o at commit f954a17e (v1.37.0-dev, 2026-08-21):
//   pkg/types/types.go          ContainerInfo {name, pid, image, image_ref, created_time, labels, annotations,
//                               crio_annotations, log_path, root, sandbox, ip_addresses, host_network}
//   server/inspect.go           getContainerInfo (infra containers too), the 404 texts
//   internal/oci/container.go   image_ref = some repo@digest of the image, else its storage id (64 hex)
//   internal/factory/container/container.go, server/sandbox_run_linux.go: the crio_annotations set
//                               (io.kubernetes.cri-o.ContainerType = container | sandbox, ImageRef, ...);
//                               a sandbox's labels are the pod's plus io.kubernetes.container.name=POD.

@Suite("CRIOInspectClient", .serialized)
struct CRIOInspectTests {
    static let podUID = "6b8f6a4e-2f57-4c43-9d0c-6a1b6d1f3e21"
    static let sandboxID = "d2c9e5a6b0f14c5e8f0b1a2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607"
    static let containerID = "81567e9573ea798d6494c9aab156103ee91b72180fd3841a7c24d2ca39886ba2"
    static let idOnlyID = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"
    static let namedRefID = "1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e"
    static let legacyID = "2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
    static let imageID = "a4c6a1d4c5b0a1e7f3c9b2d8e6f4a2c0b8d6e4f2a0c8b6d4e2f0a8c6b4d2e0f8"
    static let digest = "docker.io/library/nginx@sha256:2d194184b067db3598771b4cf326cfe6ad5051937ba1132b8b7d4b0184e0d0a6"

    /// A workload container as CRI-O 1.3x answers it (keys in Go's json order for the struct; maps unordered).
    static let workload = """
    {"name":"k8s_app_web_shop_\(podUID)_0","pid":4242,"image":"docker.io/library/nginx:1.27",\
    "image_ref":"\(digest)","created_time":1796033036937271979,\
    "labels":{"io.kubernetes.container.name":"app","io.kubernetes.pod.name":"web","io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.uid":"\(podUID)"},\
    "annotations":{"io.kubernetes.container.hash":"f2a1c3b4","io.kubernetes.container.restartCount":"0","io.kubernetes.container.terminationMessagePath":"/dev/termination-log","io.kubernetes.container.terminationMessagePolicy":"File","io.kubernetes.pod.terminationGracePeriod":"30"},\
    "crio_annotations":{"io.container.manager":"cri-o","io.kubernetes.container.hash":"f2a1c3b4","io.kubernetes.cri-o.ContainerID":"\(containerID)",\
    "io.kubernetes.cri-o.ContainerName":"k8s_app_web_shop_\(podUID)_0","io.kubernetes.cri-o.ContainerType":"container",\
    "io.kubernetes.cri-o.Created":"2026-11-30T10:03:56.937271979Z","io.kubernetes.cri-o.Image":"nginx:1.27",\
    "io.kubernetes.cri-o.ImageName":"docker.io/library/nginx:1.27","io.kubernetes.cri-o.ImageRef":"\(imageID)",\
    "io.kubernetes.cri-o.ImageRepoDigests":"\(digest)",\
    "io.kubernetes.cri-o.Labels":"{\\"io.kubernetes.container.name\\":\\"app\\",\\"io.kubernetes.pod.name\\":\\"web\\",\\"io.kubernetes.pod.namespace\\":\\"shop\\",\\"io.kubernetes.pod.uid\\":\\"\(podUID)\\"}",\
    "io.kubernetes.cri-o.LogPath":"/var/log/pods/shop_web_\(podUID)/app/0.log","io.kubernetes.cri-o.Metadata":"{\\"name\\":\\"app\\"}",\
    "io.kubernetes.cri-o.MountPoint":"/var/lib/containers/storage/overlay/5c1f/merged","io.kubernetes.cri-o.Name":"k8s_app_web_shop_\(podUID)_0",\
    "io.kubernetes.cri-o.SandboxID":"\(sandboxID)","io.kubernetes.cri-o.SandboxName":"k8s_web_shop_\(podUID)_0",\
    "io.kubernetes.cri-o.Stdin":"false","io.kubernetes.cri-o.StdinOnce":"false","io.kubernetes.cri-o.TTY":"false",\
    "io.kubernetes.pod.name":"web","io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.uid":"\(podUID)"},\
    "log_path":"/var/log/pods/shop_web_\(podUID)/app/0.log","root":"/var/lib/containers/storage/overlay/5c1f/merged",\
    "sandbox":"\(sandboxID)","ip_addresses":["10.85.0.12","1100:200::c"],"host_network":false}
    """

    /// The pod's infra ("pause") container: image_ref empty, ContainerType sandbox, sandbox = its own id.
    static let sandbox = """
    {"name":"k8s_POD_web_shop_\(podUID)_0","pid":4200,"image":"registry.k8s.io/pause:3.10","image_ref":"",\
    "created_time":1796033030000000001,\
    "labels":{"app":"web","io.kubernetes.container.name":"POD","io.kubernetes.pod.name":"web","io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.uid":"\(podUID)","pod-template-hash":"5d4f8c7b9"},\
    "annotations":{"kubernetes.io/config.seen":"2026-11-30T10:03:49.881203312Z","kubernetes.io/config.source":"api"},\
    "crio_annotations":{"io.container.manager":"cri-o","io.kubernetes.cri-o.ContainerID":"\(sandboxID)",\
    "io.kubernetes.cri-o.ContainerName":"k8s_POD_web_shop_\(podUID)_0","io.kubernetes.cri-o.ContainerType":"sandbox",\
    "io.kubernetes.cri-o.HostNetwork":"false","io.kubernetes.cri-o.Image":"registry.k8s.io/pause:3.10",\
    "io.kubernetes.cri-o.ImageName":"registry.k8s.io/pause:3.10","io.kubernetes.cri-o.KubeName":"web",\
    "io.kubernetes.cri-o.Namespace":"shop","io.kubernetes.cri-o.SandboxID":"\(sandboxID)"},\
    "log_path":"/var/log/pods/shop_web_\(podUID)/\(sandboxID).log","root":"/var/lib/containers/storage/overlay/9e2a/merged",\
    "sandbox":"\(sandboxID)","ip_addresses":["10.85.0.12"],"host_network":false}
    """

    /// An image with no repo digest: image_ref is the storage id (64 hex, no "sha256:").
    static let idOnly = """
    {"name":"k8s_tool_web_shop_\(podUID)_0","pid":4300,"image":"localhost/tool:dev","image_ref":"\(imageID)",\
    "created_time":1796033040000000000,"labels":{"io.kubernetes.container.name":"tool","io.kubernetes.pod.uid":"\(podUID)"},\
    "annotations":null,"crio_annotations":{"io.kubernetes.cri-o.ContainerType":"container"},"log_path":"","root":"",\
    "sandbox":"\(sandboxID)","ip_addresses":null,"host_network":null}
    """

    /// A name where a digest should be: never taken as one.
    static let namedRef = """
    {"name":"k8s_odd_web_shop_\(podUID)_0","image":"docker.io/library/nginx:1.27","image_ref":"docker.io/library/nginx:1.27",\
    "created_time":0,"labels":{},"sandbox":"\(sandboxID)"}
    """

    /// CRI-O of 2017 (test/inspect.bats' sample): no image_ref, no crio_annotations, ip_addresses a string.
    static let legacy = """
    {"name":"k8s_container1_podsandbox1_redhat.test.crio_redhat-test-crio_1","pid":27477,"image":"redis:alpine",\
    "created_time":1505223601111546169,"labels":{"batch":"no","type":"small"},"annotations":{"daemon":"crio","owner":"dragon"},\
    "log_path":"/var/log/crio/pods/297d/8156.log","root":"/tmp/crio/overlay/d7cf/merged",\
    "sandbox":"297d014ba2c54236779da0c2f80dfba45dc31b106e4cd126a1c3c6d78edc2201","ip_addresses":"[10.88.9.153]"}
    """

    /// CRI-O's routes, as its chi mux answers them.
    static func crio(_ uri: String) -> FakeAnswer {
        let notFound = { (id: String) in
            FakeAnswer(status: .notFound, body: "can't find the container with id \(id)\n", contentType: "text/plain; charset=utf-8")
        }
        guard uri.hasPrefix("/containers/") else {
            return uri == "/info"
                ? FakeAnswer(body: #"{"storage_driver":"overlay","storage_root":"/var/lib/containers/storage","cgroup_driver":"systemd"}"#)
                : FakeAnswer(status: .notFound, body: "404 page not found\n", contentType: "text/plain; charset=utf-8")
        }
        let id = String(uri.dropFirst("/containers/".count))
        switch id {
        case containerID: return FakeAnswer(body: workload)
        case sandboxID: return FakeAnswer(body: sandbox)
        case idOnlyID: return FakeAnswer(body: idOnly)
        case namedRefID: return FakeAnswer(body: namedRef)
        case legacyID: return FakeAnswer(body: legacy)
        case "orphan": return FakeAnswer(status: .notFound, body: "can't find the sandbox for container id orphan\n", contentType: "text/plain; charset=utf-8")
        case "nostate": return FakeAnswer(status: .internalServerError, body: "can't find container state for container with id nostate\n", contentType: "text/plain; charset=utf-8")
        case "junk": return FakeAnswer(body: "this is not json")
        case "badtime": return FakeAnswer(body: #"{"name":"x","created_time":"yesterday"}"#)
        case "badlabels": return FakeAnswer(body: #"{"name":"x","labels":["a","b"]}"#)
        case "toplevel": return FakeAnswer(body: #"["name"]"#)
        default: return notFound(id)
        }
    }

    @Test func workloadContainer() async throws {
        let server = try await FakeRuntimeServer.start(.http(Self.crio))
        try await withCRIOClient(socket: server.path) { client in
            #expect(client.runtime == .crio)
            #expect(client.source == "crio:\(server.path)")
            let m = try #require(try await client.inspect(containerID: Self.containerID))
            #expect(m.id == Self.containerID)
            #expect(m.runtime == .crio)
            #expect(m.source == "crio:\(server.path)")
            #expect(m.name == "k8s_app_web_shop_\(Self.podUID)_0")
            #expect(m.image == "docker.io/library/nginx:1.27")
            #expect(m.imageDigest == Self.digest)
            #expect(m.imageID == "sha256:\(Self.imageID)")
            #expect(m.createdAt == 1_796_033_036_937_271_979)
            #expect(m.startedAt == nil)
            #expect(m.pod == PodMetadata(uid: Self.podUID, name: "web", namespace: "shop"))
            #expect(m.kubernetesContainerName == "app")
            #expect(m.isSandbox == false)
            #expect(m.labels.count == 4)
        }
        await server.stop()
    }

    @Test func sandboxContainer() async throws {
        let server = try await FakeRuntimeServer.start(.http(Self.crio))
        try await withCRIOClient(socket: server.path) { client in
            let m = try #require(try await client.inspect(containerID: Self.sandboxID))
            #expect(m.isSandbox)
            #expect(m.name == "k8s_POD_web_shop_\(Self.podUID)_0")
            #expect(m.image == "registry.k8s.io/pause:3.10")
            #expect(m.imageDigest == nil)
            #expect(m.imageID == nil)
            #expect(m.createdAt == 1_796_033_030_000_000_001)
            // The pod, with the pod's own labels (the sandbox's minus the kubelet's io.kubernetes.*).
            #expect(m.pod == PodMetadata(uid: Self.podUID, name: "web", namespace: "shop",
                                         labels: ["app": "web", "pod-template-hash": "5d4f8c7b9"]))
            #expect(m.kubernetesContainerName == "POD")
        }
        await server.stop()
    }

    @Test func imageRefIsADigestOnlyWhenItLooksLikeOne() async throws {
        let server = try await FakeRuntimeServer.start(.http(Self.crio))
        try await withCRIOClient(socket: server.path) { client in
            let idOnly = try #require(try await client.inspect(containerID: Self.idOnlyID))
            #expect(idOnly.imageDigest == nil)
            #expect(idOnly.imageID == "sha256:\(Self.imageID)")
            #expect(idOnly.image == "localhost/tool:dev")
            #expect(idOnly.pod == PodMetadata(uid: Self.podUID))
            #expect(idOnly.isSandbox == false)

            let named = try #require(try await client.inspect(containerID: Self.namedRefID))
            #expect(named.imageDigest == nil)
            #expect(named.imageID == nil)
            #expect(named.createdAt == nil)
            #expect(named.pod == nil)

            let legacy = try #require(try await client.inspect(containerID: Self.legacyID))
            #expect(legacy.image == "redis:alpine")
            #expect(legacy.imageDigest == nil)
            #expect(legacy.createdAt == 1_505_223_601_111_546_169)
            #expect(legacy.labels == ["batch": "no", "type": "small"])
            #expect(legacy.isSandbox == false)
        }
        await server.stop()
    }

    @Test func unknownContainersAreNil() async throws {
        let server = try await FakeRuntimeServer.start(.http(Self.crio))
        try await withCRIOClient(socket: server.path) { client async throws in
            #expect(try await client.inspect(containerID: String(repeating: "9", count: 64)) == nil)
            #expect(try await client.inspect(containerID: "orphan") == nil)
            #expect(try await client.inspect(containerID: "a/b") == nil)
            let failure = await caught { _ = try await client.inspect(containerID: "nostate") }
            #expect(isHTTP(failure, 500), "\(String(describing: failure))")
            #expect("\(failure.map { "\($0)" } ?? "")".contains("can't find container state"))
        }
        await server.stop()
    }

    @Test func junkIsBadResponse() async throws {
        let server = try await FakeRuntimeServer.start(.http(Self.crio))
        try await withCRIOClient(socket: server.path) { client in
            for id in ["junk", "badtime", "badlabels", "toplevel"] {
                let error = await caught { _ = try await client.inspect(containerID: id) }
                expectKind(error, "badResponse", id)
                #expect("\(error.map { "\($0)" } ?? "")".contains(server.path))
            }
        }
        await server.stop()

        let raw = try await FakeRuntimeServer.start(.raw("\u{0}\u{1}\u{2} binary junk\r\n\r\n", close: true))
        try await withCRIOClient(socket: raw.path) { client in
            expectKind(await caught { _ = try await client.inspect(containerID: Self.containerID) }, "badResponse")
        }
        await raw.stop()
    }

    @Test func unreachableAndSilentSockets() async throws {
        let dir = try shortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await withCRIOClient(socket: dir + "/crio.sock") { client in
            let error = await caught { _ = try await client.inspect(containerID: Self.containerID) }
            expectKind(error, "unreachable")
            #expect("\(error.map { "\($0)" } ?? "")".contains("crio:\(dir)/crio.sock"))
        }
        let silent = try await FakeRuntimeServer.start(.silent)
        try await withCRIOClient(socket: silent.path, timeout: .milliseconds(300)) { client in
            let start = ContinuousClock.now
            expectKind(await caught { _ = try await client.inspect(containerID: Self.containerID) }, "timeout")
            #expect(ContinuousClock.now - start < .seconds(10))
        }
        await silent.stop()
    }

    @Test func eventsFinishAtOnce() async throws {
        // CRI-O's HTTP API has no event stream: the stream ends at once, without error and without connecting.
        try await withCRIOClient(socket: "/nonexistent/crio.sock") { client in
            let count = Mutex(0)
            try await client.followEvents { _ in count.withLock { $0 += 1 } }
            #expect(count.withLock { $0 } == 0)
        }
    }

    @Test func mapsJSONWithoutAServer() throws {
        let m = try CRIOInspectClient.metadata(json: Data(Self.sandbox.utf8), containerID: Self.sandboxID, source: "crio:/x")
        #expect(m.isSandbox && m.pod?.uid == Self.podUID)
        // Without the ContainerType annotation, a container that is its own sandbox is the sandbox.
        let bare = #"{"name":"k8s_POD_x","sandbox":"\#(Self.sandboxID)","labels":{"io.kubernetes.pod.uid":"u"}}"#
        #expect(try CRIOInspectClient.metadata(json: Data(bare.utf8), containerID: Self.sandboxID, source: "x").isSandbox)
        #expect(try !CRIOInspectClient.metadata(json: Data(bare.utf8), containerID: Self.containerID, source: "x").isSandbox)
        #expect(throws: RuntimeError.self) { try CRIOInspectClient.metadata(json: Data("{".utf8), containerID: "x", source: "x") }
        #expect(ImageReference.imageID(Self.imageID) == "sha256:\(Self.imageID)")
        #expect(ImageReference.imageID("sha256:\(Self.imageID)") == "sha256:\(Self.imageID)")
        #expect(ImageReference.imageID("nginx:1.27") == nil)
        #expect(ImageReference.imageID(Self.digest) == nil)
    }
}
