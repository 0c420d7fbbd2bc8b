@testable import CasefilePipeline
import CasefileTestSupport
import CasefileModel
import Testing

// Ids used by the table. Real-looking, distinct, 64 lowercase hex.
private let d1 = "745f5eda0cf9fc0bffd658f40380900465fd3da624fdeafa9e8188f03d573a9c"
private let d2 = "96f4a3527130eadfa2ddfa32cc6cf62054cb0eb204930529600305923f6fcd55"
private let c1 = "d98a81156e05fb3bd2e17425eb5a78fe9c65c450bed1e019271f26c3b3cb6c17"
private let c2 = "a087adcad9dfb42eac707d45bb9e2db50012cf679e007993a5bf4af4c3dffad9"
private let c3 = "9f1d3686b97f5bd7c5c33d40129582bee12e60fac84bbbb6b3609d4b1f886cd3"
private let p1 = "3be113957f9e4eca1a293c083bf7e185efdb7ff4bac021692c47a52fef93e6b9"
private let p2 = "5c45f6ee6373d40981ab175f88540f55764beda0a16661406068c842a5d4ff7b"
/// Pod UID, dashed (cgroupfs layout) and as kubelet writes it in systemd slice names.
private let uid = "3d8fb518-dd59-4f32-8e65-b47a615a2fac"
private let uid_ = "3d8fb518_dd59_4f32_8e65_b47a615a2fac"
/// A static pod's UID: kubelet's hash of the manifest, 32 hex digits, no dashes.
private let staticUID = "532209b32e8f05bf48be4e82270667ee"
private let garden28 = "6f265890-5165-7fab-6b52-18d1"
private let garden36 = "fd10ac71-a3b1-40ee-bc66-820ff618a1cc"

private let besteffortSlice = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(uid_).slice"
private let burstableSlice = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(uid_).slice"
private let guaranteedSlice = "/kubepods.slice/kubepods-pod\(uid_).slice"

struct ContainerPathRow: Sendable, CustomTestStringConvertible {
    var path: String
    var expected: ContainerPathMatch?
    var note: String
    var testDescription: String { note }

    /// A container row; `rootPath` defaults to the whole path (a root cgroup). `isRoot` is
    /// whether only slashes follow `rootPath`.
    static func hit(
        _ note: String, _ path: String, _ id: String, _ runtime: ContainerRuntime,
        pod: String? = nil, root: String? = nil
    ) -> ContainerPathRow {
        let rootPath = root ?? path
        return ContainerPathRow(
            path: path,
            expected: ContainerPathMatch(
                id: id, runtime: runtime, podUID: pod,
                isRoot: path.dropFirst(rootPath.count).allSatisfy { $0 == "/" }, rootPath: rootPath),
            note: note
        )
    }

    static func miss(_ note: String, _ path: String) -> ContainerPathRow {
        ContainerPathRow(path: path, expected: nil, note: note)
    }
}

