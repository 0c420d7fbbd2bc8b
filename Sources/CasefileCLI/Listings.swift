import ArgumentParser
import CasefileModel
import CasefileStore
import Foundation

struct Containers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Containers the case file knows: name, runtime, image, pod, created/removed, lifetime, whether its runtime answered.",
        discussion: """
            Read-only. With a time window: the containers alive in it.

            Examples:
              casefile containers --db case.db
              casefile containers --db case.db --namespace shop --format csv > shop-containers.csv
              casefile containers --db case.db --image sha256:4f2a --since 1h
            """
    )
    @OptionGroup var database: DatabaseOption
    @OptionGroup var workload: WorkloadOptions
    @OptionGroup var time: TimeOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try Investigate.listing(database, workload, time, output) { investigation, selection, sink in
            try investigation.containers(selection, into: &sink)
        }
    }
}

struct Pods: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Kubernetes pods the case file knows: namespace, name, uid, containers, first and last seen.",
        discussion: """
            Examples:
              casefile pods --db case.db
              casefile pods --db case.db --namespace kube-system --format jsonl
            """
    )
    @OptionGroup var database: DatabaseOption
    @OptionGroup var workload: WorkloadOptions
    @OptionGroup var time: TimeOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try Investigate.listing(database, workload, time, output) { investigation, selection, sink in
            try investigation.pods(selection, into: &sink)
        }
    }
}

struct Cgroups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "cgroups seen while recording: path, the container they belong to, created/removed.",
        discussion: """
            A cgroup whose path claims a container id it is not the container's cgroup for shows as \
            'unconfirmed claim <id>'.

            Examples:
              casefile cgroups --db case.db
              casefile cgroups --db case.db --container web
            """
    )
    @OptionGroup var database: DatabaseOption
    @OptionGroup var workload: WorkloadOptions
    @OptionGroup var time: TimeOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try Investigate.listing(database, workload, time, output) { investigation, selection, sink in
            try investigation.cgroups(selection, into: &sink)
        }
    }
}

struct Ps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps",
        abstract: "Process instances (a reused PID is another row): PID, parent, start, exit, user, container, command.",
        discussion: """
            With a time window: the processes that ran in it.

            Examples:
              casefile ps --db case.db --container web
              casefile ps --db case.db --pid 4242 --descendants
              casefile ps --db case.db --around 2026-11-30T09:43Z --window 1m --format csv
            """
    )
    @OptionGroup var database: DatabaseOption
    @OptionGroup var workload: WorkloadOptions
    @OptionGroup var time: TimeOptions

    @Option(help: "Only processes that had this PID.")
    var pid: Int64?

    @Flag(help: "With --pid: their descendants too.")
    var descendants = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if descendants && pid == nil { throw ValidationError("--descendants goes with --pid PID") }
    }

    func run() async throws {
        try Investigate.listing(database, workload, time, output, configure: { $0.pid = pid; $0.descendants = descendants }) {
            investigation, selection, sink in try investigation.processes(selection, into: &sink)
        }
    }
}

struct Tree: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Process trees by parent links: a PID's ancestry and descendants, or every process tree of a container.",
        discussion: """
            --pid shows every process instance that had the PID (PIDs are reused), each with its \
            ancestors above it. A container shows each of its processes whose parent is outside \
            it (its entry point; docker exec, nsenter) with everything below it.

            Examples:
              casefile tree --db case.db --pid 4242
              casefile tree --db case.db --container web
            """
    )
    @OptionGroup var database: DatabaseOption
    @OptionGroup var workload: WorkloadOptions

    @Option(help: "The process whose tree to show.")
    var pid: Int64?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if pid == nil && workload.container.isEmpty && workload.pod.isEmpty && workload.namespace.isEmpty && workload.image.isEmpty {
            throw ValidationError("give --pid PID or --container ID (also --pod, --namespace, --image); `casefile ps` lists every process")
        }
    }

    func run() async throws {
        try Investigate.listing(database, workload, nil, output, configure: { $0.pid = pid }) { investigation, selection, sink in
            try investigation.tree(selection, into: &sink)
        }
    }
}
