// Container identity from a cgroup path (see `ContainerPath`).
import CasefileModel

/// A container found in a cgroup path.
public struct ContainerPathMatch: Sendable, Equatable {
    /// Full container id: 64 lowercase hex digits, or a Garden handle (runtime ``ContainerRuntime/garden``).
    public var id: String
    /// The runtime the path's shape suggests (a guess: see ``ContainerPath/parse(_:)``).
    public var runtime: ContainerRuntime
    /// Kubernetes pod UID when the cgroup directly above the container (or the slice part of a
    /// `slice:cri-containerd:id` component) names the pod. The dashed 36-character UUID form
    /// (systemd's `_` turned back into `-`), or, for static pods whose UID kubelet derives from
    /// the manifest hash, the 32 lowercase hex digits kubelet uses as is.
    public var podUID: String?
    /// True when the path is the container's own (root) cgroup, false for a cgroup inside it
    /// (e.g. `.../docker-<id>.scope/init.scope`).
    public var isRoot: Bool
    /// The path up to and including the component holding the id: the container's root cgroup.
    /// Always a prefix of the parsed path (byte for byte).
    public var rootPath: String

    public init(id: String, runtime: ContainerRuntime, podUID: String? = nil, isRoot: Bool, rootPath: String) {
        self.id = id
        self.runtime = runtime
        self.podUID = podUID
        self.isRoot = isRoot
        self.rootPath = rootPath
    }
}