private let rows: [ContainerPathRow] = [
    // Docker
    .hit("docker cgroupfs", "/docker/\(d1)", d1, .docker),
    .hit("docker cgroupfs, trailing slash", "/docker/\(d1)/", d1, .docker, root: "/docker/\(d1)"),
    .hit("docker systemd", "/system.slice/docker-\(d1).scope", d1, .docker),
    .hit("docker systemd, sub-cgroup", "/system.slice/docker-\(d1).scope/init.scope", d1, .docker,
         root: "/system.slice/docker-\(d1).scope"),
    .hit("docker systemd, deep sub-cgroup (systemd inside the container)",
         "/system.slice/docker-\(d1).scope/system.slice/cron.service", d1, .docker,
         root: "/system.slice/docker-\(d1).scope"),
    .hit("github actions", "/actions_job/\(d1)", d1, .docker),
    // Rootless Docker's systemd cgroup parent is `user.slice` in the user's systemd instance (moby's
    // `getCgroupParent`), so the scope is in `user@N.service/user.slice`, not directly in
    // `user@N.service` (this row used to have that shorter path, now a miss below).
    .hit("rootless docker (systemd user instance)",
         "/user.slice/user-1000.slice/user@1000.service/user.slice/docker-\(d1).scope", d1, .docker),
    .hit("docker cgroupfs with .scope (Tracee strips .scope everywhere)", "/docker/\(d1).scope", d1, .docker),
    .hit("doubled slashes are empty components", "//docker//\(d1)", d1, .docker),
    // Was a hit (unknown runtime): matching is anchored now, and a custom --cgroup-parent is not
    // one of the layouts, so this is a miss below ("docker --cgroup-parent").
    .hit("bare id at the top (runc's default cgroupfs path)", "/\(d1)", d1, .unknown),
    .hit("docker systemd, a spoof-shaped cgroup inside the container is still the container",
         "/system.slice/docker-\(d1).scope/cfspoof/docker-\(d2).scope", d1, .docker,
         root: "/system.slice/docker-\(d1).scope"),
    .hit("docker cgroupfs, an anchor below a sub-cgroup does not start a nested container",
         "/docker/\(d1)/sub/docker/\(d2)", d1, .docker, root: "/docker/\(d1)"),
    .hit("sub-cgroup with non-ASCII name", "/docker/\(d1)/caf\u{E9}/\u{FFFD}", d1, .docker, root: "/docker/\(d1)"),

    // containerd
    .hit("containerd systemd, no pod", "/system.slice/cri-containerd-\(c1).scope", c1, .containerd),
    .hit("k8s systemd besteffort containerd", "\(besteffortSlice)/cri-containerd-\(c1).scope", c1, .containerd, pod: uid),
    .hit("k8s systemd burstable containerd", "\(burstableSlice)/cri-containerd-\(c1).scope", c1, .containerd, pod: uid),
    .hit("k8s systemd guaranteed containerd", "\(guaranteedSlice)/cri-containerd-\(c1).scope", c1, .containerd, pod: uid),
    .hit("containerd systemd-style path on cgroupfs",
         "/system.slice/containerd.service/kubepods-besteffort-pod\(uid_).slice:cri-containerd:\(c1)", c1, .containerd, pod: uid),
    .hit("containerd systemd-style path, guaranteed",
         "/system.slice/containerd.service/kubepods-pod\(uid_).slice:cri-containerd:\(c1)", c1, .containerd, pod: uid),
    .hit("containerd systemd-style path at the root (v1 controllers where containerd's cgroup is /)",
         "/kubepods-besteffort-pod\(uid_).slice:cri-containerd:\(c1)", c1, .containerd, pod: uid),
    .hit("crio systemd-style path on cgroupfs", "/system.slice/crio.service/kubepods-burstable-pod\(uid_).slice:crio:\(c2)",
         c2, .crio, pod: uid),
    .hit("containerd systemd-style path, sub-cgroup",
         "/system.slice/containerd.service/kubepods-pod\(uid_).slice:cri-containerd:\(c1)/sub", c1, .containerd, pod: uid,
         root: "/system.slice/containerd.service/kubepods-pod\(uid_).slice:cri-containerd:\(c1)"),
    .hit("k8s cgroupfs besteffort", "/kubepods/besteffort/pod\(uid)/\(c1)", c1, .containerd, pod: uid),
    .hit("k8s cgroupfs burstable", "/kubepods/burstable/pod\(uid)/\(c1)", c1, .containerd, pod: uid),
    .hit("k8s cgroupfs guaranteed", "/kubepods/pod\(uid)/\(c1)", c1, .containerd, pod: uid),
    .hit("k8s cgroupfs static pod (hash UID)", "/kubepods/burstable/pod\(staticUID)/\(c1)", c1, .containerd, pod: staticUID),
    .hit("k8s systemd static pod (hash UID)",
         "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(staticUID).slice/cri-containerd-\(c1).scope",
         c1, .containerd, pod: staticUID),
    // These two were hits without a pod (the id counted anywhere); a malformed pod directory is
    // not a layout's parent, so both are misses now (see "Not containers").
    .hit("kind cgroupfs (--cgroup-root=/kubelet)", "/kubelet/kubepods/burstable/pod\(uid)/\(c1)", c1, .containerd, pod: uid),
    .hit("kind systemd, guaranteed",
         "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod\(uid_).slice/cri-containerd-\(c1).scope",
         c1, .containerd, pod: uid),
    .hit("k8s cgroupfs, runtime-prefixed (cri-dockerd scope name)", "/kubepods/pod\(uid)/docker-\(c3).scope", c3, .docker, pod: uid),

    // CRI-O
    .hit("crio bare scope", "/crio-\(c2).scope", c2, .crio),
    .hit("crio systemd, no pod", "/system.slice/crio-\(c2).scope", c2, .crio),
    .hit("k8s systemd crio", "\(burstableSlice)/crio-\(c2).scope", c2, .crio, pod: uid),
    .hit("k8s systemd crio, cgroup v2 'container' sub-cgroup", "\(burstableSlice)/crio-\(c2).scope/container", c2, .crio,
         pod: uid, root: "\(burstableSlice)/crio-\(c2).scope"),
    .hit("k8s cgroupfs crio", "/kubepods/burstable/pod\(uid)/crio-\(c2)", c2, .crio, pod: uid),
    .hit("k8s systemd docker (cri-dockerd)", "\(besteffortSlice)/docker-\(c3).scope", c3, .docker, pod: uid),

    // Podman
    .hit("podman systemd", "/machine.slice/libpod-\(p1).scope", p1, .podman),
    .hit("podman cgroupfs", "/libpod_parent/libpod-\(p1)", p1, .podman),
    .hit("rootless podman, 'container' sub-cgroup",
         "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-\(p1).scope/container", p1, .podman,
         root: "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-\(p1).scope"),
    .hit("podman pod: a podman pod id is not a Kubernetes pod UID",
         "/machine.slice/machine-libpod_pod_\(p2).slice/libpod-\(p1).scope", p1, .podman),
    .hit("podman scope at the root", "/libpod-\(p1).scope", p1, .podman),
    .hit("rootless podman pod",
         "/user.slice/user-1000.slice/user@1000.service/user.slice/user-libpod_pod_\(p2).slice/libpod-\(p1).scope", p1, .podman),

    // Garden
    .hit("garden", "/garden/\(garden28)", garden28, .garden),
    .hit("garden under garden.service", "/system.slice/garden.service/garden/\(garden28)", garden28, .garden),
    .hit("garden full-UUID handle", "/garden/\(garden36)", garden36, .garden),
    .hit("garden sub-cgroup", "/garden/\(garden28)/sub", garden28, .garden, root: "/garden/\(garden28)"),

    // Nesting: innermost wins.
    .hit("nested: docker in docker (cgroupfs)", "/docker/\(d1)/docker/\(d2)", d2, .docker),
    .hit("nested: docker in docker (systemd host)", "/system.slice/docker-\(d1).scope/docker/\(d2)/init.scope", d2, .docker,
         root: "/system.slice/docker-\(d1).scope/docker/\(d2)"),
    .hit("nested: kind node running a pod",
         "/system.slice/docker-\(d1).scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod\(uid_).slice/cri-containerd-\(c1).scope",
         c1, .containerd, pod: uid),
    .hit("nested: docker inside a k8s pod container", "/kubepods/burstable/pod\(uid)/\(c1)/docker/\(d2)", d2, .docker),
    .hit("nested: three levels of docker", "/docker/\(d1)/docker/\(d2)/docker/\(c1)", c1, .docker),
    .hit("nested: docker systemd in docker systemd", "/system.slice/docker-\(d1).scope/system.slice/docker-\(d2).scope", d2, .docker),
    .hit("nested: kind node (cgroupfs) running a pod", "/docker/\(d1)/kubepods/besteffort/pod\(uid)/\(c1)", c1, .containerd, pod: uid),
    .hit("nested: kind node (cgroupfs, /kubelet root) running a pod",
         "/docker/\(d1)/kubelet/kubepods/pod\(uid)/crio-\(c2)", c2, .crio, pod: uid),

    // Not containers
    .miss("empty", ""),
    .miss("root", "/"),
    .miss("only slashes", "////"),
    .miss("user session", "/user.slice/user-0.slice/session-1.scope"),
    .miss("docker daemon", "/system.slice/docker.service"),
    .miss("containerd daemon", "/system.slice/containerd.service"),
    .miss("docker parent alone", "/docker"),
    .miss("init scope", "/init.scope"),
    .miss("63 hex", "/docker/\(d1.dropLast())"),
    .miss("65 hex", "/docker/\(d1)0"),
    .miss("uppercase hex", "/docker/\(d1.uppercased())"),
    .miss("non-hex character", "/docker/\(d1.dropLast())g"),
    .miss("63 hex, systemd", "/system.slice/docker-\(d1.dropLast()).scope"),
    .miss("65 hex, systemd", "/system.slice/docker-0\(d1).scope"),
    .miss("id in a .service unit", "/system.slice/docker-\(d1).service"),
    .miss("double .scope", "/system.slice/docker-\(d1).scope.scope"),
    .miss("unknown prefix", "/system.slice/rkt-\(d1).scope"),
    .miss("k8s cgroupfs pod cgroup", "/kubepods/besteffort/pod\(uid)"),
    .miss("k8s cgroupfs guaranteed pod cgroup", "/kubepods/pod\(uid)"),
    .miss("k8s systemd pod slice", besteffortSlice),
    .miss("k8s qos slice", "/kubepods.slice/kubepods-burstable.slice"),
    .miss("crio conmon", "\(burstableSlice)/crio-conmon-\(c2).scope"),
    .miss("podman conmon", "/machine.slice/libpod-conmon-\(p1).scope"),
    .miss("podman conmon cgroupfs", "/libpod_parent/libpod-conmon-\(p1)"),
    .miss("unknown colon runtime", "/system.slice/kubepods-pod\(uid_).slice:rkt:\(c1)"),
    .miss("garden parent alone", "/garden"),
    .miss("garden, 27 chars", "/garden/\(garden28.dropLast())"),
    .miss("garden, uppercase", "/garden/\(garden28.uppercased())"),
    .miss("garden, misplaced dash", "/garden/6f26589-05165-7fab-6b52-18d1"),
    .miss("garden shape outside garden", "/system.slice/\(garden28)"),
    .miss("random names", "/foo/bar-baz/qux.scope"),

    // Not where a runtime puts containers (anchoring). Several were hits before; see above.
    .miss("spoof: docker scope in a user's delegated tree",
          "/user.slice/user-1000.slice/user@1000.service/cfspoof/docker-\(d1).scope"),
    .miss("spoof: docker scope directly in user@N.service (rootless docker uses user.slice below it)",
          "/user.slice/user-1000.slice/user@1000.service/docker-\(d1).scope"),
    .miss("spoof: docker scope in a session", "/user.slice/user-1000.slice/session-2.scope/docker-\(d1).scope"),
    .miss("spoof: user@N.service of another user", "/user.slice/user-1000.slice/user@1001.service/user.slice/libpod-\(p1).scope"),
    .miss("spoof: docker scope in a top-level cgroup", "/cfspoof/docker-\(d1).scope"),
    .miss("spoof: docker scope in a delegated service", "/system.slice/cfspoof.service/docker-\(d1).scope"),
    .miss("spoof: bare id anywhere", "/foo/\(d1)"),
    .miss("docker --cgroup-parent (was a hit, unknown runtime)", "/mygroup/\(d1)"),
    .miss("spoof: kubepods below another cgroup", "/tmp/kubepods/pod\(uid)/\(c1)"),
    .miss("spoof: kubepods.slice below another cgroup", "/tmp\(besteffortSlice)/cri-containerd-\(c1).scope"),
    .miss("spoof: colon form in another cgroup", "/cfspoof/kubepods-pod\(uid_).slice:cri-containerd:\(c1)"),
    .miss("spoof: garden below another cgroup", "/cfspoof/garden/\(garden28)"),
    .miss("docker parent, not an id", "/docker/x/docker-\(d1).scope"),
    .miss("docker parent, prefixed name", "/docker/docker-\(d1).scope"),
    .miss("actions_job parent, prefixed name", "/actions_job/docker-\(d1).scope"),
    .miss("systemd slice, no .scope", "/system.slice/docker-\(d1)"),
    .miss("prefixed name at the root, no .scope", "/docker-\(d1)"),
    .miss("bare id in system.slice", "/system.slice/\(d1)"),
    .miss("libpod_parent, another runtime", "/libpod_parent/crio-\(c2)"),
    .miss("podman pod slice, another runtime", "/machine.slice/machine-libpod_pod_\(p2).slice/docker-\(d1).scope"),
    .miss("bare id in the containerd service", "/system.slice/containerd.service/\(c1)"),
    .miss("colon form without a slice", "/system.slice/containerd.service/x:cri-containerd:\(c1)"),
    .miss("k8s cgroupfs, malformed pod dir (was a hit, no pod)", "/kubepods/besteffort/pod1234/\(c1)"),
    .miss("k8s cgroupfs, systemd-style UID", "/kubepods/besteffort/pod\(uid_)/\(c1)"),
    .miss("k8s cgroupfs, sub-cgroup of the pod", "/kubepods/burstable/pod\(uid)/x/\(c1)"),
    .miss("k8s cgroupfs, unknown QoS", "/kubepods/guaranteed/pod\(uid)/\(c1)"),
    .miss("k8s systemd, pod slice with dashes (was a hit, no pod)",
          "/kubepods.slice/kubepods-pod\(uid).slice/cri-containerd-\(c1).scope"),
    .miss("k8s systemd, pod slice in the wrong QoS slice",
          "/kubepods.slice/kubepods-besteffort.slice/kubepods-burstable-pod\(uid_).slice/cri-containerd-\(c1).scope"),
    .miss("k8s systemd, QoS pod slice outside its QoS slice",
          "/kubepods.slice/kubepods-besteffort-pod\(uid_).slice/cri-containerd-\(c1).scope"),
    .miss("k8s systemd, bare id in a pod slice", "\(besteffortSlice)/\(c1)"),
]

