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
}
