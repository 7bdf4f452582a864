import BerthCore

/// berth's tag templates (`{{prefix}}{{major}}.{{minor}}`, `{{date 'YYYYMMDD' tz='Asia/Tokyo'}}`), one per
/// line: classified (`TagMobility`), rendered by the Handlebars subset, and planned for a release, a
/// pre-release and a branch build with every line as that channel's templates.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let templates = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for template in templates {
        _ = TagMobility(template: template)
        _ = TemplateRenderer.isSingleExpression(template, named: "raw")
        _ = try? TemplateRenderer.render(template) { expression throws(TemplateError) -> String? in
            switch expression.name {
            case "date":
                try DateFormat.format(
                    seconds: 1_704_067_200.5, expression.arguments.first ?? "YYYYMMDD",
                    timeZone: expression.options["tz"] ?? "UTC")
            case "version": "1.2.3-rc.1"
            default: nil
            }
        }
    }
    let sha = "0123456789abcdef0123456789abcdef01234567"
    let existing = TagCatalog(
        tags: [GitTagRef(name: "v1.2.2", commit: sha), GitTagRef(name: "v1.3.0", commit: sha)], prefix: "v")
    let channels: [(ReleaseChannel, String, String)] = [
        (.release, "1.2.3+build.5", "main"), (.prerelease("rc"), "1.3.0-rc.2", "release/1.3"),
        (.branch("feature/x"), "1.2.4-feature-x.1", "feature/Ünïcode_x"),
    ]
    for (channel, versionText, branch) in channels {
        guard let version = SemanticVersion(versionText) else { continue }
        let decision = VersionDecision(
            version: version, tagName: "v\(version)", channel: channel, branch: branch, defaultBranch: "main",
            headCommit: sha, reason: .initial, base: nil, commits: [], skippedTags: [])
        let policy = TagPolicy(
            prefix: "v", templates: TagTemplates(release: templates, prerelease: templates, branch: templates),
            buildMetadata: .hyphen)
        _ = try? TagPlanner.plan(decision, policy: policy, existing: existing, images: ["api"], buildTime: 1_704_067_200)
    }
    return 0
}
