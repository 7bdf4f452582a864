extension SemanticVersion {
    /// Compares precedence per SemVer 2.0.0 §11: -1 when `lhs` is lower, 0 when equal, 1 when higher.
    ///
    /// Major, minor and patch compare numerically (§11.2); a pre-release is lower than its final release
    /// (§11.3); pre-release identifiers compare one by one, numeric below alphanumeric, a shorter list
    /// lower when all before are equal (§11.4). Build metadata is ignored (§10).
    public static func precedence(_ lhs: SemanticVersion, _ rhs: SemanticVersion) -> Int {
        if lhs.major != rhs.major { return lhs.major < rhs.major ? -1 : 1 }
        if lhs.minor != rhs.minor { return lhs.minor < rhs.minor ? -1 : 1 }
        if lhs.patch != rhs.patch { return lhs.patch < rhs.patch ? -1 : 1 }
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        case (false, false): break
        }
        for (a, b) in zip(lhs.prerelease, rhs.prerelease) {
            let order = PrereleaseIdentifier.precedence(a, b)
            if order != 0 { return order }
        }
        let (l, r) = (lhs.prerelease.count, rhs.prerelease.count)
        return l == r ? 0 : (l < r ? -1 : 1)
    }

    /// Whether this version has lower precedence than `other`.
    public func precedes(_ other: SemanticVersion) -> Bool { SemanticVersion.precedence(self, other) < 0 }

    /// Whether both versions have the same precedence (they may differ in build metadata).
    public func hasSamePrecedence(as other: SemanticVersion) -> Bool { SemanticVersion.precedence(self, other) == 0 }
}

extension Sequence where Element == SemanticVersion {
    /// The versions in ascending precedence; equal precedence keeps input order (stable).
    public func sortedByPrecedence() -> [SemanticVersion] {
        enumerated().sorted { a, b in
            let order = SemanticVersion.precedence(a.element, b.element)
            return order == 0 ? a.offset < b.offset : order < 0
        }.map(\.element)
    }

    /// The version of highest precedence; the first one among equals.
    public func highestPrecedence() -> SemanticVersion? {
        reduce(nil) { best, next in
            guard let best else { return next }
            return best.precedes(next) ? next : best
        }
    }
}