// MARK: - Table

@Test func containerPathTableIsLargeEnough() {
    #expect(rows.count >= 40)
    #expect(rows.contains { $0.expected == nil })
    #expect(rows.contains { $0.expected != nil })
}

@Test(arguments: rows)
func containerPathTable(_ row: ContainerPathRow) {
    #expect(ContainerPath.parse(row.path) == row.expected, "\(row.path)")
    if let match = ContainerPath.parse(row.path) {
        #expect(invariantViolations(row.path, match).isEmpty, "\(row.path)")
    }
}

/// A cgroup created inside a container belongs to it: same container, not its root.
@Test(arguments: rows.filter { $0.expected != nil })
func containerPathSubCgroup(_ row: ContainerPathRow) throws {
    let expected = try #require(row.expected)
    let path = expected.rootPath + "/init.scope"
    var sub = expected
    sub.isRoot = false
    #expect(ContainerPath.parse(path) == sub)
    #expect(ContainerPath.parse(path + "/a/b/c/") == sub)
}

/// Parsing a match's root path gives the same container, as its root.
@Test(arguments: rows.filter { $0.expected != nil })
func containerPathRootReparses(_ row: ContainerPathRow) throws {
    let expected = try #require(row.expected)
    var root = expected
    root.isRoot = true
    #expect(ContainerPath.parse(expected.rootPath) == root)
}

