import Foundation
import PackagePlugin

/// Build-tool plugin: turns files outside `Sources/` into Swift sources of the target that needs them.
///
/// - `CasefileProbe`: compiles `bpf/*.bpf.c` with the toolchain's clang (`-target bpf`, BTF for CO-RE)
///   and embeds the objects, so the `casefile` binary is self-contained.
/// - `CasefileStore`: embeds the migrations and views in `schema/*.sql` and the named
///   investigation queries in `queries/*.sql`.
@main
struct EmbedPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let root = context.package.directoryURL
        let embed = try context.tool(named: "casefile-embed").url
        let out = context.pluginWorkDirectoryURL
        switch target.name {
        case "CasefileProbe":
            let bpfDir = root.appending(path: "bpf")
            let files = try listing(bpfDir)
            let sources = files.filter { $0.lastPathComponent.hasSuffix(".bpf.c") }
            let headers = files.filter { $0.pathExtension == "h" }
            let clang = try context.tool(named: "clang").url
            let output = out.appending(path: "EmbeddedBPFObjects.swift")
            return [
                .buildCommand(
                    displayName: "Compiling BPF programs \(sources.map(\.lastPathComponent).joined(separator: ", "))",
                    executable: embed,
                    arguments: ["bpf", "--clang", clang.path, "--include", bpfDir.path,
                                "--scratch", out.path, "--output", output.path] + sources.map(\.path),
                    inputFiles: sources + headers,
                    outputFiles: [output]
                )
            ]
        case "CasefileStore":
            return try textCommand(embed: embed, dir: root.appending(path: "schema"), ext: "sql",
                                   name: "EmbeddedSchema", out: out)
                + textCommand(embed: embed, dir: root.appending(path: "queries"), ext: "sql",
                              name: "EmbeddedQueries", out: out)
        default:
            return []
        }
    }

    private func textCommand(embed: URL, dir: URL, ext: String, name: String, out: URL) throws -> [Command] {
        let files = try listing(dir).filter { $0.pathExtension == ext }
        let output = out.appending(path: "\(name).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) \(ext) files from \(dir.lastPathComponent)/ as \(name)",
                executable: embed,
                arguments: ["text", "--name", name, "--output", output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }

    private func listing(_ dir: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
