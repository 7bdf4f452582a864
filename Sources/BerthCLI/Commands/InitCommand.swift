import ArgumentParser
import BerthConfig
import BerthCore
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented berth.yaml and CI files that call berth; --template gin scaffolds a Gin service's build.",
        discussion:
            "Writes berth.yaml, .github/workflows/release.yml and .gitlab-ci.yml. With --template gin, in a Go module: "
            + "also a Dockerfile, .dockerignore and internal/version (Version, Commit, BuildDate for -ldflags -X, and a "
            + "Gin /version handler), with CI that runs berth build. With --from semantic-release (package.json#release, "
            + ".releaserc, .releaserc.json, .releaserc.yaml|yml) or --from commitizen ([tool.commitizen] in pyproject.toml "
            + "or .cz.toml), berth.yaml carries that tool's tag format, branches and release rules over, and each setting "
            + "that could not be is named on stderr. Nothing is written if any file exists, unless --force.")

    enum Tool: String, ExpressibleByArgument, CaseIterable {
        case semanticRelease = "semantic-release"
        case commitizen
    }

    enum Template: String, ExpressibleByArgument, CaseIterable {
        case gin
    }

    @Option(name: .customShort("C"), help: ArgumentHelp("Write into DIR.", valueName: "DIR"))
    var directory: String?

    @Flag(help: "Overwrite existing files.")
    var force = false

    @Flag(name: .customLong("no-ci"), help: "Write no CI files.")
    var noCI = false

    @Option(help: ArgumentHelp("Scaffold for a kind of project: gin (a Go module with Gin).", valueName: "NAME"))
    var template: Template?

    @Option(
        help: ArgumentHelp(
            "Convert the release rules of semantic-release or commitizen found in the directory.", valueName: "TOOL"))
    var from: Tool?

    func run() throws {
        let root = directory ?? FileManager.default.currentDirectoryPath
        var files = try self.files(root: root)
        var notCarried: [String] = []
        if let from {
            guard template == nil else {
                throw BerthError(.usage, "--from and --template can't be combined: run berth init --from \(from.rawValue) alone")
            }
            let rules = try importedRules(from, root: root)
            files[0] = ("berth.yaml", ImportedConfigTemplate.berthYAML(rules, tool: from.rawValue))
            notCarried = rules.notCarried
        }
        let existing = files.map(\.0).filter { FileManager.default.fileExists(atPath: "\(root)/\($0)") }
        if !force && !existing.isEmpty {
            throw BerthError(
                .conflict,
                "\(existing.map { "'\($0)'" }.joined(separator: ", ")) already exist\(existing.count == 1 ? "s" : ""); nothing was written: pass --force to overwrite"
            )
        }
        for (path, content) in files {
            let url = URL(fileURLWithPath: "\(root)/\(path)")
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(content.utf8).write(to: url, options: .atomic)
            } catch {
                throw BerthError(.failure, "can't write '\(url.path)': \(error.localizedDescription); check permissions")
            }
            Terminal.write("wrote \(path)\n")
        }
        for line in notCarried { Terminal.writeError("berth: not carried over: \(line)\n") }
    }

    /// The version rules of `tool`'s configuration in `root`.
    func importedRules(_ tool: Tool, root: String) throws -> ImportedReleaseRules {
        switch tool {
        case .semanticRelease:
            let found = try ReleaseToolConfig.semanticRelease(in: root)
            return SemanticReleaseImport.convert(found.options, source: found.file)
        case .commitizen:
            let found = try ReleaseToolConfig.commitizen(in: root)
            return CommitizenImport.convert(found.settings, source: found.file)
        }
    }

    /// The files to write: the plain set, or the Gin template filled from go.mod.
    func files(root: String) throws -> [(String, String)] {
        guard template == .gin else {
            var files: [(String, String)] = [("berth.yaml", InitTemplates.berthYAML)]
            if !noCI {
                files += [
                    (".github/workflows/release.yml", InitTemplates.githubWorkflow), (".gitlab-ci.yml", InitTemplates.gitlabCI),
                ]
            }
            return files
        }
        guard let data = FileManager.default.contents(atPath: "\(root)/go.mod") else {
            throw BerthError(.usage, "no go.mod in '\(root)': --template gin needs a Go module; run go mod init MODULE first")
        }
        let goMod = String(decoding: data, as: UTF8.self)
        var module: String?
        for line in goMod.split(separator: "\n") {
            let words = line.split(whereSeparator: \.isWhitespace)
            if words.count >= 2 && words[0] == "module" { module = String(words[1]) }
        }
        guard let module else {
            throw BerthError(.badInput, "'\(root)/go.mod' has no module line: fix it (go mod init MODULE)")
        }
        let values = GinTemplates.Values(module: module, binary: BuildSettings().binaryName(goMod: goMod))
        let templates: [(String, String)] = [
            ("berth.yaml", GinTemplates.berthYAML), ("Dockerfile", GinTemplates.dockerfile),
            (".dockerignore", GinTemplates.dockerignore),
            ("internal/version/version.go", GinTemplates.versionPackage),
        ]
        var files = templates.map { (path: String, text: String) in (path, values.render(text)) }
        if !noCI {
            files += [(".github/workflows/release.yml", GinTemplates.githubWorkflow), (".gitlab-ci.yml", GinTemplates.gitlabCI)]
        }
        return files
    }
}
