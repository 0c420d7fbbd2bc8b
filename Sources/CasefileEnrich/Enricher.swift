import CasefileModel
import Foundation
import Logging
import Synchronization

/// Asks container runtimes about containers, in the background, and hands every answer (or
/// failure) to a sink. Nothing ever waits for it: `submit` returns at once from any thread, and
/// a full queue drops the request and counts it (`stats.dropped`) instead of blocking.
///
/// - Each request tries the runtimes the cgroup path points to first, then every other
///   runtime in turn (an unknown runtime is found by asking all of them).
/// - Per-runtime concurrency is bounded; every call has a timeout; transient failures
///   (unreachable, timeout, 5xx) are retried with exponential backoff for as long as the session
///   runs, and at once when a runtime's event stream reconnects — a runtime that was down is
///   asked again when it comes back.
/// - Runtime event streams (Docker/Podman `/events`, containerd's events service) are followed
///   so containers are enriched when they are created: a container that lives 50 ms still gets
///   its name, image and digest.
public actor Enricher {
    public struct Configuration: Sendable {
        public var queueLimit = 10_000
        /// Containers being asked about or waiting for a retry at once; beyond it a new one is
        /// not asked (counted in `dropped`, and its row says why).
        public var maxAdmitted = 1_024
        /// Containers remembered as answered (not asked again); the memory is emptied past this.
        public var doneMemory = 100_000
        public var perRuntimeConcurrency = 4
        public var callTimeout: Duration = .seconds(3)
        public var firstRetry: Duration = .milliseconds(200)
        public var maxRetryDelay: Duration = .seconds(15)
        /// Give up on a container after this many rounds in which no runtime answered.
        public var maxAttempts = 40
        public init() {}
    }

    public enum Outcome: Sendable {
        case enriched(ContainerMetadata)
        case failed(EnrichmentFailure)
    }

    public struct Stats: Sendable, Equatable {
        public var submitted = 0
        public var dropped = 0
        /// Requests taken from the queue by the scheduler.
        public var received = 0
        public var enriched = 0
        public var failedAttempts = 0
        public var inFlight = 0
    }

    struct Request: Sendable {
        var containerID: String
        var runtimeGuess: ContainerRuntime
    }

    /// Work for `run()`'s task group: every call the enricher makes is a child task of `run()`.
    private enum Work: Sendable {
        case enrich(Request, attempt: Int)
        case refine(containerID: String)
    }

    /// The latest create/start event of each recent container, per client: the fallback when the
    /// container is gone before it is inspected. Bounded.
    var lastEvents: [String: (client: Int, event: RuntimeEvent)] = [:]
    var lastEventOrder: [String] = []
    static let lastEventLimit = 4096

    public nonisolated let clients: [any RuntimeClient]
    let configuration: Configuration
    let sink: @Sendable (Outcome) -> Void
    let logger: Logger
    private nonisolated let requests: AsyncStream<Request>
    private nonisolated let continuation: AsyncStream<Request>.Continuation
    /// Unbounded, but bounded in practice: one entry per container in flight or due for a retry.
    private nonisolated let work: AsyncStream<Work>
    private nonisolated let workContinuation: AsyncStream<Work>.Continuation
    private nonisolated let counters = Mutex(Stats())
    private let limiters: [Limiter]

    var done: Set<String> = []
    var inFlight: Set<String> = []
    /// Answered before they started (asked at create time): no pid yet, so not confirmed.
    /// Their start event asks again (`startedAfterAnswer`). Bounded like `done`.
    /// The value is the client that answered: only its own start event asks it again (another
    /// runtime seeing the same container, e.g. dockerd's containerd, must not answer over it).
    var answeredBeforeStart: [String: Int] = [:]
    var waiting: [String: (request: Request, attempts: Int, next: ContinuousClock.Instant)] = [:]

    public init(clients: [any RuntimeClient], configuration: Configuration = Configuration(),
                logger: Logger = Logger(label: "casefile.enrich"), sink: @escaping @Sendable (Outcome) -> Void) {
        self.clients = clients
        self.configuration = configuration
        self.sink = sink
        self.logger = logger
        (requests, continuation) = AsyncStream.makeStream(of: Request.self, bufferingPolicy: .bufferingOldest(configuration.queueLimit))
        (work, workContinuation) = AsyncStream.makeStream(of: Work.self)
        limiters = clients.map { _ in Limiter(limit: configuration.perRuntimeConcurrency) }
    }

    public nonisolated var stats: Stats { counters.withLock { $0 } }

    /// Asks for container `id` to be enriched. Never blocks; a full queue drops and counts it.
    public nonisolated func submit(containerID id: String, runtimeGuess: ContainerRuntime = .unknown) {
        counters.withLock { $0.submitted += 1 }
        switch continuation.yield(Request(containerID: id, runtimeGuess: runtimeGuess)) {
        case .dropped, .terminated: counters.withLock { $0.dropped += 1 }
        default: break
        }
    }

    /// Runs until cancelled or `finish()`: serves requests, follows event streams, retries. Every
    /// call, stream and timer is a child task of this call (structured: nothing outlives it).
    public func run() async {
        await withDiscardingTaskGroup { group in
            for index in clients.indices {
                group.addTask { await self.follow(clientAt: index) }
            }
            group.addTask { await self.retryLoop() }
            group.addTask { await self.admitRequests() }
            for await item in work {
                switch item {
                case .enrich(let request, let attempt): group.addTask { await self.enrich(request, attempt: attempt) }
                case .refine(let id): group.addTask { await self.refineThroughCRI(id) }
                }
            }
            // No more requests (or cancelled): stop following and retrying; in-flight calls are cancelled.
            stopping = true
            group.cancelAll()
        }
    }

    /// Moves submitted requests to the work queue, skipping containers already done or in flight.
    private func admitRequests() async {
        for await request in requests {
            counters.withLock { $0.received += 1 }
            if start(request) { schedule(.enrich(request, attempt: 1)) }
        }
        workContinuation.finish()
    }

    /// Stops taking requests; `run()` returns once in-flight calls end (they are cancelled).
    public nonisolated func finish() {
        continuation.finish()
    }

    /// Waits until nothing is queued or in flight, at most `timeout`. For an orderly stop: the
    /// last containers of a recording still get their names.
    public func settle(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && !Task.isCancelled {
            let queued = counters.withLock { $0.submitted - $0.dropped - $0.received }
            if inFlight.isEmpty && pendingCount == 0 && refining == 0 && queued <= 0 { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private var pendingCount = 0
    /// Clients whose event stream is established, or known to be absent or down.
    var streamsReady: Set<Int> = []

    /// Waits (at most `timeout`) until every runtime's event stream is established or known to
    /// be unavailable, so containers created from now on are heard of at creation.
    public func waitForEventStreams(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while streamsReady.count < clients.count && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
    var stopping = false

    // MARK: Requests

    private func start(_ request: Request) -> Bool {
        let id = request.containerID
        if done.contains(id) || inFlight.contains(id) { return false }
        if let w = waiting[id] {
            // A new sighting of a container we are waiting on: try again now.
            waiting[id] = (request, w.attempts, .now)
            return false
        }
        if inFlight.count + waiting.count >= configuration.maxAdmitted {
            // Bounded work: this one is not asked. Counted, and said in its row.
            counters.withLock { $0.dropped += 1 }
            sink(.failed(EnrichmentFailure(containerID: id, source: "casefile",
                                           error: "not asked: \(configuration.maxAdmitted) containers were already being asked about (enrichment bound)",
                                           at: nowNanoseconds())))
            return false
        }
        inFlight.insert(id)
        counters.withLock { $0.inFlight = inFlight.count }
        return true
    }

    private func enrich(_ request: Request, attempt: Int) async {
        let order = clients.indices.sorted { a, b in
            matches(clients[a], request.runtimeGuess) && !matches(clients[b], request.runtimeGuess)
        }
        var transient: RuntimeError?
        var lastError: (source: String, message: String)?
        var notFound: [String] = []
        for index in order {
            if Task.isCancelled || stopping { break }
            let client = clients[index]
            await limiters[index].acquire()
            let result: Result<ContainerMetadata?, any Error>
            do {
                // The clients keep their own deadline (callTimeout) and say precisely what timed
                // out; this outer one is only a safety net for a client that would not.
                let limit = configuration.callTimeout + .seconds(1)
                let answer = try await withDeadline(.now + limit, onTimeout: { RuntimeError(.timeout, source: client.source, detail: "no answer within \(limit)") }) {
                    try await client.inspect(containerID: request.containerID)
                }
                result = .success(answer)
            } catch {
                result = .failure(error)
            }
            await limiters[index].release()
            switch result {
            case .success(let metadata?):
                finished(request.containerID, success: true)
                counters.withLock { $0.enriched += 1 }
                sink(.enriched(metadata))
                if metadata.pid == nil && client.api != .cri {
                    if answeredBeforeStart.count >= configuration.doneMemory { answeredBeforeStart.removeAll(keepingCapacity: true) }
                    answeredBeforeStart[request.containerID] = index
                    // Its start event (from the same runtime) came while it was being asked: ask again now.
                    if let last = lastEvents[request.containerID], last.event.action == .start, last.client == index {
                        startedAfterAnswer(request.containerID, client: index)
                    }
                }
                if KubeletLabels.isManagedByCRI(metadata.labels), client.api != .cri, clients.contains(where: { $0.api == .cri }) {
                    // containerd's own API answered first for a container its CRI plugin manages (the
                    // CRI had not registered it yet): ask the CRI again shortly, it knows the pod's
                    // labels and the sandbox.
                    refining += 1
                    schedule(.refine(containerID: request.containerID))
                }
                return
            case .success(nil):
                logger.debug("\(client.source) does not know container \(request.containerID) (attempt \(attempt))")
                notFound.append(client.source)
                continue // not this runtime's container
            case .failure(let error):
                counters.withLock { $0.failedAttempts += 1 }
                let runtimeError = error as? RuntimeError
                lastError = (client.source, "\(error)")
                if runtimeError?.isTransient ?? true { transient = runtimeError ?? RuntimeError(.unreachable, source: client.source, detail: "\(error)") }
            }
        }
        // Cut short by the end of the recording: that is no answer from the runtimes, so no error.
        if stopping || Task.isCancelled {
            finished(request.containerID, success: false)
            return
        }
        // Gone before anyone could ask? What its runtime's event said is better than nothing.
        if let remembered = lastEvents[request.containerID],
           let metadata = await clients[remembered.client].metadata(fromEvent: remembered.event) {
            finished(request.containerID, success: true)
            counters.withLock { $0.enriched += 1 }
            sink(.enriched(metadata))
            return
        }
        let now = nowNanoseconds()
        let message = clients.isEmpty
            ? "no container runtime socket was found to ask (give one with --runtime-socket RUNTIME=PATH)"
            : lastError.map { "\($0.message)" } ?? "no runtime knows container \(request.containerID) (not found at: \(notFound.joined(separator: ", ")); attempt \(attempt))"
        sink(.failed(EnrichmentFailure(containerID: request.containerID, source: lastError?.source ?? "all", error: message, at: now)))
        if (transient != nil || lastError == nil) && attempt < configuration.maxAttempts && !Task.isCancelled && !clients.isEmpty {
            // Try again later: the runtime may be restarting, or slow to register the container.
            inFlight.remove(request.containerID)
            waiting[request.containerID] = (request, attempt, .now + delay(attempt))
            pendingCount = waiting.count
            counters.withLock { $0.inFlight = inFlight.count }
        } else {
            finished(request.containerID, success: false)
        }
    }

    /// A container answered for before it started has started: its runtime now names its pid,
    /// whose cgroup confirms it (`Pipeline.confirm`). Asked once more.
    func startedAfterAnswer(_ id: String, client: Int) {
        guard answeredBeforeStart[id] == client else { return }
        answeredBeforeStart[id] = nil
        done.remove(id)
        submit(containerID: id, runtimeGuess: clients[client].runtime)
    }

    private func finished(_ id: String, success: Bool) {
        inFlight.remove(id)
        if success {
            if done.count >= configuration.doneMemory { done.removeAll(keepingCapacity: true) }
            done.insert(id)
        }
        counters.withLock { $0.inFlight = inFlight.count }
    }

    private func delay(_ attempt: Int) -> Duration {
        let factor = 1 << min(attempt - 1, 10)
        return min(configuration.firstRetry * factor, configuration.maxRetryDelay)
    }

    private func matches(_ client: any RuntimeClient, _ guess: ContainerRuntime) -> Bool {
        guess != .unknown && client.runtime == guess
    }

    // MARK: Retries

    /// Hands work to `run()`. Once it has stopped taking work, what was counted for the item is
    /// undone, so `settle` never waits for work that will not run.
    private func schedule(_ item: Work) {
        guard case .terminated = workContinuation.yield(item) else { return }
        switch item {
        case .enrich(let request, _): finished(request.containerID, success: false)
        case .refine: refining -= 1
        }
    }

    /// Starts retries when due; polls every 50 ms at most (cheap: it only looks at a dictionary).
    private func retryLoop() async {
        while !Task.isCancelled && !stopping {
            let now = ContinuousClock.now
            let due = waiting.filter { $0.value.next <= now }
            for (id, entry) in due {
                waiting[id] = nil
                guard !inFlight.contains(id), !done.contains(id), !stopping else { continue }
                inFlight.insert(id)
                schedule(.enrich(entry.request, attempt: entry.attempts + 1))
            }
            pendingCount = waiting.count
            let next = waiting.values.map(\.next).min()
            let sleep = next.map { min(max(.milliseconds(5), $0 - .now), .milliseconds(50)) } ?? .milliseconds(50)
            try? await Task.sleep(for: sleep)
        }
    }

    /// Asks the CRI clients about `id` again after short delays, until one answers (see `enrich`).
    private func refineThroughCRI(_ id: String) async {
        defer { refining -= 1 }
        let limit = configuration.callTimeout
        for delay in [Duration.milliseconds(300), .seconds(1), .seconds(3)] {
            try? await Task.sleep(for: delay)
            if Task.isCancelled || stopping { return }
            for client in clients where client.api == .cri {
                let answer = try? await withDeadline(.now + limit, onTimeout: { RuntimeError(.timeout, source: client.source, detail: "no answer within \(limit)") }) {
                    try await client.inspect(containerID: id)
                }
                if let better = answer ?? nil {
                    sink(.enriched(better))
                    return
                }
            }
        }
    }

    private var refining = 0
}
