import BerthOCI

/// One problem `berth lint` found: where, what, and how to fix it.
public struct LintFinding: Sendable, Equatable {
    public let rule: String
    public let line: Int?
    public let message: String
    public let fix: String
}

/// Checks a Dockerfile for what makes images unreproducible or unsafe: base images not pinned by digest
/// (or on `latest`), no .dockerignore, no non-root USER in the final stage, and metadata build args
/// berth passes (BUILD_DATE, VCS_REF, VERSION) that the Dockerfile doesn't declare. Heredoc bodies are
/// the text of their instruction, never instructions: a `USER root` or `FROM` inside one changes nothing.
public enum DockerfileLinter {
    public static let metadataArgs = ["BUILD_DATE", "VCS_REF", "VERSION"]

    public static func lint(_ dockerfile: Dockerfile, hasDockerignore: Bool) -> [LintFinding] {
        var findings: [LintFinding] = []
        let stages = dockerfile.stages
        var stageNames = Set<String>()
        for stage in stages {
            defer { if let name = stage.name { stageNames.insert(name.lowercased()) } }
            if stageNames.contains(stage.image.lowercased()) || stage.image == "scratch" { continue }
            if stage.image.contains("$") {
                findings.append(
                    LintFinding(
                        rule: "unpinned-from", line: stage.line,
                        message: "FROM \(stage.image) uses a variable, so its digest can't be checked",
                        fix: "name the base image literally with @sha256:… (berth pin), or pin the ARG's default to a digest"))
                continue
            }
            let reference = try? ImageReference(parsing: stage.image)
            if reference?.digest != nil { continue }
            let tag = reference?.tag
            findings.append(
                LintFinding(
                    rule: "unpinned-from", line: stage.line,
                    message: tag == nil || tag == "latest"
                        ? "FROM \(stage.image) follows 'latest', which changes under you"
                        : "FROM \(stage.image) is not pinned by digest",
                    fix: "run berth pin to rewrite it as \(stage.image)\(tag == nil ? ":<tag>" : "")@sha256:…"))
        }
        if !hasDockerignore {
            findings.append(
                LintFinding(
                    rule: "dockerignore", line: nil,
                    message: "there is no .dockerignore, so .git, build output and secrets go into the build context",
                    fix: "add a .dockerignore (berth init --template gin writes one) listing .git, .build, *.env and the like"))
        }
        let finalInstructions = stages.last.map { Array(dockerfile.instructions[$0.index...]) } ?? dockerfile.instructions
        let user = finalInstructions.last { $0.keyword == "USER" }
        let userName = user?.arguments.split(separator: ":").first.map(String.init)
        if user == nil || userName == "root" || userName == "0" {
            findings.append(
                LintFinding(
                    rule: "non-root-user", line: user?.line ?? stages.last?.line,
                    message: user == nil
                        ? "the final stage runs as root (no USER)"
                        : "the final stage sets USER \(user!.arguments), which is root",
                    fix: "add USER 65532:65532 (or a named non-root user) after the last COPY"))
        }
        let declared = Set(
            finalInstructions.filter { $0.keyword == "ARG" }.compactMap { instruction in
                instruction.arguments.split(separator: "=").first.map { String($0).trimmingCharacters() }
            })
        for arg in metadataArgs where !declared.contains(arg) {
            // A heredoc body is the instruction's too: `RUN <<EOF` … `echo $VERSION` uses VERSION.
            let used = finalInstructions.first { instruction in
                instruction.keyword != "ARG"
                    && ([instruction.arguments] + instruction.heredocs.flatMap(\.body)).contains {
                        $0.contains("$\(arg)") || $0.contains("${\(arg)")
                    }
            }
            findings.append(
                LintFinding(
                    rule: "metadata-args", line: used?.line ?? stages.last?.line,
                    message: used == nil
                        ? "the final stage doesn't declare ARG \(arg), so berth's --build-arg \(arg) is ignored"
                        : "\(arg) is used but not declared with ARG in the final stage, so it expands to nothing",
                    fix: "add ARG \(arg) in the final stage and use it in LABEL org.opencontainers.image.* lines"))
        }
        return findings
    }
}
