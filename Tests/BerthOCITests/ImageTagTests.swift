import BerthOCI
import Testing

@Suite("OCI names")
struct ImageTagTests {
    @Test(
        "tags match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}",
        arguments: [
            ("v1.2.3-rc.1", true), ("_x", true), ("latest", true), ("A.b_c-D", true), (String(repeating: "a", count: 128), true),
            ("-x", false), (".x", false), ("v1.2.3+b", false), ("", false), ("a/b", false), ("é", false),
            (String(repeating: "a", count: 129), false),
        ])
    func tags(text: String, valid: Bool) {
        #expect(ImageTag.isValid(text) == valid)
        #expect((ImageTag.violation(in: text) == nil) == valid)
    }

    @Test(
        "repository names follow the distribution-spec path grammar",
        arguments: [
            ("api", true), ("ghcr.io/acme/api", true), ("localhost:5000/a/b", true), ("registry.local:5000/x__y/a-b.c", true),
            ("Api", false), ("ghcr.io/acme/api:v1", false), ("a//b", false), ("a/-b", false), ("acme/api@sha256:00", false),
        ])
    func repositories(text: String, valid: Bool) {
        #expect((RepositoryName(text) != nil) == valid)
    }
}