// MARK: - Helpers and variants

@Test func containerPathOutermost() {
    #expect(
        ContainerPath.parseOutermost("/docker/\(d1)/docker/\(d2)")
            == ContainerPathMatch(id: d1, runtime: .docker, isRoot: false, rootPath: "/docker/\(d1)")
    )
    #expect(
        ContainerPath.parseOutermost("/kubepods/burstable/pod\(uid)/\(c1)/docker/\(d2)/init.scope")
            == ContainerPathMatch(id: c1, runtime: .containerd, podUID: uid, isRoot: false,
                                  rootPath: "/kubepods/burstable/pod\(uid)/\(c1)")
    )
    #expect(
        ContainerPath.parseOutermost("/system.slice/docker-\(d1).scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod\(uid_).slice/cri-containerd-\(c1).scope")
            == ContainerPathMatch(id: d1, runtime: .docker, isRoot: false, rootPath: "/system.slice/docker-\(d1).scope")
    )
    // Without nesting, outermost and innermost agree.
    for row in rows where !row.note.hasPrefix("nested") {
        #expect(ContainerPath.parseOutermost(row.path) == row.expected, "\(row.path)")
    }
}

@Test func containerPathPodUID() {
    #expect(ContainerPath.podUID(fromPath: "/kubepods/besteffort/pod\(uid)") == uid)
    #expect(ContainerPath.podUID(fromPath: "/kubepods/pod\(uid)/") == uid)
    #expect(ContainerPath.podUID(fromPath: besteffortSlice) == uid)
    #expect(ContainerPath.podUID(fromPath: guaranteedSlice) == uid)
    #expect(ContainerPath.podUID(fromPath: "/kubepods/burstable/pod\(staticUID)") == staticUID)
    #expect(ContainerPath.podUID(fromPath: "\(burstableSlice)/crio-\(c2).scope/container") == uid)
    #expect(ContainerPath.podUID(fromPath: "/kubepods/burstable") == nil)
    #expect(ContainerPath.podUID(fromPath: "/kubepods/besteffort/pod1234") == nil)
    #expect(ContainerPath.podUID(fromPath: "/kubepods/besteffort/pod\(uid.uppercased())") == nil)
    #expect(ContainerPath.podUID(fromPath: "/docker/\(d1)") == nil)
    #expect(ContainerPath.podUID(fromPath: "") == nil)
    #expect(ContainerPath.podUID(fromPath: "///") == nil)
    // Other layouts, and the pod of an outer container when a non-Kubernetes one is nested.
    #expect(ContainerPath.podUID(fromPath: "/kubelet/kubepods/pod\(uid)") == uid)
    #expect(ContainerPath.podUID(fromPath: "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod\(uid_).slice") == uid)
    #expect(ContainerPath.podUID(fromPath: "/system.slice/containerd.service/kubepods-pod\(uid_).slice:cri-containerd:\(c1)") == uid)
    #expect(ContainerPath.podUID(fromPath: "/kubepods/burstable/pod\(uid)/\(c1)/docker/\(d2)") == uid)
    #expect(ContainerPath.podUID(fromPath: "/docker/\(d1)/kubepods/pod\(staticUID)") == staticUID)
    // Anchored like parse: a pod-shaped name elsewhere is not a pod.
    #expect(ContainerPath.podUID(fromPath: "/tmp/kubepods/pod\(uid)") == nil)
    #expect(ContainerPath.podUID(fromPath: "/cfspoof/pod\(uid)") == nil)
    #expect(ContainerPath.podUID(fromPath: "/user.slice/user-1000.slice/user@1000.service/kubepods-pod\(uid_).slice") == nil)
    #expect(ContainerPath.podUID(fromPath: "/kubepods/pod\(uid_)") == nil)
    #expect(ContainerPath.podUID(fromPath: "/kubepods.slice/kubepods-pod\(uid).slice") == nil)
}

