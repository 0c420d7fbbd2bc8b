import CasefileModel
@testable import CasefilePipeline
import CasefileTestSupport
import Foundation
import Testing

/// `--events` parsing, scope verdicts, and the pipeline's scope decisions, without a kernel.
@Suite struct RecordingChoicesUnitTests {
    @Test func eventSelectionTakesGroupsAndKinds() throws {
        let chosen = try EventSelection.parse("file,connect, setuid").get().kinds
        #expect(chosen.isSuperset(of: EventGroup.file.kinds) && chosen.contains(.connect) && chosen.contains(.setuid))
        #expect(!chosen.contains(.bind) && !chosen.contains(.exec))
        #expect(try EventSelection.parse("all").get() == .all)
        #expect(Set(EventGroup.allCases.flatMap(\.kinds)) == Set(EventKind.allCases), "every kind is in a group")
        guard case .failure(let error) = EventSelection.parse("file,\u{1B}[31mopen") else { Issue.record("accepted"); return }
        #expect(!error.description.contains("\u{1B}"), "the refused word is shown escaped: \(error.description)")
        if case .success = EventSelection.parse("") { Issue.record("an empty list chooses nothing") }
        #expect(RecordingSettings().eventsRecorded == "all")
    }

    @Test func scopeVerdicts() {
        let host = RecordingScope()
        #expect(host.verdict(containerID: nil, podUID: nil, names: nil) == .inScope)
        let containersOnly = RecordingScope(containersOnly: true)
        #expect(containersOnly.verdict(containerID: nil, podUID: nil, names: nil) == .outOfScope)
        #expect(containersOnly.verdict(containerID: "abc", podUID: nil, names: nil) == .inScope)

        let id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        let byID = RecordingScope(containersOnly: true, containers: ["0123456789AB"])
        #expect(byID.verdict(containerID: id, podUID: nil, names: nil) == .inScope, "id prefixes match without names, any case")
        #expect(byID.verdict(containerID: "f" + id.dropFirst(), podUID: nil, names: nil) == .outOfScope,
                "every selector is an id: decided without waiting for names")

        let byName = RecordingScope(containersOnly: true, containers: ["web"])
        #expect(byName.verdict(containerID: id, podUID: nil, names: nil) == .undecided, "recorded until the runtime answers")
        #expect(byName.verdict(containerID: id, podUID: nil, names: ContainerNames(name: "/web")) == .inScope,
                "docker's leading slash is the runtime's, not part of the name")
        #expect(RecordingScope(containers: ["/web"]).verdict(containerID: id, podUID: nil, names: ContainerNames(name: "web")) == .inScope)
        #expect(byName.verdict(containerID: id, podUID: nil, names: ContainerNames(name: "db")) == .outOfScope)

        let uid = "6f1c2a3b-1111-2222-3333-444455556666"
        let byPod = RecordingScope(containersOnly: true, pods: ["prod/api", uid])
        #expect(byPod.verdict(containerID: id, podUID: uid, names: nil) == .inScope, "a pod UID shows in the cgroup path")
        #expect(byPod.verdict(containerID: id, podUID: nil, names: nil) == .undecided)
        #expect(byPod.verdict(containerID: id, podUID: nil, names: ContainerNames(name: "x", podName: "api", podNamespace: "prod")) == .inScope)
        #expect(byPod.verdict(containerID: id, podUID: nil, names: ContainerNames(name: "x", podName: "api", podNamespace: "dev")) == .outOfScope)
    }

    /// Out-of-scope cgroups go to the kernel's skip list once; their events still in flight are
    /// dropped here and counted; a named container waits for its names, recorded meanwhile.
    @Test func pipelineJudgesCgroupsAndCountsWhatItDrops() {
        let a = String(repeating: "a", count: 64), b = String(repeating: "b", count: 64)
        var pipeline = Pipeline(clock: BootClock(offsetNanoseconds: 0, bootID: "t"),
                                scope: RecordingScope(containersOnly: true, containers: ["web"]))
        func mkdir(_ id: UInt64, _ path: String) -> Event {
            Event(bootNanoseconds: 1, pid: 1, tid: 1, cgroupID: 1,
                  body: .cgroup(CgroupChange(change: .mkdir, id: id, hierarchyID: 0, level: 2, path: ByteString(path))))
        }
        func open(in cgroup: UInt64) -> Event {
            Event(bootNanoseconds: 2, pid: 9, tid: 9, cgroupID: cgroup,
                  body: .open(FileOpen(syscall: .openat, result: 3, dirFD: -100, flags: 0, mode: 0, path: ByteString("/x"))))
        }
        let made = pipeline.resolve([mkdir(1, "/system.slice"), mkdir(10, "/docker/\(a)"), mkdir(20, "/docker/\(b)")])
        #expect(made.events.filter(\.storeRow).count == 2, "the host cgroup's mkdir row is out of scope; the containers' are kept until judged")
        #expect(made.events.count == 3, "the out-of-scope mkdir still reaches the writer, for what it changes, without a row")
        #expect(pipeline.takeScopeChanges().out == [1])
        // before the runtime answers, both containers are recorded
        #expect(pipeline.resolve([open(in: 10), open(in: 20), open(in: 1)]).events.count == 2)
        #expect(pipeline.scopeSkipped == 2, "the host mkdir and the host open")
        var web = ContainerMetadata(id: a, runtime: .docker, source: "test")
        web.name = "/web"
        var db = ContainerMetadata(id: b, runtime: .docker, source: "test")
        db.name = "/db"
        pipeline.learnNames(web)
        pipeline.learnNames(db)
        #expect(pipeline.takeScopeChanges().out == [20])
        let later = pipeline.resolve([open(in: 10), open(in: 20)])
        #expect(later.events.map(\.event.cgroupID) == [10])
        #expect(pipeline.scopeSkipped == 3)
    }
}

