import BerthTestSupport
import Foundation
import Testing

/// `berth promote` deploying an environment as berth.yaml's deploy.<env> says: a Deployment and Helm
/// values rewritten and committed, kubectl driven, the health URL awaited, a `deployed` event recorded.
@Suite("promote deploys", .serialized, .requires(.dockerRegistry))
struct DeployCLITests {
    /// kubectl can't run here (no cluster, no binary in Debian's archive), so a script named kubectl
    /// stands in for it on PATH: it records its arguments, one call per line, and answers like kubectl.
    /// What the test checks is berth's side: the exact command lines and their order.
    static func recordingKubectl(in directory: String, failOn: String? = nil) throws -> (bin: String, log: String) {
        let bin = directory + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let log = directory + "/kubectl.log"
        let failure =
            failOn.map {
                "case \"$*\" in *\"\($0)\"*) echo 'error: deployment \"api\" exceeded its progress deadline' >&2; exit 1;; esac\n"
            } ?? ""
        try "#!/bin/sh\necho \"$*\" >> \(log)\n\(failure)echo ok\n".write(
            toFile: bin + "/kubectl", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/kubectl")
        return (bin, log)
    }

    @Test(
        "promote to prod rewrites the Deployment and the Helm values, commits, runs kubectl, records deployed; a crash before the deploy is finished by a re-run"
    )
    func promoteDeploys() async throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let image = "\(registry.host)/acme/api"
        let (repo, _) = try LifecycleCLITests.project(image: image)
        let kubectl = try Self.recordingKubectl(in: repo.path + "/..")
        try repo.write(
            "deploy/staging.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: \(image):v0.0.9 # bumped by berth\n"
        )
        try repo.write("deploy/values-prod.yaml", "replicas: 3\nimage:\n  repository: \(image)\n  tag: v0.0.9\n")
        try repo.write(
            "berth.yaml",
            "image:\n  names: [\(image)]\nledger: ../ledger.sqlite\ndeploy:\n  staging:\n    deployment: deploy/staging.yaml\n"
                + "  prod:\n    helm_values: deploy/values-prod.yaml\n    kubectl_context: prod-eu\n    namespace: shop\n"
                + "    kubectl_deployment: api\n    container: api\n    health_url: http://\(registry.host)/v2/\n")
        try repo.git("add", "-A")
        try repo.commit("feat: deployable")
        let digest = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        let env = repo.environment.merging(["PATH": "\(kubectl.bin):/usr/bin:/bin"]) { $1 }
        func berth(_ arguments: String..., crash: String? = nil) throws -> ShellResult {
            try cli.run(arguments, in: repo.path, environment: env.merging(crash.map { ["BERTH_CRASH_AT": $0] } ?? [:]) { $1 })
        }
        try LifecycleCLITests.releaseCleared(cli, repo: repo, image: image, digest: digest, environment: env)
        try #require(try berth("promote", "0.1.0", "--to", "dev").status == 0)

        let dryRun = try berth("promote", "0.1.0", "--to", "staging", "--dry-run")
        #expect(dryRun.stdout.contains("  rewrite deploy/staging.yaml"), "\(dryRun.stdout)")
        // Killed between the rewrite and the commit: the re-run (the promotion is recorded) commits it.
        let rewritten = try berth("promote", "0.1.0", "--to", "staging", crash: "deploy.rewritten")
        try #require(rewritten.status == 137, "\(rewritten.stderr)")
        #expect(try repo.git("status", "--porcelain") == "M deploy/staging.yaml")
        let staging = try berth("promote", "0.1.0", "--to", "staging")
        #expect(staging.status == 0 && staging.stdout.contains("deployed staging: commit "), "\(staging.stdout)\(staging.stderr)")
        #expect(
            try String(contentsOfFile: repo.path + "/deploy/staging.yaml", encoding: .utf8).hasSuffix(
                "          image: \(image):v0.1.0-staging@\(digest) # bumped by berth\n"))
        #expect(try repo.git("log", "-1", "--format=%s") == "chore(deploy): staging runs 0.1.0")
        #expect(try repo.git("status", "--porcelain") == "", "the deploy commit leaves a clean tree")

