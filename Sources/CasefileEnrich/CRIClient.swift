import Foundation
import CasefileModel
import CasefileRuntimeAPI
import GRPCCore
import GRPCNIOTransportHTTP2

/// The Kubernetes Container Runtime Interface (`runtime.v1.RuntimeService`), as containerd's CRI
/// plugin and CRI-O serve it: container status (Kubernetes names, image, image digest, labels)
/// and pod sandbox status (pod name, namespace, UID, pod labels). A pod's sandbox ("pause")
/// container is found as a sandbox and marked as one.
public struct CRIClient: RuntimeClient {
    public let runtime: ContainerRuntime
    public var api: RuntimeAPI { .cri }
    public var source: String { "cri:\(connection.path)" }
    let connection: GRPCConnection
    let timeout: Duration

    /// - Parameter runtime: what serves the CRI here (`.containerd` or `.crio`).
    public init(runtime: ContainerRuntime, connection: GRPCConnection, timeout: Duration) {
        self.runtime = runtime
        self.connection = connection
        self.timeout = timeout
    }

    var service: Runtime_V1_RuntimeService.Client<HTTP2ClientTransport.Posix> {
        Runtime_V1_RuntimeService.Client(wrapping: connection.client)
    }

    public func inspect(containerID id: String) async throws -> ContainerMetadata? {
        var status = Runtime_V1_ContainerStatusRequest()
        status.containerID = id
        // Verbose: containerd and CRI-O add runtime details as JSON in info["info"], among them
        // the container's pid, which confirms where the container lives.
        status.verbose = true
        do {
            let answer = try await service.containerStatus(status, options: callOptions(timeout))
            // The sandbox id is only on the container list entry.
            var filter = Runtime_V1_ListContainersRequest()
            filter.filter.id = id
            let listed = try? await service.listContainers(filter, options: callOptions(timeout))
            let sandboxID = listed?.containers.first(where: { $0.id == id })?.podSandboxID
            // The pod may already be gone (a short-lived pod): the container's own answer stands.
            let pod = await sandboxID.asyncMap { try? await sandbox($0) } ?? nil
            var m = Self.metadata(from: answer.status, pod: pod?.status, runtime: runtime, source: source)
            m.pid = Self.pid(verboseInfo: answer.info)
            return m
        } catch where isNotFound(error) {
            // Not a workload container; it may be a pod sandbox.
        } catch {
            throw runtimeError(error, source: source, what: "ContainerStatus \(id)")
        }
        do {
            let pod = try await sandbox(id)
            var m = Self.metadata(sandbox: pod.status, runtime: runtime, source: source)
            m.pid = Self.pid(verboseInfo: pod.info)
            return m
        } catch where isNotFound(error) {
            return nil
        } catch {
            throw runtimeError(error, source: source, what: "PodSandboxStatus \(id)")
        }
    }

    func sandbox(_ id: String) async throws -> Runtime_V1_PodSandboxStatusResponse {
        var request = Runtime_V1_PodSandboxStatusRequest()
        request.podSandboxID = id
        request.verbose = true
        return try await service.podSandboxStatus(request, options: callOptions(timeout))
    }

    static func metadata(from s: Runtime_V1_ContainerStatus, pod: Runtime_V1_PodSandboxStatus?, runtime: ContainerRuntime, source: String) -> ContainerMetadata {
        var m = ContainerMetadata(id: s.id, runtime: runtime, source: source,
                                  name: s.hasMetadata && !s.metadata.name.isEmpty ? s.metadata.name : s.labels["io.kubernetes.container.name"],
                                  image: s.hasImage && !s.image.image.isEmpty ? s.image.image : nil,
                                  imageDigest: ImageReference.digest(s.imageRef), imageID: s.imageID.isEmpty ? nil : s.imageID,
                                  labels: s.labels, createdAt: s.createdAt > 0 ? s.createdAt : nil,
                                  startedAt: s.startedAt > 0 ? s.startedAt : nil)
        m.kubernetesContainerName = s.hasMetadata && !s.metadata.name.isEmpty ? s.metadata.name : s.labels["io.kubernetes.container.name"]
        if let pod, pod.hasMetadata {
            m.pod = PodMetadata(uid: pod.metadata.uid, name: pod.metadata.name, namespace: pod.metadata.namespace,
                                labels: KubeletLabels.podOwn(pod.labels))
        } else {
            m.pod = KubeletLabels.pod(s.labels)
        }
        return m
    }

    static func metadata(sandbox s: Runtime_V1_PodSandboxStatus, runtime: ContainerRuntime, source: String) -> ContainerMetadata {
        var m = ContainerMetadata(id: s.id, runtime: runtime, source: source,
                                  name: s.hasMetadata ? "k8s_POD_\(s.metadata.name)_\(s.metadata.namespace)" : nil,
                                  labels: s.labels, createdAt: s.createdAt > 0 ? s.createdAt : nil)
        if s.hasMetadata {
            m.pod = PodMetadata(uid: s.metadata.uid, name: s.metadata.name, namespace: s.metadata.namespace, labels: KubeletLabels.podOwn(s.labels))
        }
        m.isSandbox = true
        return m
    }

    /// The pid in a verbose status's `info["info"]` JSON (containerd and CRI-O both write `"pid"`).
    static func pid(verboseInfo info: [String: String]) -> Int32? {
        struct Verbose: Decodable { var pid: Int32? }
        guard let text = info["info"], let v = try? JSONDecoder().decode(Verbose.self, from: Data(text.utf8)) else { return nil }
        return v.pid.flatMap { $0 > 0 ? $0 : nil }
    }

    /// CRI has no event stream: containers reach CRI enrichment through cgroups and through the
    /// runtime's own stream (containerd's events service). Returns at once.
    public func followEvents(_ onEvent: @escaping @Sendable (RuntimeEvent) async -> Void) async throws {}
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
