import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@testable import BerthTrust

/// in-toto v0.9 links and layouts signed by berth's keys, checked by `in-toto-verify` (PyPI `in-toto`
/// in the trust venv): it loads `--verification-keys owner.pub` as a PKIX PEM (P-256 becomes
/// `ecdsa`/`ecdsa-sha2-nistp256`, Ed25519 `ed25519`/`ed25519`) and computes the key ids berth writes.
@Suite("in-toto v0.9 metadata: securesystemslib's canonical JSON, links and layouts in-toto-verify accepts")
struct InTotoClassicTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("in-toto-\(UUID().uuidString)").path

    @Test(
        "canonical JSON sorts keys by code point, escapes only quote and backslash, refuses floats",
        arguments: [
            (JSONValue.object(["b": .integer(2), "a": .array([.null, .bool(true)])]), #"{"a":[null,true],"b":2}"#),
            (.string("q\"b\\n\n\u{1}é"), "\"q\\\"b\\\\n\n\u{1}é\""),
            (.object(["é": .integer(1), "z": .integer(0), "Z": .integer(-3)]), #"{"Z":-3,"z":0,"é":1}"#),
        ])
    func canonical(value: JSONValue, expected: String) throws {
        #expect(String(decoding: try InTotoClassic.canonical(value), as: UTF8.self) == expected)
        #expect(throws: BerthError.self) { try InTotoClassic.canonical(.object(["x": .number(1.5)])) }
    }

    /// A build step's link and the layout that expects it, as berth writes them.
    func write(owner: SigningKey, functionary: SigningKey, layoutSigner: SigningKey) throws {
        let step = "build"
        let link: JSONValue = .object([
            "_type": .string("link"), "name": .string(step), "command": .array([]),
            "materials": .object([
                "go.mod": .object(["sha256": .string(Digest.sha256(of: Data("module x\n".utf8)).hex)]),
                "go.sum": .object(["sha256": .string(Digest.sha256(of: Data("".utf8)).hex)]),
            ]),
            "products": .object([
                "registry.example/acme/api": .object(["sha256": .string(Digest.sha256(of: Data("manifest".utf8)).hex)])
            ]),
            "byproducts": .object([:]), "environment": .object([:]),
        ])
        let layout: JSONValue = .object([
            "_type": .string("layout"), "expires": .string("2099-01-01T00:00:00Z"), "readme": .string(""),
            "keys": .object([InTotoClassic.keyID(functionary.publicKey): InTotoClassic.layoutKey(functionary.publicKey)]),
            "steps": .array([
                .object([
                    "_type": .string("step"), "name": .string(step), "threshold": .integer(1),
                    "pubkeys": .array([.string(InTotoClassic.keyID(functionary.publicKey))]),
                    "expected_command": .array([]),
                    "expected_materials": .array([
                        .array([.string("ALLOW"), .string("go.mod")]), .array([.string("ALLOW"), .string("go.sum")]),
                        .array([.string("DISALLOW"), .string("*")]),
                    ]),
                    "expected_products": .array([
                        .array([.string("ALLOW"), .string("registry.example/acme/api")]),
                        .array([.string("DISALLOW"), .string("*")]),
                    ]),
                ])
            ]),
            "inspect": .array([]),
        ])
        try FileManager.default.createDirectory(atPath: "\(directory)/links", withIntermediateDirectories: true)
        try InTotoClassic.metablock(signing: link, with: functionary).write(
            to: URL(fileURLWithPath: "\(directory)/links/\(InTotoClassic.linkFileName(step: step, key: functionary.publicKey))"))
        try InTotoClassic.metablock(signing: layout, with: layoutSigner).write(
            to: URL(fileURLWithPath: "\(directory)/root.layout"))
        try Data(owner.publicKey.pem.utf8).write(to: URL(fileURLWithPath: "\(directory)/owner.pub"))
    }

    func inTotoVerify() throws -> ShellResult {
        try Shell.run(
            ExternalTool.trustVenvDirectory + "/bin/in-toto-verify",
            ["--layout", "root.layout", "--verification-keys", "owner.pub", "--link-dir", "links"], directory: directory)
    }

    @Test(
        "in-toto-verify accepts berth's link and layout; a flipped byte in the link or a layout by another key fails",
        .requires(.trustVenv), arguments: KeyAlgorithm.allCases)
    func inTotoVerifyAccepts(algorithm: KeyAlgorithm) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let owner = SigningKey(generating: algorithm)
        let functionary = SigningKey(generating: algorithm == .ecdsaP256 ? .ed25519 : .ecdsaP256)
        try write(owner: owner, functionary: functionary, layoutSigner: owner)
        let good = try inTotoVerify()
        #expect(good.status == 0, "\(good.stderr)")

        let linkPath = "\(directory)/links/\(InTotoClassic.linkFileName(step: "build", key: functionary.publicKey))"
        var link = try Data(contentsOf: URL(fileURLWithPath: linkPath))
        // One bit of go.mod's digest, chosen so the digest stays hex and only the signature can object.
        let start = try #require(link.range(of: Data(#""go.mod":{"sha256":""#.utf8))).upperBound
        let at = try #require(link[start...].firstIndex { Array("0123456789bcde".utf8).contains($0) })
        link[at] ^= 0x01
        try link.write(to: URL(fileURLWithPath: linkPath))
        let flipped = try inTotoVerify()
        // in-toto drops a link whose signature fails, so the step then lacks its one signed link.
        #expect(
            flipped.status != 0 && flipped.stderr.contains("ThresholdVerificationError")
                && flipped.stderr.contains("Only found '0'"), "\(flipped.stderr)")

        try write(owner: owner, functionary: functionary, layoutSigner: SigningKey(generating: algorithm))
        let other = try inTotoVerify()
        #expect(other.status != 0 && other.stderr.contains("SignatureVerificationError"), "\(other.stderr)")
    }

    @Test("berth's key ids are the ones securesystemslib computes from the PEM", .requires(.trustVenv))
    func keyIDs() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for algorithm in KeyAlgorithm.allCases {
            let key = SigningKey(generating: algorithm).publicKey
            try Data(key.pem.utf8).write(to: URL(fileURLWithPath: "\(directory)/k.pub"))
            let script = "from in_toto.models._signer import load_public_key_from_file as l; print(l('k.pub')['keyid'])"
            let result = try Shell.run(ExternalTool.trustVenvDirectory + "/bin/python", ["-c", script], directory: directory)
            #expect(result.stdout == InTotoClassic.keyID(key) + "\n", "\(result.stderr)")
        }
    }
}
