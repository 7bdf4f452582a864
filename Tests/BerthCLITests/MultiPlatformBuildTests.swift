import BerthTestSupport
import Foundation
import Testing

/// A module-mode Go service (with a replaced dependency, so `go version -m` lists one) built for two
/// platforms into an OCI layout: an index skopeo reads per platform, and an SBOM listing the dependency.
@Suite("berth build, several platforms, module mode", .requires(.go, .skopeo))
struct MultiPlatformBuildTests {
    @Test("linux/amd64 + linux/arm64 into a layout: an index, each child's binary for its platform, SBOMs with the module's deps")
    func twoPlatforms() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        let files: [String: String] = [
            "app/go.mod":
                "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v0.1.0\n\nreplace example.com/greet => ../greet\n",
            "app/main.go":
                "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n",
            "app/berth.yaml": "image:\n  names: [oci:../out]\nbuild:\n  platforms: [linux/amd64, linux/arm64]\n",
            "greet/go.mod": "module example.com/greet\n\ngo 1.19\n",
            "greet/greet.go": "package greet\n\n// Hello greets.\nfunc Hello() string { return \"hello\" }\n",
        ]
        for (path, text) in files {
            let url = URL(fileURLWithPath: "\(repo.path)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try repo.git("add", "-A")
        try repo.git(["commit", "-q", "-m", "feat: hello"])
        var environment = repo.environment
        environment["GOFLAGS"] = "-mod=mod"
        environment["GOPROXY"] = "off"

        let build = try cli.run(["build", "--json"], in: repo.path + "/app", environment: environment)
        try #require(build.status == 0, "\(build.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(build.stdout.utf8)) as? [String: Any])
        #expect(document["mediaType"] as? String == "application/vnd.oci.image.index.v1+json")
        let images = try #require(document["images"] as? [[String: Any]])
        #expect(images.map { $0["platform"] as? String } == ["linux/amd64", "linux/arm64"])
        // The build and its push are in the ledger, under the index's digest.
        let history = try cli.run(["history", "--json"], in: repo.path + "/app", environment: environment)
        let events = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]]
        #expect(events?.map { $0["kind"] as? String } == ["pushed", "built"], "\(history.stdout)\(history.stderr)")
        #expect(events?.allSatisfy { $0["digest"] as? String == document["digest"] as? String } == true)
        #expect((events?.last?["details"] as? [String: String])?["platforms"] == "linux/amd64,linux/arm64")

        for architecture in ["amd64", "arm64"] {
            let inspect = try Shell.run(
                "/usr/bin/skopeo", ["--override-arch", architecture, "inspect", "oci:\(repo.path)/out:v0.1.0"])
            #expect(inspect.status == 0, "\(inspect.stderr)")
            let config = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any]
            #expect(config?["Architecture"] as? String == architecture)
        }
        let inspect = try cli.run(
            ["registry", "inspect", "--json", "oci:\(repo.path)/out:v0.1.0"], in: repo.path, environment: environment)
        let inspected = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        let referrers = try #require(inspected["referrers"] as? [[String: Any]])
        #expect(referrers.count == 2)
        // The SBOM blob lists the replaced module.
        let sbomManifest = try #require(referrers.first?["digest"] as? String)
        let manifest =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(repo.path)/out/blobs/sha256/\(sbomManifest.dropFirst(7))")))
            as? [String: Any]
        let layer = try #require((manifest?["layers"] as? [[String: Any]])?.first?["digest"] as? String)
        let sbom = try String(contentsOfFile: "\(repo.path)/out/blobs/sha256/\(layer.dropFirst(7))", encoding: .utf8)
        #expect(sbom.contains("\"name\":\"example.com/greet\"") && sbom.contains("replaced by ../greet"))
        #expect(sbom.contains("pkg:golang/example.com/hello@v0.1.0"))
    }
}
