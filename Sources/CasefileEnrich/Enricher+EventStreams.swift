import Synchronization

/// Following the runtimes' event streams: containers are asked about when they are created, a
/// runtime whose stream comes back gets its waiting containers retried at once, and the last
/// create/start event of each container is kept as the fallback for one gone before it was
/// inspected.
extension Enricher {
    func remember(_ event: RuntimeEvent, client: Int) {
        if lastEvents.updateValue((client, event), forKey: event.containerID) == nil {
            lastEventOrder.append(event.containerID)
            if lastEventOrder.count > Self.lastEventLimit {
                lastEvents[lastEventOrder.removeFirst()] = nil
            }
        }
    }

    /// A runtime came back: everything waiting is due now.
    func runtimeBack(_ source: String) {
        guard !waiting.isEmpty else { return }
        logger.info("\(source) answers again; retrying \(waiting.count) containers")
        for id in waiting.keys { waiting[id]?.next = .now }
    }

    func follow(clientAt index: Int) async {
        let client = clients[index]
        var failures = 0
        while !Task.isCancelled && !stopping {
            let received = Received()
            let failuresBefore = failures
            do {
                try await client.followEvents { event in
                    await self.heard(event, from: index, firstSinceFailures: received.first() ? failuresBefore : 0)
                }
                // A stream that ends at once without ever failing: this API has none (CRI, CRI-O).
                if !received.any && failures == 0 {
                    streamsReady.insert(index)
                    return
                }
                if received.any { failures = 0 }
            } catch is CancellationError {
                return
            } catch {
                streamsReady.insert(index) // down: nothing to wait for
                failures = received.any ? 1 : failures + 1
                if failures == 1 { logger.debug("event stream of \(client.source) failed: \(error)") }
            }
            try? await Task.sleep(for: min(configuration.firstRetry * (1 << min(failures, 6)), .seconds(5)))
        }
    }

    /// One event from client `index`'s stream.
    func heard(_ event: RuntimeEvent, from index: Int, firstSinceFailures failures: Int) async {
        // The stream works again after failing: the runtime is back.
        if failures > 0 { runtimeBack(clients[index].source) }
        switch event.action {
        case .create:
            remember(event, client: index)
            // What the create event says (Docker and Podman send name, image and labels; the
            // image's digest is learned once per image) makes the row complete now, before the
            // container's cgroup exists and whatever a busy runtime takes to answer an inspect.
            // The inspect follows and its answer (with the pid that confirms it) replaces this one.
            if !done.contains(event.containerID), !inFlight.contains(event.containerID),
               let early = await clients[index].metadata(fromEvent: event) {
                sink(.enriched(early))
            }
            submit(containerID: event.containerID, runtimeGuess: clients[index].runtime)
        case .start:
            remember(event, client: index)
            if let answered = answeredBeforeStart[event.containerID] {
                // only the runtime that answered asks again; another one's start changes nothing
                if answered == index { startedAfterAnswer(event.containerID, client: index) }
            } else {
                submit(containerID: event.containerID, runtimeGuess: clients[index].runtime)
            }
        case .subscribed:
            streamsReady.insert(index)
        case .exit, .destroy:
            break
        }
    }
}

/// Whether a stream delivered anything yet (set from the stream's callback).
final class Received: Sendable {
    private let count = Mutex(0)
    /// True for the first event only.
    func first() -> Bool { count.withLock { $0 += 1; return $0 == 1 } }
    var any: Bool { count.withLock { $0 > 0 } }
}
