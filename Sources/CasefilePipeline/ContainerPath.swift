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
/// the path alone says which container a process is in (no runtime API, no I/O). The shapes,
/// as they appear inside a cgroup hierarchy (v1 controller or v2 unified):
///
/// | runtime / layout                     | container component                                    |
/// |--------------------------------------|--------------------------------------------------------|
/// | Docker, cgroupfs driver              | `/docker/<id>`                                         |
/// | Docker, systemd driver               | `/system.slice/docker-<id>.scope`                      |
/// | Docker on GitHub Actions             | `/actions_job/<id>`                                    |
/// | containerd (CRI), systemd driver     | `.../cri-containerd-<id>.scope`                        |
/// | containerd, systemd-style path on cgroupfs | `.../kubepods-besteffort-pod<uid>.slice:cri-containerd:<id>` |
/// | CRI-O                                | `.../crio-<id>.scope` (cgroupfs: `.../crio-<id>`)      |
/// | Podman                               | `.../libpod-<id>.scope`, `/libpod_parent/libpod-<id>`  |
/// | Kubernetes, cgroupfs driver          | `/kubepods[/<besteffort or burstable>]/pod<uid>/<id>`  |
/// | Kubernetes, systemd driver           | `/kubepods.slice[/kubepods-<qos>.slice]/kubepods[-<qos>]-pod<uid_>.slice/<runtime>-<id>.scope` |
/// | Garden (Cloud Foundry)               | `/garden/<handle>`                                     |
///
/// `<id>` is 64 lowercase hex digits; a Garden handle is UUID-shaped (see ``ContainerPath/isGardenHandle(_:)``).
/// Runtime monitors are not containers: `crio-conmon-<id>.scope` and `libpod-conmon-<id>.scope`
/// hold conmon, which runs outside the container, so they are rejected.
///
/// The parser works on the path's UTF-8 bytes, allocates nothing but the strings of its result,
/// uses no regular expressions, and is total: any `String` (empty, only slashes, megabytes long,
/// decoded from invalid UTF-8) gives a result or `nil`, never a trap.
public enum ContainerPath {
    /// The container a cgroup path belongs to; `nil` when it is not a container's cgroup (nor a
    /// cgroup inside one).
    ///
    /// Components are examined from the last to the first and the first one that names a
    /// container wins, so **nested containers** (Docker in Docker, kind nodes running pods,
    /// `/docker/<outer>/docker/<inner>`) are attributed to the **innermost** container. That is
    /// the most specific answer: the process runs in the inner container's namespaces and
    /// limits, the inner container is the one its own runtime (and a user) knows it by, and the
    /// outer container is not lost, since it stays visible in `rootPath` and the path (use
    /// ``parseOutermost(_:)`` for it, e.g. to find the Kubernetes pod hosting a Docker-in-Docker
    /// container). Tracee makes the same choice.
    ///
    /// How a component is recognised, given the component before it (empty components from
    /// doubled or trailing slashes are skipped; one trailing `.scope` is ignored):
    /// - `docker-<id>` → docker, `cri-containerd-<id>` → containerd, `crio-<id>` → crio,
    ///   `libpod-<id>` → podman (with or without `.scope`);
    /// - `<slice>:cri-containerd:<id>` → containerd, and likewise `:crio:`, `:docker:`,
    ///   `:libpod:` (systemd-style cgroup paths written verbatim by a cgroupfs-driven runtime);
    /// - a bare `<id>` under `docker` or `actions_job` → docker; under a pod cgroup
    ///   (`pod<uid>` or `...-pod<uid_>.slice`) → containerd, **a guess**: the Kubernetes cgroupfs
    ///   layout names the container directory by bare id whatever the runtime, so it may as well
    ///   be Docker (dockershim / cri-dockerd) or, less likely since it normally prefixes `crio-`
    ///   even in cgroupfs mode, CRI-O; anywhere else (e.g. Docker with a custom `--cgroup-parent`)
    ///   → unknown;
    /// - a Garden handle directly under `garden` → garden. Tracee accepts the handle shape
    ///   anywhere; requiring the `garden` parent avoids mistaking other UUID-named cgroups.
    public static func parse(_ path: String) -> ContainerPathMatch? {
        withBytes(path) { scanInnermost($0) }
    }

    /// Like ``parse(_:)`` but attributes nested containers to the **outermost** one (the first
    /// component, from the left, that names a container).
    public static func parseOutermost(_ path: String) -> ContainerPathMatch? {
        withBytes(path) { scanOutermost($0) }
    }

