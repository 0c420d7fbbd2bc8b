import Foundation

package func shortID() -> String { String(UUID().uuidString.prefix(8)).lowercased() }

/// A directory with a short path (unix socket paths are limited to 107 bytes).
package func shortTemporaryDirectory() throws -> String {
    let path = "/tmp/cf-\(shortID())"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

package func lastLine(_ output: String) -> String {
    output.split(whereSeparator: \.isNewline).last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
}

/// `sh` for commands that leave a long-lived child behind (`podman run -d` leaves conmon running):
/// Foundation's Process learns that its child ended through a socket the child inherits (seen as fd 12),
/// so `waitUntilExit` would wait for conmon, i.e. for the container to exit. The command runs in bash
/// with every descriptor above 2 closed, its output going to a file.
package func shDetached(_ command: String, output: String) throws -> (status: Int32, output: String) {
    let script = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ] 2>/dev/null; then eval "exec $n>&-" 2>/dev/null; fi; done; eval "$CASEFILE_COMMAND""#
    guard FileManager.default.createFile(atPath: output, contents: nil) else { throw POSIXError(.EIO) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    defer { try? handle.close() }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = ["-c", script]
    var env = ProcessInfo.processInfo.environment
    env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin:" + (env["PATH"] ?? "")
    env["CASEFILE_COMMAND"] = command
    p.environment = env
    p.standardOutput = handle
    p.standardError = handle
    try p.run()
    p.waitUntilExit()
    return (p.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
}

/// A unix socket file bound but never listened on: connecting to it is refused.
package func makeDeadSocket(at path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
    }
    let status = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
}
