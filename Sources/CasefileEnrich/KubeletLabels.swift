import CasefileModel

/// What the kubelet's labels say about a container (Docker/cri-dockerd, containerd and CRI-O
/// containers all carry them).
enum KubeletLabels {
    static func pod(_ labels: [String: String]) -> PodMetadata? {
        guard let uid = labels["io.kubernetes.pod.uid"], !uid.isEmpty else { return nil }
        return PodMetadata(uid: uid, name: labels["io.kubernetes.pod.name"], namespace: labels["io.kubernetes.pod.namespace"])
    }

    static func containerName(_ labels: [String: String]) -> String? {
        labels["io.kubernetes.container.name"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// dockershim/cri-dockerd: `io.kubernetes.docker.type=podsandbox`; containerd: `io.cri-containerd.kind=sandbox`.
    static func isSandbox(_ labels: [String: String]) -> Bool {
        let dockerType = labels["io.kubernetes.docker.type"]
        return dockerType == "podsandbox" || dockerType == "sandbox" || labels["io.cri-containerd.kind"] == "sandbox"
    }

    /// containerd's CRI plugin labels what it manages `io.cri-containerd.kind=container|sandbox`.
    static func isManagedByCRI(_ labels: [String: String]) -> Bool {
        labels["io.cri-containerd.kind"] != nil
    }

    /// The pod's own labels: what runtimes add for their bookkeeping is left out.
    static func podOwn(_ labels: [String: String]) -> [String: String] {
        labels.filter { !$0.key.hasPrefix("io.kubernetes.") && !$0.key.hasPrefix("io.cri-containerd.") }
    }
}
