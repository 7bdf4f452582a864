import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// `berth canary` for Kubernetes the GitOps way: each weight change rewrites the canary manifest (a
/// Gateway API HTTPRoute, or ingress-nginx's canary Ingress) and commits it, for a controller to apply;
/// `kubectl kustomize` builds what berth committed. No cluster runs here.
@Suite("berth canary for Kubernetes through git", .serialized, .requires(.dockerRegistry))
struct CanaryKubernetesE2ETests {
    static func options(mode: String, policy: String = "") -> CanaryLab.Options {
        var options = CanaryLab.Options()
        options.proxy = .kubernetes(mode: mode)
        options.steps = "[{setWeight: 10}, {pause: until-resumed}, {setWeight: 50}, {pause: until-resumed}, {setWeight: 100}]"
        options.policy = policy
        return options
    }

    /// Subjects of the commits berth made for the canary, oldest first.
    static func canaryCommits(_ lab: CanaryLab) throws -> [String] {
        try lab.repo.git("log", "--reverse", "--format=%s").split(separator: "\n").map(String.init).filter {
            $0.hasPrefix("chore(canary)")
        }
    }

    @Test("an HTTPRoute canary: 10 % with the header rule, resumed to 50 %, promoted to 100 %, each step one commit")
    func httpRoute() async throws {
        let lab = try await CanaryLab(Self.options(mode: "httproute", policy: "    header: {name: X-Version, value: beta}\n"))
        defer { lab.stop() }
        try await lab.prepareReleases()
        let start = try lab.berth("canary", "start", "0.2.0", "--env", "prod")
        #expect(start.status == 0, "\(start.stderr)")
        let manifest = lab.repo.path + "/deploy/prod/api-route.yaml"
        #expect(try String(contentsOfFile: manifest, encoding: .utf8).contains("weight: 10"))
        let setUp = [
            "chore(canary): \(lab.image) in prod: routing set up for 0.2.0 at 0 %, X-Version: beta to the canary",
            "chore(canary): \(lab.image) in prod: 10 % to 0.2.0, X-Version: beta to the canary",
        ]
        let commits = try Self.canaryCommits(lab)
        #expect(commits == setUp, "\(commits)")
        #expect(try lab.repo.git("status", "--porcelain") == "", "everything berth wrote is committed")
        let status = try lab.berth("canary", "status", "--env", "prod", "--json")
        #expect(status.stdout.contains("\"observedWeight\" : 10"), "\(status.stdout)")

        let resumed = try lab.berth("canary", "resume", "--env", "prod")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try String(contentsOfFile: manifest, encoding: .utf8).contains("weight: 50"))
        let promoted = try lab.berth("canary", "promote", "--env", "prod", "--reason", "looks good")
        #expect(promoted.status == 0, "\(promoted.stderr)")
        let all = try Self.canaryCommits(lab)
        #expect(
            all == setUp + [
                "chore(canary): \(lab.image) in prod: 50 % to 0.2.0, X-Version: beta to the canary",
                "chore(canary): \(lab.image) in prod: 100 % to 0.2.0",
            ], "\(all)")
        let events = try lab.events()
        let steps = events.filter { $0["kind"] as? String == "canary-step" }
        let recorded = steps.compactMap { ($0["details"] as? [String: String])?["commit"] }
        #expect(recorded.count == 2, "each weight step records its commit: \(steps)")
        #expect(try lab.berth("status", "--json").stdout.contains("\"version\" : \"0.2.0\""))
    }

    @Test("an ingress-nginx canary aborted: its weight back to 0 and committed; kubectl kustomize builds the result")
    func ingressAborted() async throws {
        let lab = try await CanaryLab(Self.options(mode: "ingress-nginx"))
        defer { lab.stop() }
        try await lab.prepareReleases()
        let start = try lab.berth("canary", "start", "0.2.0", "--env", "prod")
        #expect(start.status == 0, "\(start.stderr)")
        let abort = try lab.berth("canary", "abort", "--env", "prod", "--reason", "errors in the logs")
        #expect(abort.status == 0, "\(abort.stderr)")
        let manifest = try String(contentsOfFile: lab.repo.path + "/deploy/prod/api-canary.yaml", encoding: .utf8)
        #expect(manifest.contains("canary-weight: \"0\""), "\(manifest)")
        #expect(
            try Self.canaryCommits(lab) == [
                "chore(canary): \(lab.image) in prod: routing set up for 0.2.0 at 0 %",
                "chore(canary): \(lab.image) in prod: 10 % to 0.2.0",
                "chore(canary): \(lab.image) in prod: all traffic back to 0.1.0",
            ])
        #expect(try lab.repo.git("status", "--porcelain") == "")
        guard ExternalTool.kubectl.isAvailable else { return }
        try lab.repo.write("deploy/prod/kustomization.yaml", "resources:\n  - api-canary.yaml\n")
        let built = try Shell.run(ExternalTool.kubectl.path, ["kustomize", lab.repo.path + "/deploy/prod"])
        #expect(built.status == 0 && built.stdout.contains("kind: Ingress"), "\(built.stderr)")
    }
}
