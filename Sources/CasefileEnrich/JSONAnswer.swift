import Foundation
import NIOCore

/// Decodes a runtime's JSON answer into one of our `Decodable` shapes (only the fields used; a
/// missing field or null is nil, a wrong type is an error). Shared by every HTTP client.
enum JSONAnswer {
    /// Throws `RuntimeError.badResponse` saying what was wrong where, and how the answer began.
    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer, source: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw RuntimeError(.badResponse, source: source, detail: "\(what): \(AnswerText.describe(error)); answer began \(AnswerText.preview(body))")
        } catch {
            throw RuntimeError(.badResponse, source: source, detail: "\(what): \(error); answer began \(AnswerText.preview(body))")
        }
    }
}

/// Answers in error messages.
enum AnswerText {
    /// A short, printable start of an answer, for error messages.
    static func preview(_ body: ByteBuffer, limit: Int = 120) -> String {
        guard body.readableBytes > 0 else { return "(empty)" }
        let text = String(decoding: body.readableBytesView.prefix(limit), as: UTF8.self)
            .map { $0.isNewline ? " " : String($0) }.joined()
        return "\"" + text + (body.readableBytes > limit ? "…" : "") + "\""
    }

    /// A DecodingError in one line: what was wrong where.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "top level" : p
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context)) is not \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)) has no \(type) value"
        case .keyNotFound(let key, let context):
            return "\(path(context)) lacks \(key.stringValue)"
        case .dataCorrupted(let context):
            return "not JSON at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
