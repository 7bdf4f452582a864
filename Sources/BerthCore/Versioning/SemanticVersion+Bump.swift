/// A SemVer increment.
public enum VersionBump: String, Sendable, CaseIterable, Comparable, Codable {
    case patch, minor, major

    public static func < (lhs: VersionBump, rhs: VersionBump) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

extension SemanticVersion {
    /// The next version after a `bump`, per SemVer 2.0.0 §6–§8, with pre-release semantics users know from
    /// npm's `semver inc`: a pre-release of a version bumps to that version when it is already at the
    /// bump's level (`1.3.0-rc.2` minor → `1.3.0`), otherwise the number is incremented and lower parts reset.
    /// Build metadata is dropped.
    public func bumped(_ bump: VersionBump) -> SemanticVersion {
        switch bump {
        case .major:
            if isPrerelease && minor == .zero && patch == .zero { return core }
            return SemanticVersion(major: major.incremented(), minor: .zero, patch: .zero)
        case .minor:
            if isPrerelease && patch == .zero { return core }
            return SemanticVersion(major: major, minor: minor.incremented(), patch: .zero)
        case .patch:
            if isPrerelease { return core }
            return SemanticVersion(major: major, minor: minor, patch: patch.incremented())
        }
    }

    /// The next pre-release with identifier `preid` (such as `rc`), numbered from 1.
    ///
    /// `1.2.3` → `1.2.4-rc.1`; `1.2.4-rc.1` → `1.2.4-rc.2`; `1.2.4-beta.3` → `1.2.4-rc.1`.
    /// Without `preid`, the last numeric identifier of an existing pre-release is incremented
    /// (`1.0.0-alpha` → `1.0.0-alpha.1`); a final version then has nothing to continue and returns nil.
    public func bumpedPrerelease(preid: String?) -> SemanticVersion? {
        var next = withoutBuild
        if let preid {
            let ids = SemanticVersion.prereleaseIdentifiers(preid)
            if isPrerelease, prerelease.count == ids.count + 1, Array(prerelease.prefix(ids.count)) == ids,
                case .numeric(let n) = prerelease.last!
            {
                next.prerelease = ids + [.numeric(n.incremented())]
                return next
            }
            if !isPrerelease { next = bumped(.patch) }
            next.prerelease = ids + [.numeric(1)]
            return next
        }
        guard isPrerelease else { return nil }
        if let index = prerelease.lastIndex(where: { if case .numeric = $0 { true } else { false } }),
            case .numeric(let n) = prerelease[index]
        {
            next.prerelease[index] = .numeric(n.incremented())
        } else {
            next.prerelease.append(.numeric(1))
        }
        return next
    }

    /// The pre-release `self-preid.1` when it's a final version to be released first as a pre-release
    /// (`bump minor --preid rc`: `1.2.3` → `1.3.0-rc.1`).
    public func withPrerelease(_ preid: String, number: DecimalNumber) -> SemanticVersion {
        SemanticVersion(
            major: major, minor: minor, patch: patch,
            prerelease: SemanticVersion.prereleaseIdentifiers(preid) + [.numeric(number)])
    }

    /// Splits a pre-release id such as `rc` or `beta.x` into identifiers, numbers as numeric ones.
    public static func prereleaseIdentifiers(_ text: String) -> [PrereleaseIdentifier] {
        text.split(separator: ".").map { part in
            if let number = DecimalNumber(part) { .numeric(number) } else { .alphanumeric(String(part)) }
        }
    }

    /// Whether `text` can be a pre-release id: dot-separated `[0-9A-Za-z-]+`, no numeric one with a leading zero.
    public static func isValidPreid(_ text: String) -> Bool {
        SemanticVersion("0.0.0-\(text)") != nil
    }
}
