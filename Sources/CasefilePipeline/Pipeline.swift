import CasefileModel

/// The stage between decoding and storage: gives each event its UTC time and the process
/// instance it belongs to. (Container attribution plugs in here.)
///
/// Owned by the writer thread; never blocks and never waits for anything outside memory.
public struct Pipeline: Sendable {
    public let clock: BootClock
    private var processes = ProcessTracker()

    public init(clock: BootClock) {
        self.clock = clock
    }

    /// Seeds the process tracker with processes that existed before recording.
    public mutating func seed(_ keys: [ProcessKey]) {
        for key in keys { processes.current[key.pid] = key }
    }

    public mutating func resolve(_ events: [Event]) -> [ResolvedEvent] {
        var out: [ResolvedEvent] = []
        out.reserveCapacity(events.count)
        for event in events {
            out.append(resolve(event))
        }
        return out
    }

    public mutating func resolve(_ event: Event) -> ResolvedEvent {
        let time = clock.utc(event.bootNanoseconds)
        switch event.body {
        case .exec(let x):
            let parent = processes.current[x.ppid]
            processes.current[x.process.pid] = x.process
            if x.oldPID != x.process.pid { processes.current[x.oldPID] = nil }
            return ResolvedEvent(event: event, time: time, process: x.process, parent: parent)
        case .fork(let f):
            processes.current[f.child.pid] = f.child
            if processes.current[f.parent.pid] == nil { processes.current[f.parent.pid] = f.parent }
            return ResolvedEvent(event: event, time: time, process: f.parent)
        case .exit(let x):
            if processes.current[x.process.pid] == x.process { processes.current[x.process.pid] = nil }
            return ResolvedEvent(event: event, time: time, process: x.process)
        case .cgroup:
            return ResolvedEvent(event: event, time: time, process: processes.current[event.pid])
        }
    }
}

/// Which process instance currently holds each PID.
struct ProcessTracker: Sendable {
    var current: [UInt32: ProcessKey] = [:]
}