/// Exact folding: only a thread's consecutive identical syscall events fold, within the window.
@Suite struct FoldingTests {
    func open(_ path: String, tid: UInt32 = 7, at t: UInt64, result: Int64 = 3) -> Event {
        Event(bootNanoseconds: t, pid: 7, tid: tid, cgroupID: 0, comm: ByteString("x"),
              body: .open(FileOpen(syscall: .openat, result: result, dirFD: -100, flags: 0, mode: 0, path: ByteString(path),
                                   exitBootNanoseconds: t + 500)))
    }

    @Test func identicalConsecutiveEventsFoldExactly() {
        var pipeline = Pipeline(clock: BootClock(offsetNanoseconds: 0, bootID: "t"), foldWindow: 1_000_000_000)
        let ms: UInt64 = 1_000_000
        let events = [
            open("/a", at: 1 * ms), open("/a", at: 2 * ms), open("/a", at: 3 * ms),  // fold: 3
            open("/a", tid: 8, at: 4 * ms),                                          // another thread: its own row
            open("/a", at: 5 * ms),                                                  // thread 7 again: still consecutive for it
            open("/b", at: 6 * ms),                                                  // different path: breaks the run
            open("/a", at: 7 * ms),                                                  // a new row (order kept: a, b, a)
            open("/a", at: 8 * ms, result: -13),                                     // different result: a row
            open("/a", at: 1_500 * ms, result: -13),                                 // beyond the window of its first: a row
        ]
        let rows = pipeline.resolve(events).events
        #expect(rows.map(\.foldCount) == [4, 1, 1, 1, 1, 1])
        #expect(rows.first?.lastTime == Int64(5 * ms), "the last of the four")
        #expect(rows.first?.time == Int64(1 * ms), "the row keeps the first time")
        #expect(pipeline.folded == 3)
        #expect(rows.reduce(0) { $0 + $1.foldCount } == Int64(events.count), "every event is a row or counted in one")

        var off = Pipeline(clock: BootClock(offsetNanoseconds: 0, bootID: "t"))
        #expect(off.resolve(events).events.count == events.count, "off: every event is a row")
    }

    @Test func nonSyscallEventsAreNeverFoldedAndBreakARun() {
        var pipeline = Pipeline(clock: BootClock(offsetNanoseconds: 0, bootID: "t"), foldWindow: 1_000_000_000)
        let key = ProcessKey(pid: 7, startTicks: 1)
        let exit = Event(bootNanoseconds: 3, pid: 7, tid: 7, cgroupID: 0, body: .exit(Exit(process: key, ppid: 1, status: 0, comm: ByteString("x"))))
        let fork = Event(bootNanoseconds: 2, pid: 7, tid: 7, cgroupID: 0, body: .fork(Fork(
            parent: key, child: ProcessKey(pid: 9, startTicks: 2), childTID: 9, uid: 0, gid: 0, comm: ByteString("x"))))
        let rows = pipeline.resolve([open("/a", at: 1), fork, open("/a", at: 2), open("/a", at: 2), exit]).events
        #expect(rows.map(\.foldCount) == [1, 1, 2, 1])
    }
}