/// The attack anchoring stops: an unprivileged user with a delegated cgroup subtree names a
/// cgroup after a (real) container and moves a shell in. None of these is a container, a pod,
/// or an outer container.
@Test(arguments: [
    "/user.slice/user-1000.slice/user@1000.service/cfspoof/docker-\(d1).scope",
    "/user.slice/user-1000.slice/user@1000.service/app.slice/cfspoof/docker-\(d1).scope",
    "/user.slice/user-1000.slice/user@1000.service/cfspoof/system.slice/docker-\(d1).scope",
    "/user.slice/user-1000.slice/user@1000.service/cfspoof/docker/\(d1)",
    "/user.slice/user-1000.slice/user@1000.service/cfspoof/kubepods/pod\(uid)/\(c1)",
    "/user.slice/user-1000.slice/user@1000.service/cfspoof\(besteffortSlice)/cri-containerd-\(c1).scope",
    "/user.slice/user-1000.slice/user@1000.service/cfspoof/garden/\(garden28)",
    "/user.slice/user-1000.slice/session-3.scope/cfspoof/libpod_parent/libpod-\(p1)",
    "/cfspoof/docker-\(d1).scope",
    "/foo/\(d1)",
    "/tmp/kubepods/pod\(uid)/\(c1)",
    "/docker/x/docker-\(d1).scope",
])
func containerPathSpoofs(_ path: String) {
    #expect(ContainerPath.parse(path) == nil)
    #expect(ContainerPath.parse(path + "/init.scope") == nil)
    #expect(ContainerPath.parseOutermost(path) == nil)
    #expect(ContainerPath.podUID(fromPath: path) == nil)
}

