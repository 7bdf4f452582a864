import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// Lines of one of berth's own fixture files (Fixtures/semver), which cover every rule without ../shared.
func ownFixture(_ name: String) throws -> [String] {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/semver")
    return try SharedFixtures.lines(of: dir.appendingPathComponent(name).path)
}

@Suite("SemVer 2.0.0")
struct SemanticVersionTests {
    @Test("berth's own valid cases parse and print back unchanged")
    func ownValid() throws {
        for text in try ownFixture("valid.txt") {
            let version = try #require(SemanticVersion(text), "\(text) should be valid")
            #expect(version.description == text)
        }
    }

    @Test("berth's own invalid cases are refused")
    func ownInvalid() throws {
        // Whitespace around a version is invalid too; a fixture line can't show a trailing newline.
        for text in try ownFixture("invalid.txt") + [" 1.2.3", "1.2.3 ", "1.2.3\n"] {
            #expect(SemanticVersion(text) == nil, "\(text) should be invalid")
        }
    }

    @Test("berth's own precedence list is strictly increasing, and every pair compares consistently")
    func ownPrecedence() throws {
        let versions = try ownFixture("precedence.txt").map { try #require(SemanticVersion($0)) }
        for (i, a) in versions.enumerated() {
            for (j, b) in versions.enumerated() {
                let expected = i < j ? -1 : (i == j ? 0 : 1)
                #expect(SemanticVersion.precedence(a, b) == expected, "\(a) vs \(b)")
            }
        }
        #expect(versions.shuffled().sortedByPrecedence() == versions)
    }

    @Test("the shared SemVer fixtures pass (reported skipped when ../shared is absent)", .requires(.sharedFixtures))
    func sharedFixtures() throws {
        let dir = try #require(SharedFixtures.directory())
        for text in try SharedFixtures.lines(of: "\(dir)/semver/valid.txt") {
            #expect(SemanticVersion(text) != nil, "shared valid: \(text)")
        }
        for text in try SharedFixtures.lines(of: "\(dir)/semver/invalid.txt") {
            #expect(SemanticVersion(text) == nil, "shared invalid: \(text)")
        }
        let ordered = try SharedFixtures.lines(of: "\(dir)/semver/precedence.txt").map { try #require(SemanticVersion($0)) }
        for (a, b) in zip(ordered, ordered.dropFirst()) {
            #expect(a.precedes(b), "\(a) < \(b)")
        }
    }

    @Test(
        "build metadata never affects precedence",
        arguments: [
            ("1.0.0+a", "1.0.0+b"), ("1.0.0", "1.0.0+build.5"), ("1.0.0-rc.1+x", "1.0.0-rc.1+y"),
        ])
    func buildIgnored(a: String, b: String) throws {
        #expect(SemanticVersion.precedence(try #require(SemanticVersion(a)), try #require(SemanticVersion(b))) == 0)
    }

    @Test("numeric identifiers compare as numbers of any size, not text")
    func bigNumbers() throws {
        let small = try #require(SemanticVersion("1.0.0-18446744073709551615"))
        let big = try #require(SemanticVersion("1.0.0-18446744073709551616"))
        let bigger = try #require(SemanticVersion("1.0.0-99999999999999999999999999"))
        #expect(small.precedes(big) && big.precedes(bigger))
        #expect(try #require(SemanticVersion("9.0.0")).precedes(try #require(SemanticVersion("10.0.0"))))
        #expect(try #require(SemanticVersion("1.0.0-9")).precedes(try #require(SemanticVersion("1.0.0-10"))))
    }

    @Test(
        "errors say what is wrong",
        arguments: [
            ("1.2", "expected MAJOR.MINOR.PATCH"), ("01.2.3", "leading zero"), ("1.2.3-01", "leading zero"),
            ("1.2.3-a..b", "empty identifier"), ("1.2.3-a_b", "'_' is not allowed"), ("v1.2.3", "major 'v1'"),
        ])
    func errorMessages(input: String, fragment: String) {
        #expect(throws: SemanticVersionError.self) { try SemanticVersion.parse(input) }
        do { _ = try SemanticVersion.parse(input) } catch { #expect(error.description.contains(fragment), "\(error)") }
    }

    @Test(
        "bumps follow SemVer and npm's pre-release rules",
        arguments: [
            ("1.2.3", VersionBump.patch, "1.2.4"), ("1.2.3", .minor, "1.3.0"), ("1.2.3", .major, "2.0.0"),
            ("1.2.3+b.1", .patch, "1.2.4"), ("1.3.0-rc.2", .minor, "1.3.0"), ("1.3.1-rc.2", .minor, "1.4.0"),
            ("2.0.0-rc.1", .major, "2.0.0"), ("2.1.0-rc.1", .major, "3.0.0"), ("1.2.4-rc.1", .patch, "1.2.4"),
            ("0.9.9", .major, "1.0.0"), ("99999999999999999999.0.0", .major, "100000000000000000000.0.0"),
        ])
    func bumps(from: String, bump: VersionBump, to: String) throws {
        #expect(try #require(SemanticVersion(from)).bumped(bump).description == to)
    }

    @Test(
        "pre-release bumps continue or start a channel",
        arguments: [
            ("1.2.3", Optional("rc"), Optional("1.2.4-rc.1")), ("1.2.4-rc.1", "rc", "1.2.4-rc.2"),
            ("1.2.4-beta.3", "rc", "1.2.4-rc.1"), ("1.2.4-rc.9", "rc", "1.2.4-rc.10"), ("1.0.0-alpha", nil, "1.0.0-alpha.1"),
            ("1.0.0-alpha.1", nil, "1.0.0-alpha.2"), ("1.0.0-1.beta", nil, "1.0.0-2.beta"), ("1.2.3", nil, nil),
        ])
    func prereleaseBumps(from: String, preid: String?, to: String?) throws {
        #expect(try #require(SemanticVersion(from)).bumpedPrerelease(preid: preid)?.description == to)
    }
}
