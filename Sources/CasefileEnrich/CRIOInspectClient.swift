import AsyncHTTPClient
import CasefileModel
import Foundation
import NIOCore

/// CRI-O's own HTTP "inspect" endpoint, served on its CRI socket (default `/var/run/crio/crio.sock`):
/// `GET /containers/{id}` answers the `ContainerInfo` JSON of CRI-O's `pkg/types/types.go`, made by
/// `getContainerInfo` in `server/inspect.go` (checked against cri-o/cri-o at v1.37.0-dev, commit f954a17e;
/// the fields used here exist since CRI-O 1.16):
///
/// ```
/// {"name": "k8s_app_web_shop_<uid>_0", "pid": 4242, "image": "docker.io/library/nginx:1.27",
///  "image_ref": "docker.io/library/nginx@sha256:…" (or the 64-hex image id, or ""),
///  "created_time": <int64 UTC ns>, "labels": {...}, "annotations": {...kubelet's...},
///  "crio_annotations": {...the OCI spec's, incl. io.kubernetes.cri-o.ContainerType...},
///  "log_path": "...", "root": "...", "sandbox": "<pod sandbox id>", "ip_addresses": [...], "host_network": false}
/// ```
///
/// Unknown ids answer 404 with the text `can't find the container with id <id>` (or, when the container's
/// sandbox is gone, 404 `can't find the sandbox for container id <id>`). Pod sandbox ("infra") ids are
/// answered too: their `crio_annotations` say `io.kubernetes.cri-o.ContainerType: sandbox`, their labels are
/// the pod's plus `io.kubernetes.container.name: POD`, `image` is the pause image and `image_ref` is empty.
///
/// The answer has no id (the id asked is recorded) and no start time (`startedAt` stays nil; CRI
/// `ContainerStatus` has it).
public struct CRIOInspectClient: RuntimeClient {
    public var runtime: ContainerRuntime { .crio }
    public var api: RuntimeAPI { .crioInspect }
    public let socketPath: String
    public let timeout: Duration
    private let transport: UnixHTTPTransport

    public var source: String { "crio:\(socketPath)" }

    public init(socketPath: String = "/var/run/crio/crio.sock", http: HTTPClient, timeout: Duration = .seconds(5)) {
        self.socketPath = socketPath
        self.timeout = timeout
        self.transport = UnixHTTPTransport(socketPath: socketPath, source: "crio:\(socketPath)", http: http, timeout: timeout)
    }

    public func inspect(containerID id: String) async throws -> ContainerMetadata? {
        guard UnixHTTPTransport.isPlausibleID(id) else { return nil }
        let path = "/containers/\(id)"
        let answer = try await transport.get(path, deadline: .now + timeout)
        guard answer.status == 200 else {
            if answer.status == 404 { return nil }
            // Older or patched servers may say so with another status.
            let text = String(decoding: answer.body.readableBytesView.prefix(512), as: UTF8.self)
            if text.contains("can't find the container") || text.contains("can't find the sandbox for container") { return nil }
            throw transport.httpError(answer, what: "GET \(path)")
        }
        let info = try JSONAnswer.decode(CRIOContainerInfo.self, from: answer.body, source: source, what: "GET \(path)")
        return Self.metadata(info, containerID: id, source: source)
    }

    /// Maps one `GET /containers/{id}` answer to metadata; `containerID` is the id asked (the answer has
    /// none). Throws `RuntimeError.badResponse` when it is not a `ContainerInfo` object.
    public static func metadata(json: Data, containerID: String, source: String) throws -> ContainerMetadata {
        let info = try JSONAnswer.decode(CRIOContainerInfo.self, from: ByteBuffer(bytes: json), source: source, what: "ContainerInfo")
        return metadata(info, containerID: containerID, source: source)
    }

    static func metadata(_ info: CRIOContainerInfo, containerID: String, source: String) -> ContainerMetadata {
        let labels = info.labels ?? [:]
        let crio = info.crioAnnotations ?? [:]
        let kube = info.annotations ?? [:]
        func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }

        let containerType = crio[Annotation.containerType] ?? kube[Annotation.containerType]
        let isSandbox = containerType == "sandbox" || (nonEmpty(info.sandbox) == containerID && containerType == nil)
            || KubeletLabels.isSandbox(labels)
        let image = nonEmpty(info.image) ?? nonEmpty(crio[Annotation.imageName]) ?? nonEmpty(crio[Annotation.userRequestedImage])

        // image_ref is "some repo@digest" of the image, or the storage image id (64 hex), or "".
        let imageRef = nonEmpty(info.imageRef)
        var digest = ImageReference.digest(imageRef)
        if digest == nil, let listed = nonEmpty(crio[Annotation.imageRepoDigests]) {
            digest = ImageReference.repoDigest(from: listed.split(separator: ",").map(String.init), image: image)
        }
        let imageID = [nonEmpty(crio[Annotation.imageRef]), imageRef].lazy.compactMap { ImageReference.imageID($0) }.first

        var pod = KubeletLabels.pod(labels)
        if isSandbox {
            // A sandbox's labels are the pod's labels plus the kubelet's io.kubernetes.* ones.
            pod?.labels = labels.filter { !$0.key.hasPrefix("io.kubernetes.") }
        }
        var m = ContainerMetadata(
            id: containerID,
            runtime: .crio,
            source: source,
            name: nonEmpty(info.name),
            image: image,
            imageDigest: digest,
            imageID: imageID,
            labels: labels,
            createdAt: info.createdTime.flatMap { $0 > 0 ? $0 : nil },
            startedAt: nil,
            pod: pod,
            kubernetesContainerName: KubeletLabels.containerName(labels),
            isSandbox: isSandbox
        )
        m.pid = info.pid.flatMap { $0 > 0 ? $0 : nil }
        return m
    }

    /// CRI-O's HTTP API has no event stream (its events reach kubelet through CRI's
    /// `GetContainerEvents`, a gRPC stream, not this endpoint): returns at once. CRI-O containers are
    /// found through their cgroups and inspected then.
    public func followEvents(_ onEvent: @escaping @Sendable (RuntimeEvent) async -> Void) async throws {}

    /// CRI-O's annotation keys (internal/annotations/annotations.go).
    enum Annotation {
        static let containerType = "io.kubernetes.cri-o.ContainerType"
        static let imageRef = "io.kubernetes.cri-o.ImageRef"
        static let imageName = "io.kubernetes.cri-o.ImageName"
        static let userRequestedImage = "io.kubernetes.cri-o.Image"
        static let imageRepoDigests = "io.kubernetes.cri-o.ImageRepoDigests"
    }
}

/// `types.ContainerInfo` (cri-o pkg/types/types.go), the fields used. Go writes nil maps as null.
struct CRIOContainerInfo: Decodable {
    var name: String?
    var image: String?
    var imageRef: String?
    var createdTime: Int64?
    var labels: [String: String]?
    var annotations: [String: String]?
    var crioAnnotations: [String: String]?
    var sandbox: String?
    var pid: Int32?

    enum CodingKeys: String, CodingKey {
        case name, image, labels, annotations, sandbox, pid
        case imageRef = "image_ref", createdTime = "created_time", crioAnnotations = "crio_annotations"
    }
}