@Test func containerPathShapePredicates() {
    #expect(ContainerPath.isContainerID(d1))
    #expect(!ContainerPath.isContainerID(d1.uppercased()))
    #expect(!ContainerPath.isContainerID(String(d1.dropLast())))
    #expect(!ContainerPath.isContainerID(d1 + "0"))
    #expect(!ContainerPath.isContainerID(""))
    #expect(ContainerPath.isGardenHandle(garden28))
    #expect(ContainerPath.isGardenHandle(garden36))
    #expect(!ContainerPath.isGardenHandle(uid_))
    #expect(!ContainerPath.isGardenHandle(garden28.uppercased()))
    #expect(!ContainerPath.isGardenHandle(d1))
    #expect(ContainerPath.isPodUID(uid))
    #expect(ContainerPath.isPodUID(staticUID))
    #expect(!ContainerPath.isPodUID(uid_))
    #expect(!ContainerPath.isPodUID(garden28))
    #expect(ContainerRuntime.allCases.count == 6)
}

@Test func containerPathHugeInputs() {
    let megabyte = 1 << 20
    #expect(ContainerPath.parse(String(repeating: "/", count: megabyte)) == nil)
    #expect(ContainerPath.parse(String(repeating: "a", count: megabyte)) == nil)
    #expect(ContainerPath.parse(String(repeating: "0", count: megabyte)) == nil)
    #expect(ContainerPath.parse("/" + String(repeating: "-", count: megabyte) + ".scope") == nil)
    #expect(ContainerPath.podUID(fromPath: String(repeating: "pod-", count: megabyte / 4) + ".slice") == nil)

    // 20,000 nested containers: the innermost is found, the outermost too.
    var path = ""
    for i in 0..<20_000 { path += "/docker/" + (i % 2 == 0 ? d1 : d2) }
    path += "/docker/\(c1)"
    let inner = ContainerPath.parse(path)
    #expect(inner == ContainerPathMatch(id: c1, runtime: .docker, isRoot: true, rootPath: path))
    #expect(ContainerPath.parseOutermost(path)?.id == d1)
    #expect(ContainerPath.parseOutermost(path)?.rootPath == "/docker/\(d1)")

    // A long non-container prefix before a container: not a container (anchored; this used to
    // find d1), and the scan stops at the first component.
    let prefix = String(repeating: "/x", count: megabyte / 2)
    #expect(ContainerPath.parse(prefix + "/docker/\(d1)") == nil)
    // A long path inside a container.
    #expect(ContainerPath.parse("/docker/\(d1)" + prefix)
        == ContainerPathMatch(id: d1, runtime: .docker, isRoot: false, rootPath: "/docker/\(d1)"))
}

@Test func containerPathNonNativeAndInvalidUTF8() {
    // Invalid UTF-8 decodes to U+FFFD; the parser sees only valid bytes and stays total.
    let bytes: [UInt8] = Array("/docker/\(d1)/".utf8) + [0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80]
    let path = String(decoding: bytes, as: UTF8.self)
    let match = ContainerPath.parse(path)
    #expect(match?.id == d1)
    #expect(match?.isRoot == false)
    // A Substring-backed string and a String built from Characters parse the same.
    let padded = "xx/docker/\(d1)yy"
    let sub = padded.dropFirst(2).dropLast(2)
    #expect(ContainerPath.parse(String(sub)) == ContainerPath.parse("/docker/\(d1)"))
    #expect(ContainerPath.parse(String(Array("/docker/\(d1)"))) == ContainerPath.parse("/docker/\(d1)"))
    // NUL bytes are just bytes.
    #expect(ContainerPath.parse("/docker/\(d1)\u{0}") == nil)
    // A NUL-named cgroup is not a layout's parent (this used to find d1), but one inside a
    // container is a sub-cgroup.
    #expect(ContainerPath.parse("/\u{0}/docker/\(d1)") == nil)
    #expect(ContainerPath.parse("/docker/\(d1)/\u{0}")?.isRoot == false)
}

