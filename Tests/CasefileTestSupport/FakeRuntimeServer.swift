import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

// MARK: - Fake runtime servers on unix sockets

package struct FakeAnswer: Sendable {
    package var status: HTTPResponseStatus
    package var body: String
    package var contentType: String

    package init(status: HTTPResponseStatus = .ok, body: String, contentType: String = "application/json") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }
}

package enum FakeBehavior: Sendable {
    /// Accepts, reads, never answers.
    case silent
    /// Answers these bytes to the first read, then closes or keeps the connection.
    case raw(String, close: Bool)
    /// An HTTP/1.1 server (NIOHTTP1's server pipeline) answering each request by its URI.
    case http(@Sendable (String) -> FakeAnswer)
}

package struct FakeRuntimeServer {
    package let directory: String
    package let path: String
    let channel: any Channel

    package static func start(_ behavior: FakeBehavior) async throws -> FakeRuntimeServer {
        let directory = try shortTemporaryDirectory()
        let path = directory + "/fake.sock"
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    switch behavior {
                    case .silent:
                        break
                    case .raw(let text, let close):
                        try channel.pipeline.syncOperations.addHandler(RawReply(reply: Array(text.utf8), close: close))
                    case .http(let route):
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(HTTPReply(route: route))
                    }
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .get()
        return FakeRuntimeServer(directory: directory, path: path, channel: channel)
    }

    package func stop() async {
        try? await channel.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

final class RawReply: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let reply: [UInt8]
    let close: Bool
    var answered = false

    init(reply: [UInt8], close: Bool) {
        self.reply = reply
        self.close = close
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: reply)), promise: nil)
        if close { context.close(promise: nil) }
    }
}

final class HTTPReply: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let route: @Sendable (String) -> FakeAnswer
    var uri = ""
    var hasHost = false

    init(route: @escaping @Sendable (String) -> FakeAnswer) { self.route = route }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            uri = head.uri
            hasHost = !head.headers["Host"].isEmpty
        case .body:
            break
        case .end:
            // Like Go's net/http, which every real runtime uses: HTTP/1.1 without Host is a 400.
            let answer = hasHost ? route(uri) : FakeAnswer(status: .badRequest, body: "400 Bad Request: missing required Host header", contentType: "text/plain; charset=utf-8")
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: answer.contentType)
            headers.add(name: "Content-Length", value: "\(answer.body.utf8.count)")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: answer.status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: answer.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
