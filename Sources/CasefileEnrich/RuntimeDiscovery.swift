import Foundation

/// A runtime endpoint: what kind of API, on which unix socket.
public struct RuntimeEndpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// Docker Engine API.
        case docker
        /// Podman's Docker-compatible API.
        case podman
        /// containerd's own gRPC API (and, on the same socket, its CRI plugin).
        case containerd
        /// CRI-O: CRI gRPC plus its HTTP inspect endpoint on the same socket.
        case crio
    }
    public var kind: Kind
    public var path: String
    /// Given with --runtime-socket (kept even when the socket is missing at start).
    public var explicit: Bool

    public init(kind: Kind, path: String, explicit: Bool = false) {
        self.kind = kind
        self.path = path
        self.explicit = explicit
    }

    public var description: String { "\(kind.rawValue):\(path)" }

    /// Parses `RUNTIME=PATH` (the `--runtime-socket` syntax).
    public init(argument: String) throws {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = Kind(rawValue: parts[0].lowercased()), parts[1].hasPrefix("/") else {
            throw DiscoveryError(description: "--runtime-socket expects RUNTIME=/absolute/path.sock with RUNTIME one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")); got '\(argument)'")
        }
        self.init(kind: kind, path: parts[1], explicit: true)
    }
}

public struct DiscoveryError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Finds container runtime sockets on this host: the default paths of Docker, Podman,
/// containerd (also as shipped by k3s, rke2 and microk8s) and CRI-O, plus explicit ones.
public enum RuntimeDiscovery {
    /// Default socket paths, in the order they are tried.
    public static let defaults: [RuntimeEndpoint] = [
        .init(kind: .docker, path: "/var/run/docker.sock"),
        .init(kind: .podman, path: "/run/podman/podman.sock"),
        .init(kind: .containerd, path: "/run/containerd/containerd.sock"),
        .init(kind: .containerd, path: "/run/k3s/containerd/containerd.sock"),           // k3s and rke2
        .init(kind: .containerd, path: "/var/snap/microk8s/common/run/containerd.sock"), // microk8s
        .init(kind: .containerd, path: "/run/dockershim.sock.d/containerd.sock"),
        .init(kind: .crio, path: "/var/run/crio/crio.sock"),
    ]

    /// Explicit endpoints first (always kept), then every default whose socket exists now.
    /// Paths that are the same socket (symlinks, /var/run vs /run) are listed once.
    public static func discover(explicit: [RuntimeEndpoint], candidates: [RuntimeEndpoint] = defaults) -> [RuntimeEndpoint] {
        var seen: Set<String> = []
        var found: [RuntimeEndpoint] = []
        for endpoint in explicit + candidates {
            let isExplicit = explicit.contains(endpoint)
            guard isExplicit || isSocket(endpoint.path) else { continue }
            let identity = "\(endpoint.kind)@" + (resolved(endpoint.path) ?? endpoint.path)
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
