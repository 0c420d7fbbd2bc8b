import CasefileModel
import CasefileRuntimeAPI
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Synchronization

/// containerd's own gRPC API: containers (labels, image, creation time) and images (digest), in
/// every namespace (`k8s.io` for Kubernetes, `moby` for Docker, `default` for ctr, and any other
/// it lists), plus its event stream for containers created and started.
public final class ContainerdClient: RuntimeClient {
    public var runtime: ContainerRuntime { .containerd }
    public var api: RuntimeAPI { .containerd }
    public var source: String { "containerd:\(connection.path)" }
    let connection: GRPCConnection
    let timeout: Duration
    private let knownNamespaces = Mutex<[String]>(["k8s.io", "moby", "default"])

    public init(connection: GRPCConnection, timeout: Duration) {
        self.connection = connection
        self.timeout = timeout
    }

    private func metadata(_ namespace: String) -> Metadata {
        var m = Metadata()
        m.addString(namespace, forKey: "containerd-namespace")
        return m
    }

    /// The namespaces to search: the usual ones first, then whatever containerd lists.
    func namespaces() async -> [String] {
        let namespaces = Containerd_Services_Namespaces_V1_Namespaces.Client(wrapping: connection.client)
        if let listed = try? await namespaces.list(Containerd_Services_Namespaces_V1_ListNamespacesRequest(),
                                                   options: callOptions(timeout)) {
            knownNamespaces.withLock { known in
                for ns in listed.namespaces.map(\.name) where !known.contains(ns) { known.append(ns) }
            }
        }
        return knownNamespaces.withLock { $0 }
    }

    public func inspect(containerID id: String) async throws -> ContainerMetadata? {
        let containers = Containerd_Services_Containers_V1_Containers.Client(wrapping: connection.client)
        var request = Containerd_Services_Containers_V1_GetContainerRequest()
        request.id = id
        for namespace in await namespaces() {
            let container: Containerd_Services_Containers_V1_Container
            do {
                container = try await containers.get(request, metadata: metadata(namespace), options: callOptions(timeout)).container
            } catch where isNotFound(error) {
                continue
            } catch {
                throw runtimeError(error, source: source, what: "Containers.Get \(id) in namespace \(namespace)")
            }
            var m = Self.metadata(from: container, namespace: namespace, source: source)
            if !container.image.isEmpty {
                m.imageDigest = try? await digest(of: container.image, namespace: namespace)
            }
            return m
        }
        return nil
    }

    /// The image's target digest (`sha256:…`, the manifest or index digest registries serve).
    func digest(of image: String, namespace: String) async throws -> String? {
        let images = Containerd_Services_Images_V1_Images.Client(wrapping: connection.client)
        var request = Containerd_Services_Images_V1_GetImageRequest()
        request.name = image
        let answer = try await images.get(request, metadata: metadata(namespace), options: callOptions(timeout))
        return ImageReference.digest(answer.image.target.digest)
    }

    static func metadata(from c: Containerd_Services_Containers_V1_Container, namespace: String, source: String) -> ContainerMetadata {
        let labels = c.labels
        var m = ContainerMetadata(id: c.id, runtime: .containerd, source: "\(source) namespace \(namespace)",
                                  name: KubeletLabels.containerName(labels) ?? labels["nerdctl/name"],
                                  image: c.image.isEmpty ? nil : c.image, labels: labels,
                                  createdAt: c.hasCreatedAt ? nanoseconds(c.createdAt) : nil)
        m.kubernetesContainerName = KubeletLabels.containerName(labels)
        m.pod = KubeletLabels.pod(labels)
        m.isSandbox = KubeletLabels.isSandbox(labels)
        return m
    }

    public func followEvents(_ onEvent: @escaping @Sendable (RuntimeEvent) async -> Void) async throws {
        let client = Containerd_Services_Events_V1_Events.Client(wrapping: connection.client)
        var request = Containerd_Services_Events_V1_SubscribeRequest()
        // Filters are OR-ed.
        request.filters = ["/containers/create", "/containers/delete", "/tasks/start", "/tasks/exit"]
            .map { #"topic==""# + $0 + #"""# }
        do {
            try await client.subscribe(request) { response in
                await onEvent(RuntimeEvent(containerID: "", action: .subscribed))
                for try await envelope in response.messages {
                    if let event = Self.event(from: envelope) { await onEvent(event) }
                }
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw runtimeError(error, source: source, what: "Events.Subscribe")
        }
    }

    static func event(from e: Containerd_Services_Events_V1_Envelope) -> RuntimeEvent? {
        let time = e.hasTimestamp ? nanoseconds(e.timestamp) : nil
        switch e.topic {
        case "/containers/create":
            guard let p = try? Containerd_Events_ContainerCreate(unpackingAny: e.event) else { return nil }
            return RuntimeEvent(containerID: p.id, action: .create, time: time)
        case "/containers/delete":
            guard let p = try? Containerd_Events_ContainerDelete(unpackingAny: e.event) else { return nil }
            return RuntimeEvent(containerID: p.id, action: .destroy, time: time)
        case "/tasks/start":
            guard let p = try? Containerd_Events_TaskStart(unpackingAny: e.event) else { return nil }
            return RuntimeEvent(containerID: p.containerID, action: .start, time: time)
        case "/tasks/exit":
            guard let p = try? Containerd_Events_TaskExit(unpackingAny: e.event) else { return nil }
            return RuntimeEvent(containerID: p.containerID, action: .exit, time: time)
        default:
            return nil
        }
    }
}

/// UTC ns of a protobuf timestamp; nil when Int64 nanoseconds cannot hold it (before 1678 or
/// after 2262: a runtime's clock or answer that is wrong, never a trap).
func nanoseconds(_ t: Google_Protobuf_Timestamp) -> Int64? {
    let (ns, overflow) = t.seconds.multipliedReportingOverflow(by: 1_000_000_000)
    guard !overflow, (0..<1_000_000_000).contains(t.nanos) else { return nil }
    let (total, overflow2) = ns.addingReportingOverflow(Int64(t.nanos))
    return overflow2 ? nil : total
}
