import ArgumentParser
import BerthCore
import Foundation

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check a Dockerfile: base images pinned by digest, .dockerignore, non-root USER, metadata build args.",
        discussion: "Each finding names its line and a fix. Exit 0 when clean, 1 with findings.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The Dockerfile (default: Dockerfile or Containerfile here).") var path: String?

    struct Finding: Encodable {
        let rule: String
        let line: Int?
        let message: String
        let fix: String
    }

    func run() throws {
        let location = try DockerfileLocation(path)
        let findings = DockerfileLinter.lint(
            try location.parse(), hasDockerignore: FileManager.default.fileExists(atPath: "\(location.directory)/.dockerignore"))
        let name = URL(fileURLWithPath: location.path).lastPathComponent
        if global.json {
            Terminal.write(
                try JSONOutput.encode(findings.map { Finding(rule: $0.rule, line: $0.line, message: $0.message, fix: $0.fix) })
                    + "\n")
        } else {
            for finding in findings {
                let place = finding.line.map { "\(name):\($0)" } ?? name
                Terminal.write("\(place): \(finding.rule): \(finding.message)\n  fix: \(finding.fix)\n")
            }
            if findings.isEmpty && !global.quiet { Terminal.write("\(name): no findings\n") }
        }
        if !findings.isEmpty { throw ExitCode(ExitCodes.failure) }
    }
}
