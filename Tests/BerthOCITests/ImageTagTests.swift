import BerthOCI
import Foundation
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

@Suite("image references")
struct ImageReferenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let store: ImageReference.Store
        let repository: String
        let tag: String?
        let digest: String?
        var testDescription: String { text }
    }

    static let digest = "sha256:" + String(repeating: "a", count: 64)

    @Test(
        "docker's grammar with Docker Hub's defaults, and oci: layouts",
        arguments: [
            Case(text: "api", store: .registry("docker.io"), repository: "library/api", tag: nil, digest: nil),
            Case(text: "nginx:1.25", store: .registry("docker.io"), repository: "library/nginx", tag: "1.25", digest: nil),
            Case(text: "acme/api:v1", store: .registry("docker.io"), repository: "acme/api", tag: "v1", digest: nil),
            Case(text: "index.docker.io/acme/api", store: .registry("docker.io"), repository: "acme/api", tag: nil, digest: nil),
            Case(text: "docker.io/api", store: .registry("docker.io"), repository: "library/api", tag: nil, digest: nil),
            Case(
                text: "ghcr.io/acme/team/api:v1.2.3", store: .registry("ghcr.io"), repository: "acme/team/api", tag: "v1.2.3",
                digest: nil),
            Case(
                text: "localhost:5000/api:v1@\(digest)", store: .registry("localhost:5000"), repository: "api", tag: "v1",
                digest: digest),
            Case(
                text: "127.0.0.1:5000/a/b@\(digest)", store: .registry("127.0.0.1:5000"), repository: "a/b", tag: nil,
                digest: digest),
            Case(text: "localhost/api", store: .registry("localhost"), repository: "api", tag: nil, digest: nil),
            Case(text: "oci:/tmp/layout:v1", store: .layout("/tmp/layout"), repository: "", tag: "v1", digest: nil),
            Case(text: "oci:./build", store: .layout("./build"), repository: "", tag: nil, digest: nil),
            Case(text: "oci:build@\(digest)", store: .layout("build"), repository: "", tag: nil, digest: digest),
        ])
    func parse(_ c: Case) throws {
        let reference = try ImageReference(parsing: c.text)
        #expect(reference.store == c.store)
        #expect(reference.repository == c.repository)
        #expect(reference.tag == c.tag)
        #expect(reference.digest?.description == c.digest)
    }

    @Test(
        "bad references are refused with a reason",
        arguments: [
            "", "Acme/API", "acme/api:bad+tag", "acme/api@sha256:123", "acme//api", "oci:",
            "acme/api@md5:" + String(repeating: "a", count: 32),
        ])
    func invalid(text: String) {
        #expect(throws: OCIError.self) { try ImageReference(parsing: text) }
    }

    @Test("digests: sha256 and sha512, lower-case hex, verified against bytes")
    func digests() {
        let data = Data("hello".utf8)
        let digest = Digest.sha256(of: data)
        #expect(digest.description == "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(digest.matches(data) && !digest.matches(Data("hellp".utf8)))
        #expect(Digest("sha512:" + String(repeating: "0", count: 128)) != nil)
        #expect(Digest("sha256:" + String(repeating: "A", count: 64)) == nil)
        #expect(Digest("sha256:abc") == nil)
    }
}
