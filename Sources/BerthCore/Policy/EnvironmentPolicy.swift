import Foundation

/// A deployment environment and the naming rule its tags must follow.
public struct EnvironmentPolicy: Hashable, Sendable {
    public var name: String
    /// A regular expression every planned tag must match (anchor it yourself: `^v\d+\.\d+\.\d+$`).
    public var pattern: String?
    /// Only final SemVer releases from the release channel may go here (prod).
    public var requireFinal: Bool
    /// The tags a promotion here puts on the digest: `{{prefix}}`, `{{version}}`, `{{environment}}`,
    /// `{{major}}`, `{{minor}}`. Default: `v1.2.0-dev` style, and `v1.2.0` + `latest` where final releases go.
    public var tags: [String]
    /// berth.yaml `verify.keys`: public keys (PEM files, relative to the project) of which at least one
    /// must have signed the digest (and every manifest of an index) before `berth promote` moves it here.
    /// Empty: no signature required.
    public var verifyKeys: [String] = []
    /// berth.yaml `verify.require`, `verify.source_repository`, `verify.source_ref`: the attestations one
    /// of the trusted keys must have made about the digest (and its manifests) before `berth promote`
    /// moves it here, as `berth verify --require … --source-repository … --source-ref …` checks them.
    /// Empty: a signature is enough.
    public var verifyAttestations = AttestationPolicy()

    public init(name: String, pattern: String? = nil, requireFinal: Bool = false, tags: [String]? = nil) {
        self.name = name
        self.pattern = pattern
        self.requireFinal = requireFinal
        self.tags = tags ?? (requireFinal ? ["{{prefix}}{{version}}", "latest"] : ["{{prefix}}{{version}}-{{environment}}"])
    }

    /// dev → staging → prod, with prod requiring final releases.
    public static let defaults = [
        EnvironmentPolicy(name: "dev"), EnvironmentPolicy(name: "staging"),
        EnvironmentPolicy(name: "prod", requireFinal: true),
    ]
}

/// The outcome of one check in `berth check`.
public struct CheckFinding: Hashable, Sendable {
    public enum Status: String, Sendable { case pass, fail }

    /// Which check: `tag-grammar`, `naming`, `git-tag-local`, `git-tag-remote`.
    public let check: String
    public let status: Status
    public let message: String
    /// The failure kind deciding the exit code when it failed.
    public let kind: FailureKind

    public init(check: String, status: Status, message: String, kind: FailureKind = .conflict) {
        self.check = check
        self.status = status
        self.message = message
        self.kind = kind
    }
}

/// Checks a plan against an environment's naming rule and against tags that already exist.
public enum NamingPolicy {
    /// Findings of the naming rule of `environment` for `plan` and `decision`.
    public static func check(
        _ plan: TagPlan, decision: VersionDecision, environment: EnvironmentPolicy
    ) throws(BerthError) -> [CheckFinding] {
        var findings: [CheckFinding] = []
        if environment.requireFinal {
            if decision.version.isPrerelease || decision.channel != .release {
                findings.append(
                    CheckFinding(
                        check: "naming", status: .fail,
                        message:
                            "environment '\(environment.name)' takes final releases only, and '\(decision.version)' on branch '\(decision.branch)' (channel \(decision.channel.name)) is not one; release from \(decision.defaultBranch)",
                        kind: .badInput))
            } else {
                findings.append(CheckFinding(check: "naming", status: .pass, message: "'\(decision.version)' is a final release"))
            }
        }
        if let pattern = environment.pattern {
            let regex: NSRegularExpression
            do { regex = try NSRegularExpression(pattern: pattern) } catch {
                throw BerthError(
                    .usage,
                    "environment '\(environment.name)': pattern '\(pattern)' is not a valid regular expression; fix it in berth.yaml"
                )
            }
            for planned in plan.tags {
                let tag = planned.tag.value
                let matches = regex.firstMatch(in: tag, range: NSRange(tag.startIndex..., in: tag)) != nil
                findings.append(
                    CheckFinding(
                        check: "naming", status: matches ? .pass : .fail,
                        message: matches
                            ? "tag '\(tag)' matches \(pattern)"
                            : "tag '\(tag)' does not match environment '\(environment.name)' pattern \(pattern); change the tag template or the pattern",
                        kind: .badInput))
            }
        }
        return findings
    }

    /// A git tag that exists at another commit is a conflict; at HEAD it's an idempotent re-run.
    public static func checkGitTag(
        _ name: String, head: String, existing: [GitTagRef], whereLabel: String, check: String
    ) -> CheckFinding {
        guard let found = existing.first(where: { $0.name == name }) else {
            return CheckFinding(check: check, status: .pass, message: "git tag '\(name)' is free \(whereLabel)")
        }
        if found.commit == head {
            return CheckFinding(check: check, status: .pass, message: "git tag '\(name)' already points at HEAD \(whereLabel)")
        }
        return CheckFinding(
            check: check, status: .fail,
            message:
                "git tag '\(name)' already exists \(whereLabel) at commit \(found.commit), not HEAD \(head.prefix(12)); tags are immutable: add a fix/feat commit to bump the version, or delete the stray tag"
        )
    }
}