// MARK: - Fuzzing

/// SplitMix64: tiny, fixed-seed, and defined here so a failing iteration reproduces on any
/// toolchain (the standard library's `random(in:using:)` algorithm is not a stable contract).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform enough in `0..<n` for fuzzing (`n > 0`).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

/// Bytes that matter to the parser, plus bytes that make invalid UTF-8.
private let interestingBytes: [UInt8] =
    Array("/-_.:0123456789abcdefABCDEFgpodscribelkntu@".utf8) + [0x00, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xFF]

/// Path components the token fuzzer glues together, so that generated paths often are, or
/// nearly are, containers.
private let tokens: [String] = [
    "docker", "actions_job", "garden", "kubepods", "kubepods.slice", "besteffort", "burstable",
    "kubepods-burstable.slice", "system.slice", "init.scope", "container", "libpod_parent", "",
    d1, d2, c1, "docker-\(d1).scope", "docker-\(d2)", "cri-containerd-\(c1).scope", "crio-\(c2).scope",
    "crio-conmon-\(c2).scope", "libpod-\(p1).scope", "libpod-conmon-\(p1).scope", "pod\(uid)", "pod\(staticUID)",
    "kubepods-besteffort-pod\(uid_).slice", "kubepods-pod\(uid_).slice",
    "kubepods-pod\(uid_).slice:cri-containerd:\(c1)", ":crio:\(c2)", garden28, garden36, "\(d1).scope",
    String(d1.dropLast()), d1 + "f", d1.uppercased(), "pod\(uid_)",
    // Parents of the other layouts, and a stranger, so chains start, nest and break.
    "kubelet", "kubelet.slice", "kubelet-kubepods.slice", "machine.slice", "user.slice", "cfspoof",
    "containerd.service", "kubepods-besteffort-pod\(uid_).slice",
]

/// Everything a match must satisfy whatever the input. Empty when it does.
private func invariantViolations(_ path: String, _ match: ContainerPathMatch) -> [String] {
    var problems: [String] = []
    let pathBytes = Array(path.utf8)
    let rootBytes = Array(match.rootPath.utf8)
    let idBytes = Array(match.id.utf8)

    switch match.runtime {
    case .garden:
        if !ContainerPath.isGardenHandle(match.id) { problems.append("garden id has the wrong shape") }
    default:
        if !(idBytes.count == 64 && idBytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) {
            problems.append("id is not 64 lowercase hex")
        }
    }
    if let pod = match.podUID {
        if !ContainerPath.isPodUID(pod) { problems.append("podUID has the wrong shape") }
        let b = Array(pod.utf8)
        let dashed = b.count == 36 && [8, 13, 18, 23].allSatisfy { b[$0] == UInt8(ascii: "-") }
        if !(dashed || b.count == 32) { problems.append("podUID is neither dashed 36 nor 32 hex") }
        if match.runtime == .garden { problems.append("garden container with a pod") }
    }

    if !pathBytes.starts(with: rootBytes) { problems.append("rootPath is not a prefix of the path") }
    if rootBytes.last == UInt8(ascii: "/") || rootBytes.isEmpty { problems.append("rootPath ends in a slash") }
    // The last component of rootPath holds the id, at its end (before an optional `.scope`).
    var last = rootBytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).last.map(Array.init) ?? []
    if match.runtime != .garden, last.count >= 6, last.suffix(6).elementsEqual(".scope".utf8) { last.removeLast(6) }
    if !last.reversed().starts(with: idBytes.reversed()) { problems.append("rootPath's last component does not end with the id") }
    // isRoot says whether anything but slashes follows.
    let rest = pathBytes.dropFirst(rootBytes.count)
    let onlySlashes = rest.allSatisfy { $0 == UInt8(ascii: "/") }
    if match.isRoot != onlySlashes { problems.append("isRoot disagrees with the rest of the path") }
    if let first = rest.first, first != UInt8(ascii: "/") { problems.append("rootPath ends inside a component") }

    // Determinism, and the root path names the same container.
    if ContainerPath.parse(path) != match { problems.append("parse is not deterministic") }
    var root = match
    root.isRoot = true
    if ContainerPath.parse(match.rootPath) != root { problems.append("rootPath does not reparse to the same container") }
    // Outermost: also a container, at or above the innermost one.
    if let outer = ContainerPath.parseOutermost(path) {
        if !rootBytes.starts(with: Array(outer.rootPath.utf8)) { problems.append("outermost is not above innermost") }
    } else {
        problems.append("parseOutermost found nothing")
    }
    return problems
}

