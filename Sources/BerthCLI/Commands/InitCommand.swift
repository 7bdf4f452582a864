import ArgumentParser
import BerthCore
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented berth.yaml and CI files that call berth.",
        discussion:
            "Writes berth.yaml, .github/workflows/release.yml and .gitlab-ci.yml; an existing file is kept unless --force.")

    @Option(name: .customShort("C"), help: ArgumentHelp("Write into DIR.", valueName: "DIR"))
    var directory: String?

    @Flag(help: "Overwrite existing files.")
    var force = false

    @Flag(name: .customLong("no-ci"), help: "Write berth.yaml only.")
    var noCI = false

    func run() throws {
        let root = directory ?? FileManager.default.currentDirectoryPath
        var files: [(String, String)] = [("berth.yaml", InitTemplates.berthYAML)]
        if !noCI {
            files += [
                (".github/workflows/release.yml", InitTemplates.githubWorkflow), (".gitlab-ci.yml", InitTemplates.gitlabCI),
            ]
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
    }
}
