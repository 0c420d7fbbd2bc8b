import NIOCore

/// Splits a byte stream into lines (one JSON object each), whatever the read boundaries.
struct JSONLineSplitter {
    /// Longest line accepted: an event is a few hundred bytes.
    let maxLine: Int
    private var pending = ByteBuffer()

    init(maxLine: Int = 1 << 20) { self.maxLine = maxLine }

    /// The complete, non-blank lines `chunk` finishes (without the newline).
    mutating func append(_ chunk: ByteBuffer, source: String) throws -> [ByteBuffer] {
        var chunk = chunk
        pending.writeBuffer(&chunk)
        var lines: [ByteBuffer] = []
        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - pending.readerIndex
            guard var line = pending.readSlice(length: length) else { break }
            pending.moveReaderIndex(forwardBy: 1)
            if line.readableBytesView.last == UInt8(ascii: "\r") { line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1) ?? line }
            if line.readableBytesView.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) { lines.append(line) }
        }
        pending.discardReadBytes()
        if pending.readableBytes > maxLine {
            throw RuntimeError(.badResponse, source: source, detail: "event stream: more than \(maxLine) bytes without a newline")
        }
        return lines
    }
}

