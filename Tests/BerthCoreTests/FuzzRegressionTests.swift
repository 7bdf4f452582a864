import BerthCore
import Testing

/// Inputs the fuzzers (Fuzz/, scripts/fuzz.sh) found crashing a parser, fed through the same calls, byte for byte.
/// Each crashed the test process before its fix.
@Suite("fuzzing findings")
struct FuzzRegressionTests {
    static let sha = "0123456789abcdef0123456789abcdef01234567"

    static func tags(_ rules: [String], ref: String) throws -> [String] {
        let context = MetadataActionContext(
            eventName: "push", ref: ref, sha: sha, defaultBranch: "main", now: 1_704_067_200, commitTime: 1_704_000_000)
        let tagger = MetadataActionTagger(
            rules: try rules.map { try MetadataTagRule(parsing: $0) }, flavor: MetadataFlavor(), context: context)
        return try tagger.tags(images: [])
    }

    @Test("metadata-action: a negative match group names no group (it indexed the groups at -1 and trapped)")
    func negativeMatchGroup() throws {
        #expect(try Self.tags(["type=match,pattern=v(.*),group=-1"], ref: "refs/tags/v1.2.3") == [])
        #expect(try Self.tags(["type=match,pattern=v(.*),group=-1", "type=sha"], ref: "refs/tags/v1.2.3") == ["sha-0123456"])
        #expect(try Self.tags(["type=match,pattern=v(.*),group=1"], ref: "refs/tags/v1.2.3") == ["1.2.3", "latest"])
    }
}
