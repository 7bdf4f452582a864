import BerthCore
import Testing

@Suite("version ranges: npm's syntax over SemVer precedence")
struct VersionRangeTests {
    @Test(
        "a range holds the versions it should and no others",
        arguments: [
            (">=1.2.0 <2.0.0", ["1.2.0", "1.9.9"], ["1.1.9", "2.0.0", "2.0.0-rc.1", "1.5.0-beta.1"]),
            (">= 1.2, < 2", ["1.2.0", "1.99.0"], ["1.1.0", "2.0.0"]),
            ("^1.4.2", ["1.4.2", "1.9.0"], ["1.4.1", "2.0.0", "2.0.0-0"]),
            ("^0.3.1", ["0.3.1", "0.3.9"], ["0.4.0", "0.3.0"]),
            ("^0.0.3", ["0.0.3"], ["0.0.4"]),
            ("~1.4.2", ["1.4.2", "1.4.9"], ["1.5.0", "1.4.1"]),
            ("~1", ["1.0.0", "1.9.0"], ["2.0.0"]),
            ("1.x", ["1.0.0", "1.7.3"], ["2.0.0", "0.9.0"]),
            ("1.2", ["1.2.0", "1.2.7"], ["1.3.0"]),
            ("*", ["0.0.1", "9.9.9"], ["1.0.0-rc.1"]),
            (">1.2", ["1.3.0"], ["1.2.9"]),
            ("<=1.2", ["1.2.9", "0.1.0"], ["1.3.0"]),
            ("1.2.3 || >=3", ["1.2.3", "3.0.0", "4.1.0"], ["1.2.4", "2.0.0"]),
            (">=2.0.0-rc.1 <3", ["2.0.0-rc.1", "2.0.0-rc.2", "2.0.0", "2.5.0"], ["2.1.0-rc.1", "1.9.0"]),
            ("v1.2.3", ["1.2.3"], ["1.2.4"]),
        ] as [(String, [String], [String])])
    func holds(_ text: String, _ inside: [String], _ outside: [String]) throws {
        let range = try #require(VersionRange(text))
        for version in inside { #expect(range.contains(try #require(SemanticVersion(version))), "\(version) in \(text)") }
        for version in outside { #expect(!range.contains(try #require(SemanticVersion(version))), "\(version) not in \(text)") }
    }

    @Test("text that is no range is refused", arguments: ["", "banana", ">=", "^x", "1.2.3.4", "1.x.2", ">=01.2.0"])
    func refused(_ text: String) {
        #expect(VersionRange(text) == nil)
    }

    @Test("a repository glob: * within a path component, ** across, ? one character")
    func globs() {
        #expect(ReplicationSelection.repository("team/api", matches: "team/*"))
        #expect(!ReplicationSelection.repository("team/sub/api", matches: "team/*"))
        #expect(ReplicationSelection.repository("team/sub/api", matches: "team/**"))
        #expect(ReplicationSelection.repository("team/ap1", matches: "team/ap?"))
        #expect(!ReplicationSelection.repository("teamx/api", matches: "team/*"))
        #expect(!ReplicationSelection.repository("team.api", matches: "team/api"))
    }
}
