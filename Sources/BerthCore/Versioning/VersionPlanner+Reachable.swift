extension VersionPlanner {
    /// The version raised, when needed, above every version tagged on HEAD's history (pre-releases
    /// included), then past versions a tag under another prefix already has.
    ///
    /// A final release channel continues the reachable pre-release line (`22.2.0-next.4` → `next.5`) unless
    /// the policy makes it a final channel (then `22.2.0`, the first final above it); a pre-release channel
    /// takes its identifier on the highest core that puts it above. Branch builds are never released and
    /// are left alone.
    static func raise(
        _ version: SemanticVersion, inputs: VersionInputs, channel: ReleaseChannel, policy: VersionPolicy
    ) -> (SemanticVersion, VersionAdjustment?) {
        if case .branch = channel { return (version, nil) }
        var next = version
        var kind: VersionAdjustment.Kind?
        var highest: ReleaseTag?
        if let top = inputs.highestReachable, SemanticVersion.precedence(version, top.version) <= 0 {
            highest = top
            switch channel {
            case .release where policy.prereleaseLine == .continue && top.version.isPrerelease:
                next = continuing(top.version, catalog: inputs.catalog)
                kind = .continuedPrereleaseLine
            case .release:
                next = top.version.isPrerelease ? top.version.core : top.version.core.bumped(.patch)
                kind = .finalAbovePrereleases
            case .prerelease(let preid):
                next = top.version.core.withPrerelease(preid, number: number(after: top.version.core, preid, inputs.catalog))
                if SemanticVersion.precedence(next, top.version) <= 0 {
                    let core = top.version.core.bumped(.patch)
                    next = core.withPrerelease(preid, number: number(after: core, preid, inputs.catalog))
                }
                kind = .raisedAboveHighest
            case .branch:
                break
            }
        }
        var skipped: [String] = []
        // Bounded: a run of taken versions this long is no accident worth walking past.
        while inputs.otherPrefixVersions.contains(next.withoutBuild.description), skipped.count < 1000 {
            skipped.append(next.description)
            next = next.isPrerelease ? (next.bumpedPrerelease(preid: nil) ?? next.bumped(.patch)) : next.bumped(.patch)
        }
        guard kind != nil || !skipped.isEmpty else { return (version, nil) }
        return (next, VersionAdjustment(kind: kind, bumped: version, highest: highest, skipped: skipped))
    }

    /// The next pre-release of `top`'s line: its identifiers with the last number after every tag of that
    /// line (`next.4` → `next.5`); a line without a number gets `.1` (`beta` → `beta.1`).
    static func continuing(_ top: SemanticVersion, catalog: TagCatalog) -> SemanticVersion {
        guard case .numeric = top.prerelease.last else {
            var next = top.withoutBuild
            next.prerelease.append(.numeric(DecimalNumber(1)))
            return next
        }
        let preid = top.prerelease.dropLast().map(\.description).joined(separator: ".")
        guard !preid.isEmpty else { return top.bumpedPrerelease(preid: nil) ?? top }
        return top.core.withPrerelease(preid, number: number(after: top.core, preid, catalog))
    }

    static func number(after core: SemanticVersion, _ preid: String, _ catalog: TagCatalog) -> DecimalNumber {
        catalog.highestPrereleaseNumber(of: core, preid: preid)?.incremented() ?? DecimalNumber(1)
    }
}
