import BerthCore
import BerthTestSupport
import Testing

@Suite("berth's tag templates")
struct TagPlannerTests {
    static let sha = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"

    /// A decision on `branch` after the existing `tags` (all on older commits) with `commits` since.
    func plan(
        branch: String = "main", tags: [String] = [], commits: [String] = ["feat: x"], headTag: String? = nil,
        policy: TagPolicy = TagPolicy(), images: [String] = []
    ) throws -> TagPlan {
        var history = InMemoryGitHistory(branch: branch)
        history.branches.insert("main")
        history.commit("chore: root")
        for tag in tags { history.tag(tag) }
        for message in commits { history.commit(message) }
        if let headTag { history.tag(headTag) }
        let decision = try VersionService(git: history).decide(VersionRequest(defaultBranch: "main"))
        // Fixed commit for stable sha- tags.
        let fixed = VersionDecision(
            version: decision.version, tagName: decision.tagName, channel: decision.channel, branch: decision.branch,
            defaultBranch: decision.defaultBranch, headCommit: Self.sha, reason: decision.reason, base: decision.base,
            commits: decision.commits, skippedTags: decision.skippedTags)
        let catalog = TagCatalog(tags: history.tagRefs, prefix: "v")
        return try TagPlanner.plan(fixed, policy: policy, existing: catalog, images: images, buildTime: 1_704_067_200)
    }

    @Test("a release gets v1.2.3, v1.2, v1, latest and sha-<7 hex>")
    func release() throws {
        #expect(try plan(tags: ["v1.1.0"]).tags.map(\.tag.value) == ["v1.2.0", "v1.2", "v1", "latest", "sha-4f1c2d3"])
    }

    @Test("floating tags move only when this release is the highest of its line")
    func floatingOnlyWhenHighest() throws {
        // Re-building v1.1.0 while v1.2.0 and v2.0.0 exist.
        var history = InMemoryGitHistory(branch: "main")
        history.commit("feat: a")
        history.tag("v1.1.0")
        let old = history.headSHA!
        history.commit("feat: b")
        history.tag("v1.2.0")
        history.commit("feat!: c")
        history.tag("v2.0.0")
        history.headSHA = old
        let decision = try VersionService(git: history).decide(VersionRequest(defaultBranch: "main"))
        let catalog = TagCatalog(tags: history.tagRefs, prefix: "v")
        let tags = try TagPlanner.plan(decision, policy: TagPolicy(), existing: catalog, images: [], buildTime: 0)
        // v1.1 is still the newest of the 1.1 line; v1 and latest stay where they are.
        #expect(tags.tags.map(\.tag.value) == ["v1.1.0", "v1.1", "sha-\(old.prefix(7))"])
        #expect(tags.omitted.count == 2)

        // A patch on the 1.2 line while 2.0.0 exists: v1.2 and v1 move, latest doesn't.
        var maintenance = InMemoryGitHistory(branch: "main")
        maintenance.commit("feat: a")
        maintenance.tag("v1.2.0")
        let base = maintenance.headSHA!
        maintenance.commit("feat!: b")
        maintenance.tag("v2.0.0")
        maintenance.commit("fix: on 1.2", parents: [base])
        let fixDecision = try VersionService(git: maintenance).decide(VersionRequest(defaultBranch: "main"))
        #expect(fixDecision.version.description == "1.2.1")
        let fixTags = try TagPlanner.plan(
            fixDecision, policy: TagPolicy(), existing: TagCatalog(tags: maintenance.tagRefs, prefix: "v"), images: [],
            buildTime: 0)
        #expect(fixTags.tags.map(\.tag.value).prefix(3) == ["v1.2.1", "v1.2", "v1"])
        #expect(!fixTags.tags.map(\.tag.value).contains("latest"))
    }

    @Test("0.x releases get no major-line tag")
    func zeroMajor() throws {
        #expect(try plan(tags: ["v0.3.0"]).tags.map(\.tag.value) == ["v0.4.0", "v0.4", "latest", "sha-4f1c2d3"])
    }