/// Container identity from a cgroup path.
///
/// Container runtimes name the cgroup they create for a container after the container's id, so
/// the path alone says which container a process is in (no runtime API, no I/O). A path is a
/// container's only where a runtime puts its containers: the components before the container
/// component must be one of these parent chains, starting at the hierarchy root (paths as they
/// appear inside a cgroup hierarchy, v1 controller or v2 unified):
///
/// | runtime / layout                     | path from the anchor                                   |
/// |--------------------------------------|--------------------------------------------------------|
/// | Docker, cgroupfs driver              | `/docker/<id>`                                         |
/// | Docker on GitHub Actions             | `/actions_job/<id>`                                    |
/// | Docker, systemd driver               | `/system.slice/docker-<id>.scope`                      |
/// | containerd, CRI-O, systemd, no pod   | `/system.slice/cri-containerd-<id>.scope`, `/system.slice/crio-<id>.scope` |
/// | a runtime at the hierarchy root      | `/<rt>-<id>.scope`; runc's default cgroupfs path `/<id>` (runtime unknown) |
/// | systemd-style name on cgroupfs       | `/system.slice/containerd.service/<slice>:cri-containerd:<id>`, `/<slice>:cri-containerd:<id>` (below) |
/// | Podman, systemd                      | `/machine.slice/libpod-<id>.scope`, `/machine.slice/machine-libpod_pod_<pod>.slice/libpod-<id>.scope` |
/// | Podman, cgroupfs                     | `/libpod_parent/libpod-<id>`                           |
/// | rootless Podman, rootless Docker     | `/user.slice/user-<N>.slice/user@<N>.service/user.slice/[user-libpod_pod_<pod>.slice/]libpod-<id>.scope`, `.../user.slice/docker-<id>.scope` |
/// | Kubernetes, cgroupfs driver          | `[/kubelet]/kubepods[/besteffort or /burstable]/pod<uid>/<id>` (or `<rt>-<id>`, e.g. CRI-O's `crio-<id>`) |
/// | Kubernetes, systemd driver           | `/kubepods.slice[/kubepods-<qos>.slice]/kubepods[-<qos>]-pod<uid_>.slice/<rt>-<id>.scope`, and the same with `kubelet.slice/kubelet-kubepods…` names (kind's `--cgroup-root=/kubelet`) |
/// | Garden (Cloud Foundry)               | `/garden/<handle>`, `/system.slice/garden.service/garden/<handle>` |
///
/// `<id>` is 64 lowercase hex digits; `<rt>-` is one of `docker-`, `cri-containerd-`, `crio-`,
/// `libpod-`; `<qos>` is `besteffort` or `burstable`; `<uid>` is a pod UID (dashed in cgroupfs
/// names, with `_` for `-` in systemd names, 32 hex digits for static pods); a Garden handle is
/// UUID-shaped (see ``ContainerPath/isGardenHandle(_:)``). Systemd slice names must nest the way
/// systemd nests them (`kubepods-burstable-pod<uid_>.slice` inside `kubepods-burstable.slice`),
/// and `<N>` must be the same user in `user-<N>.slice` and `user@<N>.service`.
/// The colon form is a systemd cgroup path (`<slice>:<prefix>:<id>`) that a cgroupfs-driven runc
/// takes literally, relative to its own cgroup: the runtime daemon's service (`containerd.service`,
/// `crio.service` or `docker.service` in `system.slice`), or the root in v1 controllers where
/// that service has no cgroup of its own. The marker is `:cri-containerd:`, `:crio:`, `:docker:`
/// or `:libpod:`; `<slice>` must end in `.slice`, and gives the pod when it is a pod slice.
/// Runtime monitors are not containers: `crio-conmon-<id>.scope` and `libpod-conmon-<id>.scope`
/// hold conmon, which runs outside the container, so they are rejected.
///
/// **Nesting.** The chain may also start right after the root cgroup of a container found this
/// way, so Docker in Docker (`/docker/<outer>/docker/<inner>`), kind nodes running pods
/// (`/system.slice/docker-<node>.scope/kubelet.slice/…`, `/docker/<node>/kubepods/…`) and
/// Docker inside a pod's container are recognised. Any other component ends the chain: what
/// follows is a cgroup inside the last container found (`isRoot` false), or, when none was
/// found, not a container at all.
///
/// **Why anchored.** Cgroup directories can be created by whoever owns the parent: a systemd
/// user instance's tree (`user@<N>.service`) is delegated to that user, and so are services
/// with `Delegate=yes` and a container's own tree when it can write its cgroupfs. If a
/// container-shaped name counted anywhere, an unprivileged user could
/// `mkdir …/user@1000.service/x/docker-<id>.scope`, move a shell in, and have its activity
/// recorded as a Docker container's, even a real one's (same id). The parents above are created
/// by root (systemd, the runtimes, kubelet), so a claim made there is as strong as root's, with
/// two exceptions that are inherent: the rootless layouts live in the user's own delegated
/// tree, so such a claim is only as strong as user `<N>` (who can name any id there, a rootful
/// container's included; the path still says whose tree it is), and a nested claim is only as
/// strong as the outer container (which stays in `rootPath`; ``parseOutermost(_:)`` names it).
///
/// **Not recognised** (the price of anchoring): Docker with a custom `--cgroup-parent` (or
/// daemon `cgroup-parent`), podman `--cgroup-parent`, kubelet with another `--cgroup-root`,
/// other runtimes' prefixes (nerdctl's `nerdctl-<id>.scope`, rkt, LXC), a cgroupfs mounted at
/// a sub-tree of the hierarchy whose paths do not start at one of the parents, and
/// container-shaped names in any other place (`/foo/<id>`, `/tmp/kubepods/pod<uid>/<id>`).
///
/// The parser works on the path's UTF-8 bytes, allocates nothing but the strings of its result,
/// uses no regular expressions, and is total: any `String` (empty, only slashes, megabytes long,
/// decoded from invalid UTF-8) gives a result or `nil`, never a trap. It reads the path once,
/// from the left, and stops where the chain ends.
public enum ContainerPath {
    /// The container a cgroup path belongs to; `nil` when it is not a container's cgroup (nor a
    /// cgroup inside one) in one of the layouts of ``ContainerPath``.
    ///
    /// Nested containers (Docker in Docker, kind nodes running pods,
    /// `/docker/<outer>/docker/<inner>`) are attributed to the **innermost** container. That is
    /// the most specific answer: the process runs in the inner container's namespaces and
    /// limits, the inner container is the one its own runtime (and a user) knows it by, and the
    /// outer container is not lost, since it stays visible in `rootPath` and the path (use
    /// ``parseOutermost(_:)`` for it, e.g. to find the Kubernetes pod hosting a Docker-in-Docker
    /// container). Tracee makes the same choice.
    ///
    /// Empty components (doubled or trailing slashes) are skipped. The runtime is what the layout
    /// says: `docker-`/`cri-containerd-`/`crio-`/`libpod-` prefixes and the `:docker:`,
    /// `:cri-containerd:`, `:crio:`, `:libpod:` markers name theirs; a bare `<id>` under
    /// `docker` or `actions_job` is docker; a bare `<id>` in a Kubernetes pod cgroup is
    /// containerd, **a guess**: the Kubernetes cgroupfs layout names the container directory by
    /// bare id whatever the runtime, so it may as well be Docker (dockershim / cri-dockerd) or,
    /// less likely since it normally prefixes `crio-` even in cgroupfs mode, CRI-O; a bare
    /// `<id>` at the root (runc's default) is unknown. A bare `<id>` may carry a `.scope` suffix
    /// (Tracee strips it everywhere); prefixed names need it in systemd slices, and may omit it
    /// in cgroupfs parents (`/libpod_parent/libpod-<id>`, `pod<uid>/crio-<id>`). A Garden handle
    /// counts only directly under `garden` (Tracee accepts the handle shape anywhere).
    public static func parse(_ path: String) -> ContainerPathMatch? {
        withBytes(path) { b in
            makeMatch(b, scan(b, stopAtFirstContainer: false))
        }
    }

