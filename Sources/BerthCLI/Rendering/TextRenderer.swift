import BerthCore

/// The readable output for people: aligned `name  value` rows, colour on a TTY only.
struct TextRenderer {
    let color: Bool
    let verbose: Bool

    func bold(_ text: String) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    func green(_ text: String) -> String { color ? "\u{1B}[32m\(text)\u{1B}[0m" : text }
    func red(_ text: String) -> String { color ? "\u{1B}[31m\(text)\u{1B}[0m" : text }
    func dim(_ text: String) -> String { color ? "\u{1B}[2m\(text)\u{1B}[0m" : text }

    func rows(_ rows: [(String, String)]) -> String {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { name, value in
            let pad = String(repeating: " ", count: width - name.count + 2)
            let lines = value.split(separator: "\n", omittingEmptySubsequences: false)
            let indent = String(repeating: " ", count: width + 2)
            return bold(name) + pad + lines.joined(separator: "\n" + indent)
        }.joined(separator: "\n") + "\n"
    }

    func version(_ decision: VersionDecision) -> String {
        var result: [(String, String)] = [
            ("version", bold(decision.version.description) + "  " + dim("(\(decision.explanation))")),
            ("git tag", decision.tagName + (decision.isNewVersion ? " (new)" : " (exists)")),
            ("channel", "\(decision.channel.name) (branch \(decision.branch), default \(decision.defaultBranch))"),
            ("commit", decision.headCommit),
        ]
        if let base = decision.base { result.append(("base", "\(base.name) at \(base.commit.prefix(12))")) }
        if !decision.commits.isEmpty {
            let shown = verbose ? decision.commits : Array(decision.commits.prefix(20))
            var lines = shown.map { commit in
                let bump = commit.bump.map { "[\($0.rawValue)] " } ?? "[none]  "
                // -v says which rule decided each commit (`build(deps) → patch`).
                return "\(bump)\(commit.sha.prefix(7)) \(commit.subject)" + (verbose ? "  " + dim("(\(commit.explanation))") : "")
            }
            if shown.count < decision.commits.count {
                lines.append("… \(decision.commits.count - shown.count) more (-v lists all)")
            }
            result.append(("commits", lines.joined(separator: "\n")))
        }
        if verbose && !decision.skippedTags.isEmpty {
            result.append(("skipped", decision.skippedTags.map { "\($0) (not SemVer)" }.joined(separator: "\n")))
        }
        return rows(result)
    }

    func tags(_ plan: TagPlan) -> [(String, String)] {
        var result: [(String, String)] = [("tags", plan.tags.map(\.tag.value).joined(separator: "\n"))]
        if plan.tags.isEmpty { result = [("tags", dim("(none)"))] }
        if !plan.images.isEmpty { result.append(("images", plan.images.joined(separator: "\n"))) }
        if verbose && !plan.omitted.isEmpty { result.append(("omitted", plan.omitted.joined(separator: "\n"))) }
        return result
    }

    func metadata(_ metadata: BuildMetadata) -> [(String, String)] {
        [
            ("labels", metadata.labels.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")),
            ("build args", metadata.buildArgs.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")),
            ("ldflags", metadata.ldflags),
        ]
    }

    func checks(_ findings: [CheckFinding]) -> [(String, String)] {
        guard !findings.isEmpty else { return [] }
        return [
            (
                "checks",
                findings.map { finding in
                    (finding.status == .pass ? green("ok  ") : red("FAIL")) + " " + finding.message
                }.joined(separator: "\n")
            )
        ]
    }

    func plan(_ plan: ReleasePlan) -> String {
        version(plan.decision) + "\n"
            + rows(tags(plan.tags) + metadata(plan.metadata) + annotations(plan.metadataAction) + checks(plan.findings))
    }

    /// docker/metadata-action's annotations, with its rules.
    func annotations(_ outputs: MetadataActionOutputs?) -> [(String, String)] {
        outputs.map { [("annotations", $0.annotations.joined(separator: "\n"))] } ?? []
    }
}
