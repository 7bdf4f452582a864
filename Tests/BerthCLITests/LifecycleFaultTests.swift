import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// The release lifecycle with `FaultProxy` between berth and a real registry: faults the retry policy
/// absorbs leave exactly one record; faults it can't absorb leave none, and the re-run converges.
@Suite("release and promotion through a fault-injecting proxy", .requires(.dockerRegistry))
struct LifecycleFaultTests {
    /// A project whose image is named through the proxy, HEAD's build pushed.
    struct Setup {
        let cli: CLIHarness
        let registry: RegistryServer
        let proxy: FaultProxy
        let image: String
        let repo: GitRepoBuilder
        let digest: String

        init() async throws {
            cli = try CLIHarness()
            registry = try RegistryServer()
            proxy = try FaultProxy(registry)
            image = "\(proxy.host)/acme/api"
            (repo, _) = try LifecycleCLITests.project(image: image)
            digest = try await LifecycleCLITests.pushBuild(cli, repo: repo, image: image)
        }

        func stop() {
            proxy.stop()
            registry.stop()
        }

        func berth(_ arguments: String...) throws -> ShellResult {
            try cli.run(
                arguments, in: repo.path, environment: repo.environment.merging(["BERTH_REGISTRY_TIMEOUT": "20s"]) { $1 })
        }

        /// The ledger's event kinds, oldest first.
        func eventKinds() throws -> [String] {
            let history = try berth("history", "--json", "--limit", "500")
            let events = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
            return events.compactMap { $0["kind"] as? String }.reversed()
        }
    }

    @Test("release, gate and promote through resets, cut-short bodies and 503s: each retried, one release, one promotion")
    func flakyRegistry() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        setup.proxy.inject(.status(503, retryAfter: "1"), method: "PUT", path: "/manifests/v0.1.0", on: .nth(1))
        setup.proxy.inject(.reset(afterBytes: 10), method: "GET", path: "/manifests/", on: .nth(1))
        try LifecycleCLITests.releaseCleared(
            setup.cli, repo: setup.repo, image: setup.image, digest: setup.digest,
            environment: setup.repo.environment)
        #expect(setup.proxy.injected.count == 2, "\(setup.proxy.injected)")

        setup.proxy.inject(.truncate(afterBytes: 20), method: "GET", path: "/manifests/", on: .nth(1))
        setup.proxy.inject(.status(503, retryAfter: nil), method: "PUT", path: "/manifests/v0.1.0-dev", on: .first(2))
        let promoted = try setup.berth("promote", "0.1.0", "--to", "dev", "-v")
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(promoted.stderr.contains("berth: retrying PUT http://\(setup.proxy.host)/v2/acme/api/manifests/v0.1.0-dev"))
        #expect(setup.proxy.injected.count == 5, "\(setup.proxy.injected)")
        let kinds = try setup.eventKinds()
        #expect(kinds.filter { $0 == "released" }.count == 1 && kinds.filter { $0 == "promoted" }.count == 1, "\(kinds)")
        #expect(try setup.berth("registry", "digest", "\(setup.image):v0.1.0-dev").stdout == "\(setup.digest)\n")
    }

    @Test("a registry that refuses every tag write: promote exits 1 with one line and records nothing; the re-run records one")
    func failingTagWrites() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        try LifecycleCLITests.releaseCleared(
            setup.cli, repo: setup.repo, image: setup.image, digest: setup.digest,
            environment: setup.repo.environment)
        let before = try setup.eventKinds()
        setup.proxy.inject(.status(500, retryAfter: nil), method: "PUT", path: "/manifests/", on: .always)
        let failed = try setup.berth("promote", "0.1.0", "--to", "dev")
        #expect(failed.status == 1, "\(failed.stderr)")
        let errors = failed.stderr.split(separator: "\n").filter { $0.hasPrefix("berth: error:") }
        #expect(errors.count == 1, "\(failed.stderr)")
        #expect(
            errors.first?.hasPrefix("berth: error: PUT http://\(setup.proxy.host)/v2/acme/api/manifests/v0.1.0-dev") == true,
            "\(failed.stderr)")
        #expect(try setup.eventKinds() == before)

        setup.proxy.clearFaults()
        let again = try setup.berth("promote", "0.1.0", "--to", "dev")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try setup.eventKinds() == before + ["promoted"])
    }
}
