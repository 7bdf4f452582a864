import BerthCore
import BerthLayout
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// `berth attest --in-toto-link` and `berth key layout` through the built binary, checked by the real
/// `in-toto-verify` (PyPI `in-toto` in the trust venv) in the git checkout the link was made from.
@Suite("berth attest --in-toto-link and berth key layout, verified by in-toto-verify")
struct InTotoCLITests {
    let cli: CLIHarness
    let directory: String

    init() throws {
        cli = try CLIHarness()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("in-toto-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func inTotoVerify(in checkout: GitRepoBuilder, layout: String = "root.layout", owner: String = "owner.pub") throws
        -> ShellResult
    {
        var environment = checkout.environment
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return try Shell.run(
            ExternalTool.trustVenvDirectory + "/bin/in-toto-verify",
            [
                "--layout", "\(directory)/\(layout)", "--verification-keys", "\(directory)/\(owner)", "--link-dir",
                "\(directory)/links",
            ],
            directory: checkout.path, environment: environment, replaceEnvironment: true)
    }

    @Test(
        "in-toto-verify accepts berth's link and layout; a changed source file, an untracked file, a flipped byte in the link, another owner's layout fail",
        .requires(.trustVenv))
    func linkAndLayoutVerify() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let checkout = try GitRepoBuilder()
        defer { checkout.remove() }
        try checkout.write("go.mod", "module example.com/api\n\ngo 1.22\n")
        try checkout.write("go.sum", "")
        try checkout.git("add", "-A")
        try checkout.commit("feat: server", file: "cmd/server/main.go", content: "package main\n\nfunc main() {}\n")

        let layoutPath = "\(directory)/oci"
        let store = try OCILayoutStore(path: layoutPath, create: true)
        let image = try await TestImages.push(into: store, repository: "", tag: "v1", seed: "in-toto-cli")
        let reference = "oci:\(layoutPath)@\(image.digest)"

        for name in ["owner", "other", "builder"] {
            let made = try cli.run(["key", "generate", "-o", name, "--unencrypted"], in: directory)
            #expect(made.status == 0, "\(made.stderr)")
        }
        let attested = try cli.run(
            ["attest", reference, "--key", "\(directory)/builder.key", "--in-toto-link", "\(directory)/links", "--json"],
            in: checkout.path, environment: checkout.environment)
        #expect(attested.status == 0, "\(attested.stderr)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(attested.stdout.utf8)) as? [String: Any], "\(attested.stdout)")
        #expect(document["materials"] as? Int == 3)
        #expect(document["product"] as? String == "image/oci:\(layoutPath)")
        let linkPath = try #require(document["link"] as? String)
        #expect(linkPath.hasPrefix("\(directory)/links/build.") && linkPath.hasSuffix(".link"))

        let laid = try cli.run(
            [
                "key", "layout", "--owner-key", "owner.key", "--functionary", "builder.pub", "--expires", "30d", "-o",
                "root.layout",
            ],
            in: directory)
        #expect(laid.status == 0, "\(laid.stderr)")
        let good = try inTotoVerify(in: checkout)
        #expect(good.status == 0, "\(good.stderr)")

        // A source file changed after the link: the source inspection's MATCH fails on it.
        let main = "\(checkout.path)/cmd/server/main.go"
        try Data("package main\n\nfunc main() { panic(1) }\n".utf8).write(to: URL(fileURLWithPath: main))
        let changed = try inTotoVerify(in: checkout)
        #expect(
            changed.status != 0 && changed.stderr.contains("RuleVerificationError")
                && changed.stderr.contains("cmd/server/main.go"), "\(changed.stderr)")
        try checkout.git("checkout", "--", "cmd/server/main.go")
        #expect(try inTotoVerify(in: checkout).status == 0)

        // A file the build did not read is there.
        try checkout.write("extra.go", "package main\n")
        let extra = try inTotoVerify(in: checkout)
        #expect(extra.status != 0 && extra.stderr.contains("extra.go"), "\(extra.stderr)")
        try FileManager.default.removeItem(atPath: "\(checkout.path)/extra.go")

        // One bit of a material's digest in the link, kept hex, so only the signature can object.
        let original = try Data(contentsOf: URL(fileURLWithPath: linkPath))
        var link = original
        let start = try #require(link.range(of: Data(#""go.mod":{"sha256":""#.utf8))).upperBound
        let at = try #require(link[start...].firstIndex { Array("0123456789bcde".utf8).contains($0) })
        link[at] ^= 0x01
        try link.write(to: URL(fileURLWithPath: linkPath))
        let flipped = try inTotoVerify(in: checkout)
        #expect(flipped.status != 0 && flipped.stderr.contains("ThresholdVerificationError"), "\(flipped.stderr)")
        try original.write(to: URL(fileURLWithPath: linkPath))

        // A layout signed by another owner key than the one given to in-toto-verify.
        let forged = try cli.run(
            ["key", "layout", "--owner-key", "other.key", "--functionary", "builder.pub", "-o", "other.layout"], in: directory)
        #expect(forged.status == 0, "\(forged.stderr)")
        let other = try inTotoVerify(in: checkout, layout: "other.layout")
        #expect(other.status != 0 && other.stderr.contains("SignatureVerificationError"), "\(other.stderr)")
        #expect(try inTotoVerify(in: checkout).status == 0)
    }

    @Test(
        "attest --in-toto-link of a digest the layout lacks, key layout without a functionary or with a bad --expires: one line")
    func refusals() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let checkout = try GitRepoBuilder()
        defer { checkout.remove() }
        _ = try checkout.commit("feat: one", file: "go.mod", content: "module x\n")
        _ = try OCILayoutStore(path: "\(directory)/oci", create: true)
        #expect(try cli.run(["key", "generate", "-o", "k", "--unencrypted"], in: directory).status == 0)
        let missing = "oci:\(directory)/oci@sha256:" + String(repeating: "a", count: 64)
        let absent = try cli.run(
            ["attest", missing, "--key", "\(directory)/k.key", "--in-toto-link", "\(directory)/links"], in: checkout.path,
            environment: checkout.environment)
        #expect(absent.status == 1 && absent.stderr.contains("is not there") && absent.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/links"))

        let noFunctionary = try cli.run(["key", "layout", "--owner-key", "k.key"], in: directory)
        #expect(noFunctionary.status == 64, "\(noFunctionary.stderr)")
        let badExpiry = try cli.run(
            ["key", "layout", "--owner-key", "k.key", "--functionary", "k.pub", "--expires", "soon"], in: directory)
        #expect(badExpiry.status == 64 && badExpiry.stderr.contains("--expires"), "\(badExpiry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/root.layout"))
    }
}