    @Test("the dev channel gets v1.2.3-dev.N and dev-YYYYMMDD")
    func dev() throws {
        #expect(
            try plan(branch: "develop", tags: ["v1.1.0"]).tags.map(\.tag.value) == [
                "v1.2.0-dev.1", "dev-20240101", "sha-4f1c2d3",
            ])
    }

    @Test("rc gets v1.2.3-rc.N and rc-v1.2.3")
    func rc() throws {
        #expect(
            try plan(branch: "release/1.2", tags: ["v1.1.0"]).tags.map(\.tag.value) == [
                "v1.2.0-rc.1", "rc-v1.2.0", "sha-4f1c2d3",
            ])
    }

    @Test("other branches get <sanitised-branch>-v1.2.3")
    func branch() throws {
        #expect(
            try plan(branch: "feature/login", tags: ["v0.9.0"], commits: ["fix: a"]).tags.first?.tag.value
                == "feature-login-v0.9.1")
        #expect(try plan(branch: "-Ünïcode//x", tags: ["v0.9.0"], commits: ["fix: a"]).tags.first?.tag.value == "n-code-x-v0.9.1")
    }

    @Test("the v on image tags is a setting")
    func noPrefix() throws {
        #expect(
            try plan(tags: ["v1.1.0"], policy: TagPolicy(prefix: "")).tags.map(\.tag.value).prefix(3) == ["1.2.0", "1.2", "1"])
    }

    @Test("no releasable commit: no version tags, only the commit's")
    func noRelease() throws {
        #expect(try plan(tags: ["v1.1.0"], commits: ["docs: x"]).tags.map(\.tag.value) == ["sha-4f1c2d3"])
    }

    @Test("build metadata is mapped to '-', dropped, or refused with a message")
    func buildMetadata() throws {
        let decision = VersionDecision(
            version: SemanticVersion("1.2.3+build.5")!, tagName: "v1.2.3+build.5", channel: .release, branch: "main",
            defaultBranch: "main", headCommit: Self.sha, reason: .initial, base: nil, commits: [], skippedTags: [])
        let empty = TagCatalog(tags: [], prefix: "v")
        let hyphen = try TagPlanner.plan(
            decision, policy: TagPolicy(buildMetadata: .hyphen), existing: empty, images: [], buildTime: 0)
        #expect(hyphen.tags.first?.tag.value == "v1.2.3-build.5")
        let drop = try TagPlanner.plan(
            decision, policy: TagPolicy(buildMetadata: .drop), existing: empty, images: [], buildTime: 0)
        #expect(drop.tags.first?.tag.value == "v1.2.3")
        #expect {
            try TagPlanner.plan(decision, policy: TagPolicy(buildMetadata: .refuse), existing: empty, images: [], buildTime: 0)
        } throws: { error in
            (error as? BerthError)?.message.contains("build metadata") == true
        }
    }

    @Test("a template that renders an invalid OCI tag is refused, naming the template")
    func invalidTag() throws {
        var policy = TagPolicy()
        policy.templates.release = ["{{prefix}}{{version}}", "release/{{version}}"]
        #expect {
            try plan(tags: ["v1.0.0"], policy: policy)
        } throws: { error in
            (error as? BerthError)?.message.contains("release/{{version}}") == true
        }
        policy.templates.release = ["{{nope}}"]
        #expect(throws: BerthError.self) { try plan(tags: ["v1.0.0"], policy: policy) }
    }

    @Test("images multiply the tags, images outermost")
    func references() throws {
        let plan = try plan(tags: ["v1.1.0"], images: ["ghcr.io/acme/api", "registry.local:5000/api"])
        #expect(plan.references.count == 10)
        #expect(plan.references.first == "ghcr.io/acme/api:v1.2.0")
        #expect(plan.references[5] == "registry.local:5000/api:v1.2.0")
    }
}
