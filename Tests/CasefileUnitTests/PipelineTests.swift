import CasefileModel
@testable import CasefilePipeline
import CasefileTestSupport
import Testing

/// The pipeline's decisions, without a kernel.
@Suite struct PipelineTests {
    /// Two threads of one process may both report the group's death: one exit is kept.
    @Test func duplicateExitOfOneProcessIsKeptOnce() {
        var pipeline = Pipeline(clock: BootClock(offsetNanoseconds: 0, bootID: "t"))
        let key = ProcessKey(pid: 42, startTicks: 7)
        let exit = Event(bootNanoseconds: 1, pid: 42, tid: 43, cgroupID: 0,
                         body: .exit(Exit(process: key, ppid: 1, status: 0, comm: ByteString("x"))))
        #expect(pipeline.resolve([exit, exit]).events.count == 1)
        #expect(pipeline.resolve([exit]).events.isEmpty)
        // a later process with the same pid is another instance
        var other = exit
        other.body = .exit(Exit(process: ProcessKey(pid: 42, startTicks: 900), ppid: 1, status: 0, comm: ByteString("x")))
        #expect(pipeline.resolve([other]).events.count == 1)
    }

    /// Memory follows the live cgroups: a removed cgroup is forgotten 30 s (event time) after its
    /// rmdir, not before (a late event in it still finds its path meanwhile).
    @Test func removedCgroupsAreForgottenAfterTheGracePeriod() {
        var pipeline = Pipeline(clock: BootClock(offsetNanoseconds: 0, bootID: "t"))
        func cgroup(_ change: CgroupChange.Change, _ id: UInt64, at t: UInt64) -> Event {
            Event(bootNanoseconds: t, pid: 1, tid: 1, cgroupID: 0,
                  body: .cgroup(CgroupChange(change: change, id: id, hierarchyID: 0, level: 1, path: ByteString("/c\(id)"))))
        }
        let second: UInt64 = 1_000_000_000
        _ = pipeline.resolve((1...1000).map { cgroup(.mkdir, $0, at: second) })
        #expect(pipeline.cgroupsInMemory == 1000)
        _ = pipeline.resolve((1...900).map { cgroup(.rmdir, $0, at: 2 * second) })
        _ = pipeline.resolve([cgroup(.mkdir, 5000, at: 20 * second)])
        #expect(pipeline.cgroupsInMemory == 1001, "within the grace period")
        _ = pipeline.resolve([cgroup(.mkdir, 5001, at: 40 * second)])
        #expect(pipeline.cgroupsInMemory == 102, "the 900 removed ones are forgotten")
    }

    /// The writer backlog's budget is in bytes: a large exec weighs more than an exit.
    @Test func eventsWeighWhatTheyHold() {
        let key = ProcessKey(pid: 1, startTicks: 1)
        let exit = Event(bootNanoseconds: 1, pid: 1, tid: 1, cgroupID: 0, body: .exit(Exit(process: key, ppid: 0, status: 0, comm: ByteString("x"))))
        let exec = Event(bootNanoseconds: 1, pid: 1, tid: 1, cgroupID: 0, body: .exec(Exec(
            process: key, ppid: 0, uid: 0, gid: 0, namespacePID: 1, mountNamespace: 1, pidNamespace: 1, oldPID: 1, comm: ByteString("x"),
            filename: ByteString("/bin/x"), argv: ByteString([UInt8](repeating: 0x41, count: 2000)), argvTruncated: false, filenameTruncated: false)))
        #expect(exec.approximateBytes - exit.approximateBytes >= 2000)
        #expect(exit.approximateBytes >= MemoryLayout<Event>.stride)
    }
}