    /// Like ``parse(_:)`` but attributes nested containers to the **outermost** one (the first
    /// container of the chain, from the left).
    public static func parseOutermost(_ path: String) -> ContainerPathMatch? {
        withBytes(path) { b in
            makeMatch(b, scan(b, stopAtFirstContainer: true))
        }
    }

    /// The Kubernetes pod UID of the innermost pod-level cgroup in the path (`pod<uid>` in the
    /// cgroupfs layout, `...-pod<uid_>.slice` in the systemd layout, or the slice part of a
    /// `<slice>:cri-containerd:<id>` container), whether or not the path goes on into a
    /// container. Anchored like ``parse(_:)``: only pod cgroups in the Kubernetes layouts of
    /// ``ContainerPath`` count (a `pod<uid>` directory anywhere else is not a pod). Returns the
    /// same forms as ``ContainerPathMatch/podUID``. `/kubepods/besteffort/pod<uid>` is a pod,
    /// not a container: ``parse(_:)`` gives `nil` there, this gives the UID.
    public static func podUID(fromPath path: String) -> String? {
        withBytes(path) { b in
            scan(b, stopAtFirstContainer: false).pod.map { podUIDString(b, $0) }
        }
    }

    /// True for a full container id: exactly 64 lowercase hex digits.
    public static func isContainerID(_ id: String) -> Bool {
        withBytes(id) { $0.count == 64 && isHex(run: $0, Span(start: 0, end: 64)) }
    }

    /// True for a Garden container handle: UUID-shaped lowercase hex groups, 8-4-4-4-4
    /// (28 characters, the shape of Diego's app-instance handles and the only one Tracee
    /// accepts) or 8-4-4-4-12 (36 characters, a full UUID, which Garden clients may also use).
    /// Garden accepts any handle a client picks; other shapes are not recognised.
    public static func isGardenHandle(_ id: String) -> Bool {
        withBytes(id) { isGarden($0, Span(start: 0, end: $0.count)) }
    }

    /// True for a pod UID as ``ContainerPathMatch/podUID`` returns it: a dashed 36-character
    /// lowercase UUID, or 32 lowercase hex digits (static pods).
    public static func isPodUID(_ uid: String) -> Bool {
        withBytes(uid) { isUID($0, Span(start: 0, end: $0.count), separator: dash) }
    }
}

// MARK: - Implementation

extension ContainerPath {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// Half-open byte range of the path.
    struct Span {
        var start: Int
        var end: Int
        var count: Int { end - start }
    }

    /// A container component found where a layout allows one.
    struct Hit {
        var runtime: ContainerRuntime
        var id: Span
        var podUID: Span?
    }

    /// Where the scan stands: the parent chain read so far, from the anchor (the hierarchy root,
    /// or the root cgroup of the last container found). Each case names the layouts' next
    /// possible components in ``step(_:_:_:)``.
    enum Parent {
        /// The anchor itself.
        case top
        /// `docker`, `actions_job`.
        case docker
        case systemSlice
        case machineSlice
        case libpodParent
        /// A Podman pod's slice: `machine-libpod_pod_<id>.slice`, `user-libpod_pod_<id>.slice`.
        case podmanPod
        /// `system.slice/{containerd,crio,docker}.service`: runc's own cgroup, where it puts a
        /// systemd-style `<slice>:<rt>:<id>` path taken literally.
        case daemonService
        case gardenService
        case garden
        case userSlice
        /// `user.slice/user-<N>.slice`; the span is `<N>`.
        case userN(Span)
        /// `user@<N>.service`, the user's systemd instance (a tree delegated to the user).
        case userManager
        /// `user@<N>.service/user.slice`, where rootless Podman and Docker put their scopes.
        case userManagerSlice
        /// cgroupfs Kubernetes: `kubelet`, `kubepods`, `kubepods/<qos>`, `pod<uid>`.
        case kubelet
        case kubepods
        case kubepodsQoS
        case pod(Span)
        /// systemd Kubernetes: `kubelet.slice`; `kubepods.slice` or `kubelet-kubepods.slice`
        /// (the span is the slice's name without `.slice`, the stem its children's names start
        /// with); a QoS slice (same); a pod slice (the span is the UID).
        case kubeletSlice
        case kubeSlice(Span)
        case kubeQoSSlice(Span)
        case podSlice(Span)
    }

