import CasefileModel
import Foundation

/// Finds container runtime sockets on this host: the default paths of Docker, Podman,
/// containerd (also as shipped by k3s, rke2 and microk8s) and CRI-O, plus explicit ones.
public enum RuntimeDiscovery {
    /// Default socket paths, in the order they are tried.
    public static let defaults: [RuntimeEndpoint] = [
        .init(runtime: .docker, path: "/var/run/docker.sock"),
        .init(runtime: .podman, path: "/run/podman/podman.sock"),
        .init(runtime: .containerd, path: "/run/containerd/containerd.sock"),
        .init(runtime: .containerd, path: "/run/k3s/containerd/containerd.sock"),           // k3s and rke2
        .init(runtime: .containerd, path: "/var/snap/microk8s/common/run/containerd.sock"), // microk8s
        .init(runtime: .containerd, path: "/run/dockershim.sock.d/containerd.sock"),
        .init(runtime: .crio, path: "/var/run/crio/crio.sock"),
    ]

    /// Explicit endpoints first (always kept), then every default whose socket exists now.
    /// Paths that are the same socket (symlinks, /var/run vs /run) are listed once.
    public static func discover(explicit: [RuntimeEndpoint], candidates: [RuntimeEndpoint] = defaults) -> [RuntimeEndpoint] {
        var seen: Set<String> = []
        var found: [RuntimeEndpoint] = []
        for endpoint in explicit + candidates {
            let isExplicit = explicit.contains(endpoint)
            guard isExplicit || isSocket(endpoint.path) else { continue }
            let identity = "\(endpoint.runtime)@" + (resolved(endpoint.path) ?? endpoint.path)
            guard seen.insert(identity).inserted else { continue }
            found.append(endpoint)
        }
        return found
    }

    static func isSocket(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK
    }

    static func resolved(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "\(st.st_dev):\(st.st_ino)"
    }
}
