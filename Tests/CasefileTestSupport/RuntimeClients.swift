import AsyncHTTPClient
import CasefileEnrich
import CasefileModel
import Foundation
import Testing

// Helpers for the runtime client tests, unit and integration alike.

/// A client on its own HTTP client (the recommended configuration), shut down afterwards.
package func withEngineClient(runtime: ContainerRuntime = .docker, socket: String, timeout: Duration = .seconds(5),
                              _ body: (DockerEngineClient) async throws -> Void) async throws {
    try await withHTTPClient { http in
        try await body(DockerEngineClient(runtime: runtime, socketPath: socket, http: http, timeout: timeout))
    }
}

/// Runs `body` with a runtime HTTP client and shuts it down after, whatever `body` did.
func withHTTPClient(_ body: (HTTPClient) async throws -> Void) async throws {
    let http = RuntimeConnections.makeHTTPClient()
    do {
        try await body(http)
    } catch {
        try? await http.shutdown()
        throw error
    }
    try await http.shutdown()
}

package func caught(_ body: () async throws -> Void) async -> (any Error)? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}

package func isHTTP(_ error: (any Error)?, _ code: Int) -> Bool {
    guard let e = error as? RuntimeError, case .http(let c) = e.kind else { return false }
    return c == code
}

package func kindName(_ kind: RuntimeError.Kind) -> String {
    switch kind {
    case .unreachable: "unreachable"
    case .timeout: "timeout"
    case .badResponse: "badResponse"
    case .http(let code): "http(\(code))"
    case .rpc(let code): "rpc(\(code))"
    }
}

package func expectKind(_ error: (any Error)?, _ kind: String, _ note: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else {
        Issue.record("expected RuntimeError \(kind), got no error \(note)", sourceLocation: sourceLocation)
        return
    }
    guard let runtimeError = error as? RuntimeError else {
        Issue.record("expected RuntimeError \(kind), got \(type(of: error)): \(error) \(note)", sourceLocation: sourceLocation)
        return
    }
    #expect(kindName(runtimeError.kind) == kind, "\(runtimeError) \(note)", sourceLocation: sourceLocation)
}

/// A CRI-O inspect client on its own HTTP client, shut down afterwards.
package func withCRIOClient(socket: String, timeout: Duration = .seconds(5), _ body: (CRIOInspectClient) async throws -> Void) async throws {
    try await withHTTPClient { http in
        try await body(CRIOInspectClient(socketPath: socket, http: http, timeout: timeout))
    }
}