    enum Step {
        case container(Hit)
        case parent(Parent)
        /// Not a component the layouts allow here: the chain ends.
        case end
    }

    struct Scan {
        var hit: Hit?
        /// End of the container's root cgroup component.
        var hitEnd = 0
        var isRoot = false
        /// The UID of the last pod-level cgroup (or colon-form pod slice) on the chain.
        var pod: Span?
    }

    static let slash = UInt8(ascii: "/")
    static let dash = UInt8(ascii: "-")
    static let underscore = UInt8(ascii: "_")

    /// Runs `body` on the string's UTF-8 bytes without copying them (native strings are
    /// contiguous; anything else is made contiguous once).
    @inline(__always)
    static func withBytes<R>(_ string: String, _ body: (Bytes) -> R) -> R {
        if let result = string.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = string
        return copy.withUTF8(body)
    }

    /// Reads the components from the left along the layouts' parent chains. After a container
    /// the chain starts again (nesting); a component that fits no layout ends the scan, so the
    /// work is bounded by the chain, not the path, except for finding the path's end.
    static func scan(_ b: Bytes, stopAtFirstContainer: Bool) -> Scan {
        var lastEnd = b.count
        while lastEnd > 0, b[lastEnd - 1] == slash { lastEnd -= 1 }
        var result = Scan()
        var parent = Parent.top
        var i = 0
        while i < lastEnd {
            while i < lastEnd, b[i] == slash { i += 1 }
            let start = i
            while i < lastEnd, b[i] != slash { i += 1 }
            guard i > start else { break }
            let component = Span(start: start, end: i)
            switch step(b, parent, component) {
            case .container(let hit):
                result.hit = hit
                result.hitEnd = component.end
                result.isRoot = component.end == lastEnd
                if let uid = hit.podUID { result.pod = uid }
                if stopAtFirstContainer { return result }
                parent = .top
            case .parent(let next):
                if case .pod(let uid) = next { result.pod = uid }
                if case .podSlice(let uid) = next { result.pod = uid }
                parent = next
            case .end:
                return result
            }
        }
        return result
    }