        // Killed after the promotion is recorded, before the deploy: the re-run deploys and records it once.
        let crashed = try berth("promote", "0.1.0", "--to", "prod", crash: "promote.recorded")
        try #require(crashed.status == 137, "\(crashed.stderr)")
        #expect(try String(contentsOfFile: repo.path + "/deploy/values-prod.yaml", encoding: .utf8).contains("tag: v0.0.9"))
        let prod = try berth("promote", "0.1.0", "--to", "prod", "--json")
        #expect(prod.status == 0, "\(prod.stderr)")
        let document = try LifecycleCLITests.json(prod) as? [String: Any]
        #expect(document?["deployed"] != nil && (document?["commit"] as? String)?.count == 40, "\(prod.stdout)")
        #expect(
            try String(contentsOfFile: repo.path + "/deploy/values-prod.yaml", encoding: .utf8)
                == "replicas: 3\nimage:\n  repository: \(image)\n  tag: \"v0.1.0@\(digest)\"\n")
        #expect(
            try String(contentsOfFile: kubectl.log, encoding: .utf8)
                == "--context=prod-eu --namespace=shop set image deployment/api api=\(image):v0.1.0@\(digest)\n"
                + "--context=prod-eu --namespace=shop rollout status deployment/api --timeout=60s\n")
        let again = try berth("promote", "0.1.0", "--to", "prod")
        #expect(again.status == 0 && again.stdout.contains("already in prod with its tags, deployed"), "\(again.stdout)")

        let history = try LifecycleCLITests.json(try berth("history", "--json")) as? [[String: Any]]
        let kinds = history?.map { "\($0["kind"] as? String ?? "") \($0["environment"] as? String ?? "")" }
        #expect(
            kinds == [
                "deployed prod", "promoted prod", "deployed staging", "promoted staging", "promoted dev", "gate-evaluated ",
                "released ", "tagged ",
            ], "\(String(describing: kinds))")
        let deployed = history?.first?["details"] as? [String: String]
        #expect(deployed?["kubectl"] == "prod-eu" && deployed?["health"] == "200", "\(String(describing: deployed))")
        let status = try LifecycleCLITests.json(try berth("status", "--json")) as? [[String: Any]]
        #expect(status?.first { $0["environment"] as? String == "prod" }?["event"] as? String == "deployed")
    }

    @Test("a failed kubectl rollout is exit 1 naming kubectl's error; the promotion stays recorded, no deployed event")
    func kubectlFailure() async throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let image = "\(registry.host)/acme/api"
        let (repo, _) = try LifecycleCLITests.project(image: image)
        let kubectl = try Self.recordingKubectl(in: repo.path + "/..", failOn: "rollout status")
        try repo.write(
            "berth.yaml",
            "image:\n  names: [\(image)]\nledger: ../ledger.sqlite\ndeploy:\n  dev:\n    kubectl_context: kind-dev\n"
                + "    kubectl_deployment: api\n    container: api\n")
        try repo.git("add", "-A")
        try repo.commit("feat: deployable")
        let digest = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        let env = repo.environment.merging(["PATH": "\(kubectl.bin):/usr/bin:/bin"]) { $1 }
        func berth(_ arguments: String...) throws -> ShellResult { try cli.run(arguments, in: repo.path, environment: env) }
        try LifecycleCLITests.releaseCleared(cli, repo: repo, image: image, digest: digest, environment: env)
        let failed = try berth("promote", "0.1.0", "--to", "dev")
        #expect(
            failed.status == 1 && failed.stderr.contains("kubectl rollout status failed: error: deployment \"api\" exceeded"),
            "\(failed.stderr)")
        let history = try LifecycleCLITests.json(try berth("history", "--json")) as? [[String: Any]]
        #expect(history?.first?["kind"] as? String == "promoted", "the tags moved and are recorded; the deploy is not")
    }
}
