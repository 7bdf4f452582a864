import BerthTestSupport
import Foundation
import Testing

/// berth's SBOM against Syft's reading of the same image: a Go module with a replaced dependency, built
/// daemonless into an OCI layout by `berth build`, copied out alone by skopeo (Syft reads a layout of one
/// image) and scanned. Every Go module Syft finds must be in the SPDX document berth attached.
@Suite("berth's SBOM holds every Go module Syft finds", .requires(.go, .skopeo, .syft))
struct SBOMSyftTests {
    static let files: [String: String] = [
        "app/go.mod":
            "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v0.1.0\n\nreplace example.com/greet => ../greet\n",
        "app/main.go":
            "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\nvar Version = \"dev\"\n\nfunc main() { fmt.Println(greet.Hello(), Version) }\n",
        "app/berth.yaml":
            "version:\n  path: app\n  tag_prefix: v\ngo:\n  package: main\nbuild:\n  platforms: [linux/amd64]\n  base: scratch\n",
        "greet/go.mod": "module example.com/greet\n\ngo 1.19\n",
        "greet/greet.go": "package greet\n\n// Hello greets.\nfunc Hello() string { return \"hello\" }\n",
    ]

    /// A blob of the layout at `root`, as JSON.
    static func blob(_ root: String, _ digest: String) throws -> [String: Any] {
        let hex = digest.split(separator: ":").last.map(String.init) ?? digest
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(root)/blobs/sha256/\(hex)"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The SPDX document berth attached to the image tagged `tag`: its referrer in the fallback index.
    static func berthSBOM(layout: String, tag: String) throws -> [[String: Any]] {
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")))
        let manifests = (index as? [String: Any])?["manifests"] as? [[String: Any]] ?? []
        func named(_ name: String) -> [String: Any]? {
            manifests.first { ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == name }
        }
        let image = try #require(named(tag)?["digest"] as? String)
        let fallback = try #require(named(image.replacingOccurrences(of: ":", with: "-"))?["digest"] as? String)
        let referrers = try blob(layout, fallback)["manifests"] as? [[String: Any]] ?? []
        let sbom = try #require(referrers.first { $0["artifactType"] as? String == "application/spdx+json" })
        let manifest = try blob(layout, try #require(sbom["digest"] as? String))
        let layer = try #require((manifest["layers"] as? [[String: Any]])?.first?["digest"] as? String)
        return try blob(layout, layer)["packages"] as? [[String: Any]] ?? []
    }

    @Test("a module with a replaced dependency: main module, stdlib and the dependency, as Syft names them")
    func syftAgrees() throws {
        let repo = try GitRepoBuilder()
        for (path, text) in Self.files { try repo.write(path, text) }
        try repo.git("add", "-A")
        try repo.commit("feat: hello")
        let work = repo.path + "/.."
        var environment = repo.environment
        environment.merge(["GOCACHE": work + "/go-cache", "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOTOOLCHAIN": "local"]) { $1 }
        let build = try CLIHarness().run(
            ["build", "-q", "--images", "oci:\(work)/out"], in: repo.path + "/app", environment: environment)
        try #require(build.status == 0, "\(build.stderr)")
        let packages = try Self.berthSBOM(layout: work + "/out", tag: "v0.1.0")

        let copy = try Shell.run("/usr/bin/skopeo", ["copy", "-q", "oci:\(work)/out:v0.1.0", "oci:\(work)/single:v0.1.0"])
        try #require(copy.status == 0, "\(copy.stderr)")
        let scan = try Shell.run(
            ExternalTool.syft.path, ["scan", "oci-dir:\(work)/single", "-o", "syft-json", "-q"],
            environment: ["SYFT_CHECK_FOR_APP_UPDATE": "false"])
        try #require(scan.status == 0, "\(scan.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any]
        let found = (document?["artifacts"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "go-module" }
        #expect(found.count >= 3, "Syft found the main module, stdlib and the dependency: \(found.map { $0["name"] ?? "" })")

        // Versions compared without Go's leading v; a local replacement Syft names by its path, berth by the
        // module it replaces (with "replaced by PATH VERSION").
        func plain(_ version: Any?) -> String { String(describing: version ?? "").trimmingPrefix("v").description }
        for module in found {
            let name = module["name"] as? String ?? ""
            let version = module["version"] as? String ?? ""
            let match = packages.first { package in
                (package["name"] as? String == name && plain(package["versionInfo"]) == plain(version))
                    || package["comment"] as? String == "replaced by \(name) \(version)"
            }
            #expect(match != nil, "Syft's \(name) \(version) is not in berth's SBOM: \(packages.map { $0["name"] ?? "" })")
        }
        let main = packages.first { $0["name"] as? String == "example.com/hello" }
        let purl = (main?["externalRefs"] as? [[String: Any]])?.first?["referenceLocator"] as? String
        #expect(purl == "pkg:golang/example.com/hello@v0.1.0", "a Go module's purl version keeps its v")
    }
}