    /// What component `c` (non-empty, no `/`) is, given the chain before it. Looks at a bounded
    /// number of bytes, apart from the backwards search for the last `-` in a colon-form
    /// container's slice name.
    static func step(_ b: Bytes, _ parent: Parent, _ c: Span) -> Step {
        // No parent name is container-shaped (64 hex digits at the end), so the two never mix.
        let name = containerName(b, c)
        func hit(_ runtime: ContainerRuntime, pod: Span? = nil) -> Step {
            guard let name else { return .end }
            return .container(Hit(runtime: runtime, id: name.id, podUID: pod))
        }
        /// A prefixed name ending in `.scope`, the systemd form.
        var scopeRuntime: ContainerRuntime? {
            if let name, name.scope, case .prefixed(let runtime) = name.form { return runtime }
            return nil
        }
        var prefixedRuntime: ContainerRuntime? {
            if let name, case .prefixed(let runtime) = name.form { return runtime }
            return nil
        }
        var isBare: Bool {
            if let name, case .bare = name.form { return true }
            return false
        }

        switch parent {
        case .top:
            if let name {
                switch name.form {
                case .bare: return hit(.unknown)
                case .prefixed(let runtime): return name.scope ? hit(runtime) : .end
                case .colon(let runtime, let slice): return hit(runtime, pod: colonSlicePodUID(b, slice))
                }
            }
            if equals(b, c, "docker") || equals(b, c, "actions_job") { return .parent(.docker) }
            if equals(b, c, "system.slice") { return .parent(.systemSlice) }
            if equals(b, c, "machine.slice") { return .parent(.machineSlice) }
            if equals(b, c, "libpod_parent") { return .parent(.libpodParent) }
            if equals(b, c, "garden") { return .parent(.garden) }
            if equals(b, c, "user.slice") { return .parent(.userSlice) }
            if equals(b, c, "kubepods") { return .parent(.kubepods) }
            if equals(b, c, "kubelet") { return .parent(.kubelet) }
            if equals(b, c, "kubepods.slice") { return .parent(.kubeSlice(Span(start: c.start, end: c.end - 6))) }
            if equals(b, c, "kubelet.slice") { return .parent(.kubeletSlice) }
            return .end

        case .docker:
            return isBare ? hit(.docker) : .end

        case .systemSlice:
            if let runtime = scopeRuntime { return hit(runtime) }
            if equals(b, c, "containerd.service") || equals(b, c, "crio.service") || equals(b, c, "docker.service") {
                return .parent(.daemonService)
            }
            if equals(b, c, "garden.service") { return .parent(.gardenService) }
            return .end

        case .machineSlice:
            if let runtime = scopeRuntime { return hit(runtime) }
            if isPodmanPodSlice(b, c, "machine-libpod_pod_") { return .parent(.podmanPod) }
            return .end

        case .podmanPod:
            return scopeRuntime == .podman ? hit(.podman) : .end

        case .libpodParent:
            return prefixedRuntime == .podman ? hit(.podman) : .end

        case .daemonService:
            if let name, case .colon(let runtime, let slice) = name.form {
                return hit(runtime, pod: colonSlicePodUID(b, slice))
            }
            return .end

        case .gardenService:
            return equals(b, c, "garden") ? .parent(.garden) : .end

        case .garden:
            return isGarden(b, c) ? .container(Hit(runtime: .garden, id: c, podUID: nil)) : .end

        case .userSlice:
            // `user-<N>.slice`
            guard hasPrefix(b, c, "user-"), hasSuffix(b, c, ".slice") else { return .end }
            let n = Span(start: c.start + 5, end: c.end - 6)
            return isUserNumber(b, n) ? .parent(.userN(n)) : .end

        case .userN(let n):
            // `user@<N>.service`, the same N
            guard c.count == n.count + 13, hasPrefix(b, c, "user@"), hasSuffix(b, c, ".service") else { return .end }
            for k in 0..<n.count where b[c.start + 5 + k] != b[n.start + k] { return .end }
            return .parent(.userManager)

        case .userManager:
            return equals(b, c, "user.slice") ? .parent(.userManagerSlice) : .end

        case .userManagerSlice:
            if let runtime = scopeRuntime, runtime == .podman || runtime == .docker { return hit(runtime) }
            if isPodmanPodSlice(b, c, "user-libpod_pod_") { return .parent(.podmanPod) }
            return .end

        case .kubelet:
            return equals(b, c, "kubepods") ? .parent(.kubepods) : .end

        case .kubepods:
            if equals(b, c, "besteffort") || equals(b, c, "burstable") { return .parent(.kubepodsQoS) }
            if let uid = cgroupfsPodUID(b, c) { return .parent(.pod(uid)) }
            return .end

        case .kubepodsQoS:
            if let uid = cgroupfsPodUID(b, c) { return .parent(.pod(uid)) }
            return .end

        case .pod(let uid):
            if isBare { return hit(.containerd, pod: uid) }
            if let runtime = prefixedRuntime { return hit(runtime, pod: uid) }
            return .end

        case .kubeletSlice:
            return equals(b, c, "kubelet-kubepods.slice")
                ? .parent(.kubeSlice(Span(start: c.start, end: c.end - 6))) : .end

        case .kubeSlice(let stem):
            guard let rest = afterStem(b, c, stem) else { return .end }
            if equals(b, rest, "besteffort.slice") || equals(b, rest, "burstable.slice") {
                return .parent(.kubeQoSSlice(Span(start: c.start, end: c.end - 6)))
            }
            if let uid = slicePodUID(b, rest) { return .parent(.podSlice(uid)) }
            return .end

        case .kubeQoSSlice(let stem):
            if let rest = afterStem(b, c, stem), let uid = slicePodUID(b, rest) { return .parent(.podSlice(uid)) }
            return .end

        case .podSlice(let uid):
            if let runtime = scopeRuntime { return hit(runtime, pod: uid) }
            return .end
        }
    }

