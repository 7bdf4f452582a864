import BerthCore

/// docker/metadata-action's inputs as berth reads them: `tags:` lines (`type=semver,pattern={{version}}`),
/// then, after a line `--`, `flavor:` lines (`latest=auto`, `prefix=v,onlatest=true`), then, after a
/// second `--`, the git ref (at most 24 bytes). The tagger runs them for a tag push, a branch push, a
/// pull request and a schedule, which renders their templates, matches their patterns and sanitises the tags.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let sections = text.split(separator: "\n--\n", maxSplits: 2, omittingEmptySubsequences: false)
    let lines = { (index: Int) -> [String] in
        index < sections.count ? sections[index].split(separator: "\n").map(String.init) : []
    }
    var rules: [MetadataTagRule] = []
    for line in lines(0) {
        guard let rule = try? MetadataTagRule(parsing: line) else { continue }
        // A `match` regex runs on the tag or `value`, both the workflow's own: a catastrophic pattern
        // (`(a+)+$` on 30 characters) hangs here as it does in the action, and is not what this looks for.
        // So regexes only see short subjects: `value`s of at most 12 characters, without templates.
        let regex = rule.kind == .match || !(rule.attributes["match"] ?? "").isEmpty
        if regex, let value = rule.attributes["value"], value.utf8.count > 12 || value.contains("{{") { continue }
        rules.append(rule)
    }
    let flavor = (try? MetadataFlavor(parsing: lines(1))) ?? MetadataFlavor()
    var payload = GitHubEventPayload()
    payload.baseRef = "main"
    payload.pushBaseRef = "refs/heads/main"
    let sha = "0123456789abcdef0123456789abcdef01234567"
    var contexts = [
        ("push", "refs/tags/v1.2.3"), ("push", "refs/heads/main"), ("pull_request", "refs/pull/12/merge"),
        ("schedule", "refs/heads/main"),
    ]
    if let ref = lines(2).first, ref.utf8.count <= 24 { contexts.append(("push", ref)) }
    for (event, ref) in contexts {
        let context = MetadataActionContext(
            eventName: event, ref: ref, sha: sha, defaultBranch: "main", now: 1_704_067_200, commitTime: 1_704_000_000,
            payload: payload)
        let tagger = MetadataActionTagger(rules: rules, flavor: flavor, context: context)
        _ = try? tagger.tags(images: ["ghcr.io/acme/api"])
    }
    return 0
}
