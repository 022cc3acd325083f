import Foundation
import PackagePlugin

/// Embeds `templates/*.toml` (the built-in channel definitions) into the Feeds module at build time,
/// so every command finds them from any folder; for the Server module, `openapi/*.json` (the API's
/// OpenAPI document) the same way.
@main
struct EmbedTemplates: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        // The server: `openapi/*.json`; the dashboard: its templates, stylesheet and script in `dashboard/`.
        let embedded: (folder: String, extensions: Set<String>)? =
            switch target.name {
            case "Server": ("openapi", ["json"])
            case "Dashboard": ("dashboard", ["mustache", "css", "js"])
            default: nil
            }
        if let embedded {
            let folder = context.package.directoryURL.appending(path: embedded.folder)
            let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            let inputs = files.filter { embedded.extensions.contains($0.pathExtension) }.sorted { $0.lastPathComponent < $1.lastPathComponent }
            let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFiles.swift")
            return [
                .buildCommand(
                    displayName: "Embedding \(inputs.count) \(embedded.folder) files",
                    executable: try context.tool(named: "embed-templates").url,
                    arguments: [output.path, "--files"] + inputs.map(\.path),
                    inputFiles: inputs, outputFiles: [output])
            ]
        }
        let templates = context.package.directoryURL.appending(path: "templates")
        let files = (try? FileManager.default.contentsOfDirectory(at: templates, includingPropertiesForKeys: nil)) ?? []
        let inputs = files.filter { $0.pathExtension == "toml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedTemplates.swift")
        // The commit the build is made from (for `unifeed --version`): the files git keeps it in are
        // inputs, so a new commit rebuilds the generated file.
        let git = context.package.directoryURL.appending(path: ".git")
        var gitInputs: [URL] = []
        let head = git.appending(path: "HEAD")
        if let text = try? String(contentsOf: head, encoding: .utf8) {
            gitInputs.append(head)
            let ref = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if ref.hasPrefix("ref: ") {
                let refFile = git.appending(path: String(ref.dropFirst(5)))
                if FileManager.default.fileExists(atPath: refFile.path) { gitInputs.append(refFile) }
            }
            let packed = git.appending(path: "packed-refs")
            if FileManager.default.fileExists(atPath: packed.path) { gitInputs.append(packed) }
        }
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) channel templates",
                executable: try context.tool(named: "embed-templates").url,
                arguments: [output.path, "--git", git.path] + inputs.map(\.path),
                inputFiles: inputs + gitInputs,
                outputFiles: [output])
        ]
    }
}