    /// How a container-shaped component names its container.
    enum Form {
        /// `<id>`
        case bare
        /// `docker-<id>`, `cri-containerd-<id>`, `crio-<id>`, `libpod-<id>`
        case prefixed(ContainerRuntime)
        /// `<slice>.slice:<rt>:<id>`, the systemd cgroup-path notation taken literally; the span
        /// is the slice's name.
        case colon(ContainerRuntime, slice: Span)
    }

    struct Name {
        var form: Form
        var id: Span
        /// The component ends in `.scope` (not part of `id`).
        var scope: Bool
    }

    /// The container name in a component, whatever its place: 64 lowercase hex digits at the
    /// end (before one optional `.scope`, except in the colon form), and before them nothing, a
    /// runtime prefix, or a colon-form head. The hex run must be the whole id, not the tail of a
    /// longer one (a 65-hex component, or `docker-0<64hex>`), and `crio-conmon-<id>` is no
    /// prefix.
    static func containerName(_ b: Bytes, _ c: Span) -> Name? {
        guard c.count >= 64 else { return nil }
        let scope = hasSuffix(b, c, ".scope")
        let end = scope ? c.end - 6 : c.end
        guard end - c.start >= 64 else { return nil }
        let id = Span(start: end - 64, end: end)
        guard isHex(run: b, id) else { return nil }
        let head = Span(start: c.start, end: id.start)
        if head.count == 0 { return Name(form: .bare, id: id, scope: scope) }

        let prefixed: ContainerRuntime? =
            equals(b, head, "docker-") ? .docker
            : equals(b, head, "cri-containerd-") ? .containerd
            : equals(b, head, "crio-") ? .crio
            : equals(b, head, "libpod-") ? .podman
            : nil
        if let prefixed { return Name(form: .prefixed(prefixed), id: id, scope: scope) }

        guard !scope, isLastByte(b, head, UInt8(ascii: ":")) else { return nil }
        let marker: StaticString
        let runtime: ContainerRuntime
        if hasSuffix(b, head, ":cri-containerd:") {
            (marker, runtime) = (":cri-containerd:", .containerd)
        } else if hasSuffix(b, head, ":crio:") {
            (marker, runtime) = (":crio:", .crio)
        } else if hasSuffix(b, head, ":docker:") {
            (marker, runtime) = (":docker:", .docker)
        } else if hasSuffix(b, head, ":libpod:") {
            (marker, runtime) = (":libpod:", .podman)
        } else {
            return nil
        }
        let slice = Span(start: head.start, end: head.end - marker.utf8CodeUnitCount)
        guard slice.count > 6, hasSuffix(b, slice, ".slice") else { return nil }
        return Name(form: .colon(runtime, slice: slice), id: id, scope: false)
    }

    /// The span after `<stem>-` when `c` starts with it.
    static func afterStem(_ b: Bytes, _ c: Span, _ stem: Span) -> Span? {
        guard c.count > stem.count + 1 else { return nil }
        for k in 0..<stem.count where b[c.start + k] != b[stem.start + k] { return nil }
        guard b[c.start + stem.count] == dash else { return nil }
        return Span(start: c.start + stem.count + 1, end: c.end)
    }

    /// `pod<uid>` (cgroupfs): the UID, dashed or 32 hex digits.
    static func cgroupfsPodUID(_ b: Bytes, _ c: Span) -> Span? {
        guard hasPrefix(b, c, "pod") else { return nil }
        let uid = Span(start: c.start + 3, end: c.end)
        return isUID(b, uid, separator: dash) ? uid : nil
    }

    /// `pod<uid_>.slice` (the end of a systemd pod slice's name): the UID, with `_` for `-` as
    /// kubelet writes it (systemd reads `-` as nesting), or 32 hex digits.
    static func slicePodUID(_ b: Bytes, _ s: Span) -> Span? {
        guard s.count > 9, hasPrefix(b, s, "pod"), hasSuffix(b, s, ".slice") else { return nil }
        let uid = Span(start: s.start + 3, end: s.end - 6)
        return isUID(b, uid, separator: underscore) ? uid : nil
    }

