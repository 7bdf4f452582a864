/// A version as SemVer 2.0.0 defines it: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`.
///
/// Equality is structural (build metadata included); ordering is precedence (§11), which ignores build
/// metadata, so use `precedence(_:_:)` or `sortedByPrecedence()` rather than `==` to compare releases.
public struct SemanticVersion: Hashable, Sendable, CustomStringConvertible {
    public var major: DecimalNumber
    public var minor: DecimalNumber
    public var patch: DecimalNumber
    /// Pre-release identifiers (§9); empty for a final release.
    public var prerelease: [PrereleaseIdentifier]
    /// Build metadata identifiers (§10); never affect precedence.
    public var build: [String]

    public init(
        major: DecimalNumber, minor: DecimalNumber, patch: DecimalNumber,
        prerelease: [PrereleaseIdentifier] = [], build: [String] = []
    ) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
    }

    public init(_ major: UInt, _ minor: UInt, _ patch: UInt, prerelease: [PrereleaseIdentifier] = []) {
        self.init(major: DecimalNumber(major), minor: DecimalNumber(minor), patch: DecimalNumber(patch), prerelease: prerelease)
    }

    /// Whether this is a pre-release (§9): it has pre-release identifiers.
    public var isPrerelease: Bool { !prerelease.isEmpty }

    /// `MAJOR.MINOR.PATCH` only.
    public var core: SemanticVersion { SemanticVersion(major: major, minor: minor, patch: patch) }

    /// The version without build metadata.
    public var withoutBuild: SemanticVersion {
        SemanticVersion(major: major, minor: minor, patch: patch, prerelease: prerelease)
    }

    public var prereleaseString: String { prerelease.map(\.description).joined(separator: ".") }

    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { text += "-" + prereleaseString }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }
}
