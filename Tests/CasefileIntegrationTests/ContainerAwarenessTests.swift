import CasefileModel
@testable import CasefilePipeline
import CasefileRecorder
import CasefileStore
import Foundation
import GRDB
import CasefileTestSupport
import Testing

/// Containers known from cgroups alone, with real kernels and real runtimes.
@Suite(.serialized, .timeLimit(.minutes(3)))  // a hang fails the test instead of holding CI
struct ContainerAwarenessTests {
    static let image = "casefile/busybox:1"

    // MARK: Docker

    @Test func dockerContainersExistingCreatedRemovedAndExec() async throws {
        guard Requirement.root(), Runtime.require(.docker) else { return }
        let tag = UUID().uuidString.prefix(8).lowercased()
        let before = try sh("docker run -d --name cf-before-\(tag) --network none \(Self.image) sleep 120")
        #expect(before.status == 0, "\(before.output)")
        let beforeID = before.output.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? sh("docker rm -f cf-before-\(tag)") }
        var startedID = ""
        let marker = "cf-exec-\(tag)"

        let queue = try await record {
            let during = try sh("docker run -d --name cf-during-\(tag) --network none \(Self.image) sleep 120")
            startedID = during.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(during.status == 0, "\(during.output)")
            #expect(try sh("docker exec cf-during-\(tag) sh -c 'echo \(marker)'").status == 0)
            #expect(try sh("docker exec cf-before-\(tag) sh -c 'echo \(marker)-before'").status == 0)
            #expect(try sh("docker rm -f cf-during-\(tag)").status == 0)
        }
        let duringID = startedID
        try await queue.read { db in
            let existing = try #require(try Row.fetchOne(db, sql: "SELECT * FROM containers WHERE id = ?", arguments: [beforeID]))
            #expect(existing["existed_at_start"] as Int64 == 1)
            #expect(existing["runtime"] as String? == "docker")
            #expect(existing["removed_at"] as Int64? == nil)

            let during = try #require(try Row.fetchOne(db, sql: "SELECT * FROM containers WHERE id = ?", arguments: [duringID]))
            #expect(during["existed_at_start"] as Int64 == 0)
            let created: Int64 = try #require(during["created_at"])
            let removed: Int64 = try #require(during["removed_at"])
            #expect(created < removed)

            // docker exec inside each container: exec events resolve to it through the cgroup
            for (id, m) in [(duringID, marker), (beforeID, marker + "-before")] {
                let row = try #require(try Row.fetchOne(db, sql: """
                    SELECT w.container_id, w.cgroup_path FROM events_with_container w JOIN execs x ON x.event_id = w.id
                    WHERE x.cmdline = ?
                    """, arguments: ["sh -c 'echo \(m)'"]))
                #expect(row["container_id"] as String? == id)
                #expect(row["cgroup_path"] as String? == "/docker/\(id)")
            }

            // lifecycle rows in the timeline view
            let kinds = try String.fetchAll(db, sql: "SELECT kind FROM timeline WHERE container_id = ? AND id IS NULL ORDER BY ts", arguments: [duringID])
            #expect(kinds == ["container_created", "container_removed"])
            #expect(try String.fetchAll(db, sql: "SELECT kind FROM timeline WHERE container_id = ? AND id IS NULL", arguments: [beforeID]) == ["container_existed"])
        }
    }

    /// The attack of issue 8: cgroups that claim a live container's id. One where no runtime puts
    /// containers (an unprivileged user's delegated tree looks like this) is no container at all;
    /// one in a runtime's layout but not at the container's own cgroup is a claim, kept apart: it
    /// neither removes nor renames the container, and its events are not the container's.
    @Test func spoofedCgroupsCannotRemoveOrRenameALiveContainer() async throws {
        guard Requirement.root(), Runtime.require(.docker), let v2 = cgroupV2Mount() else { return }
        let tag = shortID()
        let started = try sh("docker run -d --name cf-real-\(tag) --network none \(Self.image) sleep 120")
        #expect(started.status == 0, "\(started.output)")
        let id = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? sh("docker rm -f cf-real-\(tag)") }
        let outside = "\(v2)/cfspoof-\(tag)/docker-\(id).scope"
        let inLayout = "\(v2)/system.slice/docker-\(id).scope"
        func runInside(_ dir: String, _ marker: String) throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let status = try run("/bin/sh", ["-c", "echo $$ > '\(dir)/cgroup.procs' && exec /bin/sh -c 'exit 0' \(marker)"])
            #expect(status == 0)
            _ = try sh("rmdir '\(dir)'")
        }
        let queue = try await record {
            try runInside(outside, "cf-outside-\(tag)")
            try runInside(inLayout, "cf-inlayout-\(tag)")
            #expect(try sh("docker exec cf-real-\(tag) sh -c 'echo cf-real-\(tag)'").status == 0)
        }
        _ = try? sh("rmdir \(v2)/cfspoof-\(tag); rmdir \(v2)/system.slice 2>/dev/null")
        try await queue.read { db in
            let c = try #require(try Row.fetchOne(db, sql: "SELECT * FROM containers WHERE id = ?", arguments: [id]))
            #expect(c["name"] as String? == "cf-real-\(tag)")
            #expect(c["removed_at"] as Int64? == nil, "a claim elsewhere does not remove the container")
            #expect(c["cgroup_path"] as String? == "/docker/\(id)")
            #expect(c["confirmed_at"] as Int64? != nil, "Docker named its pid, whose cgroup is the container's")
            #expect((c["runtime_pid"] as Int64? ?? 0) > 0)
            #expect((c["conflicting_claims"] as Int64? ?? 0) >= 1, "the claim in /system.slice is counted")
            // The exec inside each cgroup, by its exact argv (the shell that moved itself there names the marker too).
            func attribution(_ argv: String) throws -> Row {
                try #require(try Row.fetchOne(db, sql: """
                    SELECT w.container_id, w.claimed_container_id, w.container_name, t.container FROM events_with_container w
                    JOIN execs x ON x.event_id = w.id JOIN timeline t ON t.id = w.id WHERE x.argv = ?
                    """, arguments: [Data(argv.utf8)]), "\(argv)")
            }
            let outsideRow = try attribution("/bin/sh\0-c\0exit 0\0cf-outside-\(tag)\0")
            #expect(outsideRow["container_id"] as String? == nil && outsideRow["claimed_container_id"] as String? == nil)
            let claim = try attribution("/bin/sh\0-c\0exit 0\0cf-inlayout-\(tag)\0")
            #expect(claim["container_id"] as String? == nil, "a claim is not the container")
            #expect(claim["claimed_container_id"] as String? == id)
            #expect(claim["container"] as String? == "unconfirmed claim \(id.prefix(12))")
            let real = try attribution("sh\0-c\0echo cf-real-\(tag)\0")
            #expect(real["container_id"] as String? == id && real["container_name"] as String? == "cf-real-\(tag)")
        }
    }

    // MARK: containerd, Kubernetes cgroupfs layout

    @Test func containerdKubepodsPathGivesContainerAndPod() async throws {
        guard Requirement.root(), Runtime.require(.containerd) else { return }
        let podUID = UUID().uuidString.lowercased()
        let id = (UUID().uuidString + UUID().uuidString).lowercased().filter(\.isHexDigit).prefix(64)
        let cgroup = "/kubepods/besteffort/pod\(podUID)/\(id)"
        let image = try sh("ctr -n k8s.io images ls -q | grep casefile/busybox | head -1").output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!image.isEmpty, "busybox image not imported into containerd (scripts/runtimes.sh images)")
        defer { _ = try? sh("ctr -n k8s.io task kill -s KILL \(id); sleep 0.3; ctr -n k8s.io task rm -f \(id); ctr -n k8s.io container rm \(id)") }
        let queue = try await record {
            let run = try sh("""
                ctr -n k8s.io run -d --cgroup \(cgroup) --label io.kubernetes.pod.name=web --label io.kubernetes.pod.namespace=shop \
                --label io.kubernetes.pod.uid=\(podUID) --label io.kubernetes.container.name=app \(image) \(id) sleep 60
                """)
            #expect(run.status == 0, "\(run.output)")
            #expect(try sh("ctr -n k8s.io task exec --exec-id probe-\(id.prefix(8)) \(id) sh -c 'echo cf-ctr-\(id.prefix(8))'").status == 0)
        }
        try await queue.read { db in
            let c = try #require(try Row.fetchOne(db, sql: "SELECT * FROM containers WHERE id = ?", arguments: [String(id)]))
            #expect(c["pod_uid"] as String? == podUID)
            #expect(c["runtime"] as String? == "containerd")
            #expect(try Bool.fetchOne(db, sql: "SELECT count(*) = 1 FROM pods WHERE uid = ?", arguments: [podUID]) == true)
            let exec = try #require(try Row.fetchOne(db, sql: """
                SELECT w.container_id, w.pod_uid FROM events_with_container w JOIN execs x ON x.event_id = w.id WHERE x.cmdline = ?
                """, arguments: ["sh -c 'echo cf-ctr-\(id.prefix(8))'"]))
            #expect(exec["container_id"] as String? == String(id))
            #expect(exec["pod_uid"] as String? == podUID)
        }
    }

    // MARK: Podman

    @Test func podmanLibpodPathResolves() async throws {
        guard Requirement.root(), Runtime.require(.podman) else { return }
        let tag = UUID().uuidString.prefix(8).lowercased()
        var cid = ""
        let queue = try await record {
            let run = try sh("""
                podman run --rm --cgroup-manager=cgroupfs --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network none \
                --name cf-podman-\(tag) --cidfile /tmp/cf-podman-\(tag).cid \(Self.image) sh -c 'echo cf-podman-\(tag)'
                """)
            #expect(run.status == 0, "\(run.output)")
            cid = (try? String(contentsOfFile: "/tmp/cf-podman-\(tag).cid", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            try? FileManager.default.removeItem(atPath: "/tmp/cf-podman-\(tag).cid")
        }
        let id = cid
        #expect(id.count == 64)
        try await queue.read { db in
            let c = try #require(try Row.fetchOne(db, sql: "SELECT * FROM containers WHERE id = ?", arguments: [id]))
            #expect(c["runtime"] as String? == "podman")
            #expect(c["removed_at"] as Int64? != nil)
            let exec = try #require(try Row.fetchOne(db, sql: """
                SELECT w.container_id, w.cgroup_path FROM events_with_container w JOIN execs x ON x.event_id = w.id WHERE x.cmdline = ?
                """, arguments: ["sh -c 'echo cf-podman-\(tag)'"]))
            #expect(exec["container_id"] as String? == id)
            #expect((exec["cgroup_path"] as String?)?.hasSuffix("libpod-\(id)") == true)
        }
    }

    // MARK: Shapes no runtime here makes: real cgroups with those names

    @Test(arguments: [
        ("systemd docker", "system.slice/docker-%ID%.scope", "docker", nil as String?),
        ("cri-containerd scope", "system.slice/cri-containerd-%ID%.scope", "containerd", nil),
        ("cri-containerd colon", "system.slice/containerd.service/kubepods-burstable-pod%UIDU%.slice:cri-containerd:%ID%", "containerd", "%UID%"),
        ("crio", "crio-%ID%.scope", "crio", nil),
        ("kubepods systemd", "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%UIDU%.slice/crio-%ID%.scope", "crio", "%UID%"),
        ("guaranteed cgroupfs", "kubepods/pod%UID%/%ID%", "containerd", "%UID%"),
        ("podman scope", "machine.slice/libpod-%ID%.scope", "podman", nil),
        ("github actions", "actions_job/%ID%", "docker", nil),
    ])
    func realCgroupsWithRuntimePathShapes(_ name: String, _ shape: String, _ runtime: String, _ pod: String?) async throws {
        guard Requirement.root(), let v2 = cgroupV2Mount() else {
            _ = Requirement.check(cgroupV2Mount() != nil, "a cgroup v2 hierarchy")
            return
        }
        let id = String((UUID().uuidString + UUID().uuidString).lowercased().filter(\.isHexDigit).prefix(64))
        let uid = UUID().uuidString.lowercased()
        let rel = shape.replacingOccurrences(of: "%ID%", with: id).replacingOccurrences(of: "%UIDU%", with: uid.replacingOccurrences(of: "-", with: "_"))
            .replacingOccurrences(of: "%UID%", with: uid)
        let dir = "\(v2)/\(rel)"
        let top = "\(v2)/\(rel.split(separator: "/").first ?? "")"
        let marker = "cf-shape-\(id.prefix(8))"
        let queue = try await record {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let status = try run("/bin/sh", ["-c", "echo $$ > '\(dir)/cgroup.procs' && exec /bin/sh -c 'exit 0' \(marker)"])
            #expect(status == 0)
            _ = try sh("find '\(top)' -depth -type d -exec rmdir {} \\;")
        }
        try await queue.read { db in
            let exec = try #require(try Row.fetchOne(db, sql: """
                SELECT w.container_id, w.container_runtime, w.pod_uid, w.cgroup_path FROM events_with_container w
                JOIN execs x ON x.event_id = w.id WHERE x.argv = ?
                """, arguments: [Data("/bin/sh\0-c\0exit 0\0\(marker)\0".utf8)]), "\(name)")
            #expect(exec["cgroup_path"] as String? == "/" + rel, "\(name)")
            #expect(exec["container_id"] as String? == id, "\(name)")
            #expect(exec["container_runtime"] as String? == runtime, "\(name)")
            #expect(exec["pod_uid"] as String? == pod.map { _ in uid }, "\(name)")
            let c = try #require(try Row.fetchOne(db, sql: "SELECT created_at, removed_at FROM containers WHERE id = ?", arguments: [id]))
            #expect(c["created_at"] as Int64? != nil && c["removed_at"] as Int64? != nil, "\(name)")
        }
    }

    /// A sub-cgroup inside a container is the same container, not its root.
    @Test func subCgroupIsSameContainer() async throws {
        guard Requirement.root(), Requirement.check(cgroupV2Mount() != nil, "a cgroup v2 hierarchy"), let v2 = cgroupV2Mount() else { return }
        let id = String((UUID().uuidString + UUID().uuidString).lowercased().filter(\.isHexDigit).prefix(64))
        let root = "\(v2)/system.slice/docker-\(id).scope"
        let queue = try await record {
            try FileManager.default.createDirectory(atPath: root + "/init.scope", withIntermediateDirectories: true)
            try FileManager.default.removeItem(atPath: root + "/init.scope")
            try FileManager.default.removeItem(atPath: root)
        }
        try await queue.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT path, container_id FROM cgroups WHERE path LIKE ? ORDER BY path", arguments: ["%\(id)%"])
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0["container_id"] as String? == id })
            let c = try #require(try Row.fetchOne(db, sql: "SELECT created_at, removed_at FROM containers WHERE id = ?", arguments: [id]))
            // created/removed come from the container's own cgroup, not init.scope
            let times = try Row.fetchAll(db, sql: "SELECT created_at, removed_at FROM cgroups WHERE path = ?", arguments: ["/system.slice/docker-\(id).scope"])
            #expect(c["created_at"] as Int64? == times.first?["created_at"] as Int64?)
            #expect(c["removed_at"] as Int64? == times.first?["removed_at"] as Int64?)
        }
    }

    // MARK: v1 hierarchy (what a host without cgroup v2 uses)

    @Test func cgroupV1CpusetIdsWhenAskedFor() async throws {
        guard Requirement.root() else { return }
        let layout = CgroupLayout.parse(mountinfo: (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "")
        guard let cpuset = layout.mounts.first(where: { $0.controllers.contains("cpuset") })?.mountPoint else {
            _ = Requirement.check(false, "a v1 cpuset hierarchy (this host has none)")
            return
        }
        let id = String((UUID().uuidString + UUID().uuidString).lowercased().filter(\.isHexDigit).prefix(64))
        let dir = "\(cpuset)/docker/\(id)"
        let marker = "cf-v1-\(id.prefix(8))"
        let queue = try await record(options: { $0.cgroupV1Cpuset = true }) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            // a v1 cpuset cgroup needs cpus and mems before a task can join
            for parent in ["\(cpuset)/docker", dir] {
                _ = try sh("cat \(cpuset)/cpuset.cpus > \(parent)/cpuset.cpus; cat \(cpuset)/cpuset.mems > \(parent)/cpuset.mems")
            }
            let status = try run("/bin/sh", ["-c", "echo $$ > '\(dir)/cgroup.procs' && exec /bin/sh -c 'exit 0' \(marker)"])
            #expect(status == 0)
            try FileManager.default.removeItem(atPath: dir)
        }
        let ino = try? inode(cpuset + "/docker")
        #expect(ino != nil)
        try await queue.read { db in
            let session = try #require(try Row.fetchOne(db, sql: "SELECT cgroup_hierarchy, cgroup_mount FROM sessions"))
            #expect(session["cgroup_mount"] as String? == cpuset)
            let hierarchy: Int64 = session["cgroup_hierarchy"]
            #expect(hierarchy > 0)
            let exec = try #require(try Row.fetchOne(db, sql: """
                SELECT w.container_id, w.cgroup_path, c.hierarchy_id FROM events_with_container w JOIN execs x ON x.event_id = w.id
                JOIN cgroups c ON c.id = w.cgroup_row WHERE x.argv = ?
                """, arguments: [Data("/bin/sh\0-c\0exit 0\0\(marker)\0".utf8)]))
            #expect(exec["cgroup_path"] as String? == "/docker/\(id)")
            #expect(exec["container_id"] as String? == id)
            #expect(exec["hierarchy_id"] as Int64 == hierarchy)
        }
    }

    // MARK: Snapshot and lookups (no runtime needed)

    /// A cgroup whose name is not UTF-8 (here inside a container's cgroup, where a container's
    /// own processes may name one), and a cgroup below it, are found by the start-up walk, stored
    /// byte for byte and attributed to the container.
    @Test func nonUTF8CgroupIsFoundByTheWalk() async throws {
        guard Requirement.root(), Requirement.check(cgroupV2Mount() != nil, "a cgroup v2 hierarchy"), let v2 = cgroupV2Mount() else { return }
        let tag = shortID()
        let id = String((UUID().uuidString + UUID().uuidString).lowercased().filter(\.isHexDigit).prefix(64))
        let name: [UInt8] = Array("cf-".utf8) + [0xFF, 0xFE] + Array("-\(tag)".utf8)
        // bash's printf makes the bytes 0xFF 0xFE (\377 \376) in the directory name.
        let parent = "\"$(printf '\(v2)/docker/\(id)/cf-\\377\\376-\(tag)')\""
        #expect(try sh("mkdir -p \(parent)/sub").status == 0)
        defer { _ = try? sh("rmdir \(parent)/sub \(parent) \(v2)/docker/\(id)") }
        let queue = try await record { try await Task.sleep(for: .milliseconds(200)) }
        try await queue.read { db in
            let exact = Data(Array("/docker/\(id)/".utf8) + name)
            let found = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM cgroups WHERE CAST(path AS BLOB) = ? AND existed_at_start = 1 AND container_id = ?
                """, arguments: [exact, id])
            #expect(found == 1, "the non-UTF-8 cgroup, byte for byte, in its container")
            let below = Data(Array("/docker/\(id)/".utf8) + name + Array("/sub".utf8))
            let container = try Int.fetchOne(db, sql: "SELECT count(*) FROM cgroups WHERE CAST(path AS BLOB) = ? AND container_id = ?",
                                             arguments: [below, id])
            #expect(container == 1, "the cgroup below it")
            let row = try #require(try Row.fetchOne(db, sql: "SELECT existed_at_start, cgroup_path FROM containers WHERE id = ?", arguments: [id]))
            #expect(row["existed_at_start"] as Int64? == 1)
            #expect(row["cgroup_path"] as String? == "/docker/\(id)")
        }
    }

    @Test func snapshotFindsThisProcessAndItsCgroup() throws {
        guard Requirement.root(), Requirement.check(cgroupV2Mount() != nil, "a cgroup v2 hierarchy"), let v2 = cgroupV2Mount() else { return }
        var pipeline = Pipeline(clock: BootClock(offsetNanoseconds: 0, bootID: "t"), cgroupFS: CgroupFS(mountPoint: v2, hierarchyID: 0))
        let batch = pipeline.snapshot()
        let me = try #require(batch.processes.first { $0.key.pid == UInt32(getpid()) })
        let stat = try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")") ?? stat.startIndex)...].split(separator: " ")
        #expect(me.key.startTicks == UInt64(fields[19]))
        #expect(me.ppid == UInt32(getppid()))
        #expect(me.argv?.bytes.isEmpty == false)
        let myCgroup = try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("0::") }
        let path = String(myCgroup?.dropFirst(3) ?? "/")
        #expect(me.cgroupID == (try inode(path == "/" ? v2 : v2 + path)))
        #expect(batch.cgroups.contains { $0.path?.utf8String == "/" && $0.existedAtStart })
        #expect(batch.processes.count > 10)
    }

    @Test func unknownCgroupIdsAreLookedUpOnceAndCached() throws {
        guard Requirement.root(), Requirement.check(cgroupV2Mount() != nil, "a cgroup v2 hierarchy"), let v2 = cgroupV2Mount() else { return }
        // A runtime's layout (systemd-driver Docker); an empty system.slice made here is removed again.
        let name = "system.slice"
        try FileManager.default.createDirectory(atPath: "\(v2)/\(name)/docker-\(String(repeating: "ab", count: 32)).scope", withIntermediateDirectories: true)
        defer { _ = try? sh("rmdir \(v2)/\(name)/docker-\(String(repeating: "ab", count: 32)).scope; rmdir \(v2)/\(name) 2>/dev/null") }
        let id = try inode("\(v2)/\(name)/docker-\(String(repeating: "ab", count: 32)).scope")
        var pipeline = Pipeline(clock: BootClock(offsetNanoseconds: 0, bootID: "t"), cgroupFS: CgroupFS(mountPoint: v2, hierarchyID: 0))
        var next: UInt64 = 0
        func event(_ cgroup: UInt64) -> Event {
            next += 1 // each a different process, so none is a duplicate exit
            return Event(bootNanoseconds: 1, pid: 1, tid: 1, cgroupID: cgroup,
                         body: .exit(Exit(process: ProcessKey(pid: 1, startTicks: next), ppid: 0, status: 0, comm: ByteString("x"))))
        }
        let first = pipeline.resolve([event(id), event(id)])
        #expect(pipeline.lookups == 1)
        #expect(first.cgroups.count == 1)
        #expect(first.cgroups.first?.path?.utf8String == "/\(name)/docker-\(String(repeating: "ab", count: 32)).scope")
        #expect(first.cgroups.first?.container?.id == String(repeating: "ab", count: 32))
        _ = pipeline.resolve([event(id)])
        #expect(pipeline.lookups == 1)
        // an id that does not exist: looked up once, remembered as unresolvable
        _ = pipeline.resolve([event(0xFFFF_FFF0), event(0xFFFF_FFF0)])
        _ = pipeline.resolve([event(0xFFFF_FFF0)])
        #expect(pipeline.lookups == 2)
    }
}