    /// The pod UID in a colon-form container's slice name (`kubepods-besteffort-pod<uid_>.slice`,
    /// or any other slice whose last `-` part is `pod<uid_>.slice`).
    static func colonSlicePodUID(_ b: Bytes, _ slice: Span) -> Span? {
        var i = slice.end
        while i > slice.start, b[i - 1] != dash { i -= 1 }
        return slicePodUID(b, Span(start: i, end: slice.end))
    }

    /// `<prefix><64 hex>.slice`: a Podman pod's slice.
    static func isPodmanPodSlice(_ b: Bytes, _ c: Span, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard c.count == n + 64 + 6, hasPrefix(b, c, prefix), hasSuffix(b, c, ".slice") else { return false }
        return isHex(run: b, Span(start: c.start + n, end: c.start + n + 64))
    }

    /// A uid as systemd writes it in `user-<N>.slice`: 1 to 10 decimal digits.
    static func isUserNumber(_ b: Bytes, _ s: Span) -> Bool {
        guard s.count >= 1, s.count <= 10 else { return false }
        for k in s.start..<s.end where (b[k] &- 0x30) >= 10 { return false }
        return true
    }

    /// 32 lowercase hex digits, or a lowercase UUID (8-4-4-4-12) with `separator` between groups.
    static func isUID(_ b: Bytes, _ s: Span, separator: UInt8) -> Bool {
        if s.count == 32 { return isHex(run: b, s) }
        guard s.count == 36 else { return false }
        for i in 0..<36 {
            let c = b[s.start + i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != separator { return false }
            } else if !isLowerHex(c) {
                return false
            }
        }
        return true
    }

    static func podUIDString(_ b: Bytes, _ uid: Span) -> String {
        String(unsafeUninitializedCapacity: uid.count) { out in
            for i in 0..<uid.count {
                let ch = b[uid.start + i]
                out[i] = ch == underscore ? dash : ch
            }
            return uid.count
        }
    }

    static func makeMatch(_ b: Bytes, _ scan: Scan) -> ContainerPathMatch? {
        guard let hit = scan.hit else { return nil }
        return ContainerPathMatch(
            id: string(b, hit.id),
            runtime: hit.runtime,
            podUID: hit.podUID.map { podUIDString(b, $0) },
            isRoot: scan.isRoot,
            rootPath: string(b, Span(start: 0, end: scan.hitEnd))
        )
    }

    /// The bytes as a string. Spans always start and end next to ASCII bytes (or at the ends
    /// of the string), so they are valid UTF-8 and come back unchanged.
    @inline(__always)
    static func string(_ b: Bytes, _ s: Span) -> String {
        String(decoding: Bytes(rebasing: b[s.start..<s.end]), as: UTF8.self)
    }

    @inline(__always)
    static func isLowerHex(_ c: UInt8) -> Bool {
        (c &- 0x30) < 10 || (c &- 0x61) < 6
    }

    @inline(__always)
    static func isHex(run b: Bytes, _ s: Span) -> Bool {
        var i = s.start
        while i < s.end {
            if !isLowerHex(b[i]) { return false }
            i += 1
        }
        return true
    }

    /// 8-4-4-4-4 or 8-4-4-4-12 lowercase hex groups.
    static func isGarden(_ b: Bytes, _ s: Span) -> Bool {
        guard s.count == 28 || s.count == 36 else { return false }
        for i in 0..<s.count {
            let c = b[s.start + i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != dash { return false }
            } else if !isLowerHex(c) {
                return false
            }
        }
        return true
    }

    @inline(__always)
    static func equals(_ b: Bytes, _ s: Span, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard s.count == n else { return false }
        let p = literal.utf8Start
        for i in 0..<n where b[s.start + i] != p[i] { return false }
        return true
    }

    @inline(__always)
    static func hasPrefix(_ b: Bytes, _ s: Span, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard s.count >= n else { return false }
        let p = literal.utf8Start
        for i in 0..<n where b[s.start + i] != p[i] { return false }
        return true
    }

    @inline(__always)
    static func hasSuffix(_ b: Bytes, _ s: Span, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard s.count >= n else { return false }
        let p = literal.utf8Start
        let base = s.end - n
        for i in 0..<n where b[base + i] != p[i] { return false }
        return true
    }

    @inline(__always)
    static func isLastByte(_ b: Bytes, _ s: Span, _ byte: UInt8) -> Bool {
        s.count > 0 && b[s.end - 1] == byte
    }
}