/// Parses `path` and records an issue (with the seed and iteration) on any violation.
/// Returns whether the path was a container.
@discardableResult
private func fuzzCheck(_ path: String, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    guard let match = ContainerPath.parse(path) else {
        if ContainerPath.parseOutermost(path) != nil {
            Issue.record("\(label): outermost found a container, innermost did not: \(path.debugDescription)",
                         sourceLocation: sourceLocation)
        }
        return false
    }
    let problems = invariantViolations(path, match)
    if !problems.isEmpty {
        Issue.record("\(label): \(problems.joined(separator: "; ")) for \(path.debugDescription) → \(match)",
                     sourceLocation: sourceLocation)
    }
    return true
}

@Test func containerPathFuzzRandomBytes() {
    var rng = SplitMix64(seed: 0xCA5E_F11E)
    var found = 0
    for iteration in 0..<4_000 {
        let count = rng.below(200)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        let anyByte = rng.chance(30)
        for _ in 0..<count {
            bytes.append(anyByte ? UInt8(truncatingIfNeeded: rng.next()) : rng.pick(interestingBytes))
        }
        if fuzzCheck(String(decoding: bytes, as: UTF8.self), "random bytes #\(iteration)") { found += 1 }
    }
    // Random bytes essentially never spell a 64-hex id after a known parent.
    #expect(found < 40)
}

@Test func containerPathFuzzTokens() {
    var rng = SplitMix64(seed: 0x70C3_4E55)
    var found = 0
    for iteration in 0..<4_000 {
        var path = ""
        for _ in 0..<(1 + rng.below(8)) {
            path += "/" + rng.pick(tokens)
        }
        if rng.chance(10) { path += "/" }
        if fuzzCheck(path, "tokens #\(iteration)") { found += 1 }
    }
    // The generator must actually reach the positive paths. Since matching is anchored a path
    // must start with a layout's parent chain, so fewer do than the > 1,000 of unanchored
    // matching (888 with this seed).
    #expect(found > 600)
}

@Test func containerPathFuzzMutations() {
    var rng = SplitMix64(seed: 0x0D0C_4E12)
    let seeds = rows.map { Array($0.path.utf8) }
    var found = 0
    for iteration in 0..<6_000 {
        var bytes = rng.pick(seeds)
        for _ in 0..<(1 + rng.below(4)) {
            mutate(&bytes, &rng, seeds)
        }
        if fuzzCheck(String(decoding: bytes, as: UTF8.self), "mutation #\(iteration)") { found += 1 }
    }
    // Anchored matching: cutting the front, or splicing a path in before a container, makes a
    // miss now, so fewer mutants are containers than the > 500 of unanchored matching (344 with
    // this seed).
    #expect(found > 250)
}

private func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64, _ seeds: [[UInt8]]) {
    let slash = UInt8(ascii: "/")
    switch rng.below(9) {
    case 0: // insert a byte
        bytes.insert(rng.pick(interestingBytes), at: rng.below(bytes.count + 1))
    case 1: // delete a byte
        if !bytes.isEmpty { bytes.remove(at: rng.below(bytes.count)) }
    case 2: // replace a byte
        if !bytes.isEmpty { bytes[rng.below(bytes.count)] = rng.chance(50) ? rng.pick(interestingBytes) : UInt8(truncatingIfNeeded: rng.next()) }
    case 3: // truncate
        bytes.removeLast(rng.below(bytes.count + 1))
    case 4: // cut the front
        bytes.removeFirst(rng.below(bytes.count + 1))
    case 5: // duplicate a byte range in place
        guard !bytes.isEmpty else { return }
        let a = rng.below(bytes.count)
        let b = a + rng.below(bytes.count - a + 1)
        bytes.insert(contentsOf: bytes[a..<b], at: b)
    case 6: // duplicate a whole segment (component)
        let starts = bytes.indices.filter { bytes[$0] == slash }
        guard !starts.isEmpty else { return }
        let s = rng.pick(starts)
        let e = bytes[(s + 1)...].firstIndex(of: slash) ?? bytes.count
        bytes.insert(contentsOf: bytes[s..<e], at: e)
    case 7: // splice another table path in (nesting)
        let other = rng.pick(seeds)
        bytes.insert(contentsOf: other, at: rng.below(bytes.count + 1))
    default: // flip the case of a letter
        if !bytes.isEmpty {
            let i = rng.below(bytes.count)
            if (0x41...0x5A).contains(bytes[i]) || (0x61...0x7A).contains(bytes[i]) { bytes[i] ^= 0x20 }
        }
    }
}