    /// The Kubernetes pod UID of the innermost pod-level cgroup in the path (`pod<uid>` in the
    /// cgroupfs layout, `...-pod<uid_>.slice` in the systemd layout), whether or not the path
    /// goes on into a container. Returns the same forms as ``ContainerPathMatch/podUID``.
    /// `/kubepods/besteffort/pod<uid>` is a pod, not a container: ``parse(_:)`` gives `nil`
    /// there, this gives the UID.
    public static func podUID(fromPath path: String) -> String? {
        withBytes(path) { b -> String? in
            var end = b.count
            while end > 0 {
                while end > 0, b[end - 1] == slash { end -= 1 }
                guard end > 0 else { break }
                let start = componentStart(b, end)
                if let uid = podUIDSpan(b, Span(start: start, end: end)) { return podUIDString(b, uid) }
                end = start
            }
            return nil
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
        withBytes(uid) { b in
            if b.count == 32 { return isHex(run: b, Span(start: 0, end: 32)) }
            guard b.count == 36 else { return false }
            for i in 0..<36 {
                let c = b[i]
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    if c != dash { return false }
                } else if !isLowerHex(c) {
                    return false
                }
            }
            return true
        }
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

    /// What ``classify(_:_:_:)`` found in one component.
    struct Hit {
        var runtime: ContainerRuntime
        var id: Span
        var podUID: Span?
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

    @inline(__always)
    static func componentStart(_ b: Bytes, _ end: Int) -> Int {
        var i = end
        while i > 0, b[i - 1] != slash { i -= 1 }
        return i
    }

    static func scanInnermost(_ b: Bytes) -> ContainerPathMatch? {
        var end = b.count
        while end > 0, b[end - 1] == slash { end -= 1 }
        let lastEnd = end
        guard end > 0 else { return nil }
        var component = Span(start: componentStart(b, end), end: end)
        while true {
            var predecessorEnd = component.start
            while predecessorEnd > 0, b[predecessorEnd - 1] == slash { predecessorEnd -= 1 }
            let predecessor: Span? = predecessorEnd > 0
                ? Span(start: componentStart(b, predecessorEnd), end: predecessorEnd) : nil
            if let hit = classify(b, component, predecessor) {
                return makeMatch(b, hit, componentEnd: component.end, isRoot: component.end == lastEnd)
            }
            guard let predecessor else { return nil }
            component = predecessor
        }
    }

    static func scanOutermost(_ b: Bytes) -> ContainerPathMatch? {
        var lastEnd = b.count
        while lastEnd > 0, b[lastEnd - 1] == slash { lastEnd -= 1 }
        var i = 0
        var predecessor: Span?
        while i < lastEnd {
            while i < lastEnd, b[i] == slash { i += 1 }
            let start = i
            while i < lastEnd, b[i] != slash { i += 1 }
            guard i > start else { break }
            let component = Span(start: start, end: i)
            if let hit = classify(b, component, predecessor) {
                return makeMatch(b, hit, componentEnd: component.end, isRoot: component.end == lastEnd)
            }
            predecessor = component
        }
        return nil
    }

    /// Whether component `c` (non-empty, no `/`) names a container, given the non-empty
    /// component before it. Looks at a bounded number of bytes, apart from the backwards search
    /// for the last `-` in a pod slice name.
    static func classify(_ b: Bytes, _ c: Span, _ predecessor: Span?) -> Hit? {
        // Shortest container component: a 28-character Garden handle.
        guard c.count >= 28 else { return nil }

        if let predecessor, equals(b, predecessor, "garden"), isGarden(b, c) {
            return Hit(runtime: .garden, id: c, podUID: nil)
        }

        var end = c.end
        if hasSuffix(b, c, ".scope") { end -= 6 }
        guard end - c.start >= 64 else { return nil }
        let id = Span(start: end - 64, end: end)
        guard isHex(run: b, id) else { return nil }
        // The hex run must be the whole id, not the tail of a longer one (a 65-hex component,
        // or `docker-0<64hex>`).
        let head = Span(start: c.start, end: id.start)

        if head.count == 0 {
            guard let predecessor else { return Hit(runtime: .unknown, id: id, podUID: nil) }
            if equals(b, predecessor, "docker") || equals(b, predecessor, "actions_job") {
                return Hit(runtime: .docker, id: id, podUID: nil)
            }
            if let uid = podUIDSpan(b, predecessor) {
                return Hit(runtime: .containerd, id: id, podUID: uid)
            }
            return Hit(runtime: .unknown, id: id, podUID: nil)
        }

        let prefixed: ContainerRuntime? =
            equals(b, head, "docker-") ? .docker
            : equals(b, head, "cri-containerd-") ? .containerd
            : equals(b, head, "crio-") ? .crio
            : equals(b, head, "libpod-") ? .podman
            : nil
        if let prefixed {
            return Hit(runtime: prefixed, id: id, podUID: predecessor.flatMap { podUIDSpan(b, $0) })
        }

        // `<slice>:<runtime>:<id>`, the systemd cgroup-path notation taken literally.
        guard isLastByte(b, head, UInt8(ascii: ":")) else { return nil }
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
        let uid = podUIDSpan(b, slice) ?? predecessor.flatMap { podUIDSpan(b, $0) }
        return Hit(runtime: runtime, id: id, podUID: uid)
    }

    /// The UID bytes of a pod-level cgroup component: `pod<uid>` (cgroupfs) or
    /// `<anything>-pod<uid_>.slice` / `pod<uid_>.slice` (systemd, where `-` separates the slice
    /// hierarchy so kubelet writes the UID's dashes as `_`).
    static func podUIDSpan(_ b: Bytes, _ c: Span) -> Span? {
        var start = c.start
        var end = c.end
        if hasSuffix(b, c, ".slice") {
            end -= 6
            var i = end
            while i > start, b[i - 1] != dash { i -= 1 }
            start = i
        }
        guard end - start == 3 + 36 || end - start == 3 + 32 else { return nil }
        guard b[start] == UInt8(ascii: "p"), b[start + 1] == UInt8(ascii: "o"), b[start + 2] == UInt8(ascii: "d")
        else { return nil }
        let uid = Span(start: start + 3, end: end)
        if uid.count == 32 { return isHex(run: b, uid) ? uid : nil }
        for i in 0..<36 {
            let ch = b[uid.start + i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if ch != dash && ch != underscore { return nil }
            } else if !isLowerHex(ch) {
                return nil
            }
        }
        return uid
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

    static func makeMatch(_ b: Bytes, _ hit: Hit, componentEnd: Int, isRoot: Bool) -> ContainerPathMatch {
        ContainerPathMatch(
            id: string(b, hit.id),
            runtime: hit.runtime,
            podUID: hit.podUID.map { podUIDString(b, $0) },
            isRoot: isRoot,
            rootPath: string(b, Span(start: 0, end: componentEnd))
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
