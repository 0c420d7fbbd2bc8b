import GRDB

/// The time summary of events (`event_chunks`, `event_chunk_cgroups`, schema 0008): every run
/// of at most `chunkSize` consecutive events of one transaction gets its id range, its time range
/// and the cgroups in it, written in the same transaction as the events. Readers find events by
/// time and by container through it instead of an index per event.
extension SessionWriter {
    /// Events per chunk: a time or container query reads whole chunks, so smaller chunks read
    /// less around what they look for; each chunk costs one row (~20 bytes) plus one per cgroup.
    static let chunkSize = 1024

    struct Chunk {
        var first: Int64 = 0
        var last: Int64 = 0
        var minTS: Int64 = .max
        var maxTS: Int64 = .min
        var count = 0
        var cgroups: Set<Int64> = []
    }

    /// Adds a stored event to the chunk in progress; writes the chunk when it is full.
    func noteChunk(event id: Int64, ts: Int64, cgroup: Int64?, _ s: WriterStatements) throws {
        if chunk.count == 0 { chunk.first = id }
        chunk.last = id
        chunk.minTS = min(chunk.minTS, ts)
        chunk.maxTS = max(chunk.maxTS, ts)
        chunk.count += 1
        if let cgroup { chunk.cgroups.insert(cgroup) }
        if chunk.count >= Self.chunkSize { try flushChunk(s) }
    }

    /// Writes the chunk in progress (at the end of every transaction: chunks never span two).
    func flushChunk(_ s: WriterStatements) throws {
        guard chunk.count > 0 else { return }
        let c = s.eventChunk
        c.bind(.first, chunk.first)
        c.bind(.last, chunk.last)
        c.bind(.minTS, chunk.minTS)
        c.bind(.maxTS, chunk.maxTS)
        try c.run()
        let g = s.eventChunkCgroup
        for cgroup in chunk.cgroups.sorted() {
            g.bind(.cgroup, cgroup)
            g.bind(.first, chunk.first)
            try g.run()
        }
        chunk = Chunk()
    }
}
