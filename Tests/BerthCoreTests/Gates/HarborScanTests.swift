import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("Harbor's own scan as a gate: its artifact API's scan overview judged, and every scan that can't be trusted refused")
struct HarborScanTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/harbor").path
    static let digest = Digest("sha256:052240e8190b7057439d2bee1dffb9b37c8800e5c1af349f667635ae1debf8f3")!
    static let reportType = "application/vnd.security.vulnerability.report; version=1.1"

    static func data(_ file: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(file)")) }
    static func root(_ file: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data(file)) }

    /// An artifact API that answers from a table and records what it was asked.
    final class Source: RegistryScanSource, Sendable {
        let answer: @Sendable (String, String) throws -> Data
        let asked = Locked<[String]>([])

        init(_ answer: @escaping @Sendable (String, String) throws -> Data) { self.answer = answer }
        convenience init(_ data: Data) { self.init { _, _ in data } }

        func artifact(_ repository: String, reference: String) async throws -> Data {
            asked.withLock { $0.append("\(repository) \(reference)") }
            return try answer(repository, reference)
        }
    }

    static func service() -> (GateService, InMemoryLedger) {
        let ledger = InMemoryLedger()
        let dependencies = LifecycleDependencies(
            ledger: ledger, stores: InMemoryStores(), time: SteppedTime(Locked(1_712_100_000)), actor: "ci")
        return (GateService(dependencies), ledger)
    }

    @Test(
        "a finished, complete scan is judged under the policy and recorded like a report's decision; approve 4 needs an approval")
    func scannedArtifact() async throws {
        let (service, ledger) = Self.service()
        let source = Source(try Self.data("artifact-scanned.json"))
        let record = try await service.run(
            RegistryScanGateRequest(image: "harbor.example/xuel/ui/server/config-dev:1.4.0", policy: GatePolicy()),
            source: source)
        #expect(source.asked.current == ["xuel/ui/server/config-dev 1.4.0"])
        // Four high: more than the default policy's three with an approval.
        #expect(record.outcome == .block && record.counts == [.high: 4, .unknown: 1])
        #expect(record.reasons == ["4 high (Trivy's summary): blocked (policy: more than 3 blocks)"])
        #expect(record.digest == Self.digest && record.scanner == "harbor" && record.eventID != nil)
        #expect(record.reportFile == "harbor scan 65e8a295-749c-44e2-93fe-2ebb49b9e51a")
        #expect(record.repository == "harbor.example/xuel/ui/server/config-dev")
        let event = try #require(try await ledger.events(LedgerQuery(kinds: [.gateEvaluated])).first)
        #expect(GateRecord(event)?.outcome == .block)
        // The webhook names the same report alike: one report, one report digest.
        let summary = try #require(try HarborArtifact(parsing: Self.data("artifact-scanned.json"), name: "a").scan)
        #expect(
            record.report
                == Digest.sha256(of: Data("Trivy\n65e8a295-749c-44e2-93fe-2ebb49b9e51a\n\(Self.digest)".utf8)).description)
        #expect(summary.completePercent == 100 && summary.total == 5)
        var lenient = GatePolicy()
        lenient.rules[.high] = .approve(upTo: 4)
        let approval = try await service.preview(
            RegistryScanGateRequest(image: "harbor.example/xuel/app@\(Self.digest)", policy: lenient), source: source)
        #expect(approval.outcome == .needsApproval)
    }

    @Test("the environment's naming rule blocks a Harbor-judged image too")
    func tagRule() async throws {
        let (service, _) = Self.service()
        let record = try await service.preview(
            RegistryScanGateRequest(
                image: "harbor.example/xuel/app:1.4.0-rc.1", policy: GatePolicy(),
                environment: EnvironmentPolicy(name: "prod", requireFinal: true)),
            source: Source(try Self.data("artifact-scanned.json")))
        #expect(record.outcome == .block && record.reasons.last?.contains("not a final release") == true)
    }

    @Test("an index's platform manifests come from references[].child_digest")
    func indexChildren() throws {
        var root = try Self.root("artifact-scanned.json")
        let child = "sha256:" + String(repeating: "a", count: 64)
        root["references"] = .array([.object(["child_digest": .string(child), "platform": .object(["os": .string("linux")])])])
        let artifact = try HarborArtifact(parsing: JSONEncoder().encode(root), name: "a")
        #expect(artifact.identity.manifestDigests == [Self.digest, Digest(child)!])
    }

    /// One change to the scanned artifact, and the words the refusal must carry.
    struct Unreadable: Sendable, CustomStringConvertible {
        let description: String
        let file: String
        let change: @Sendable (inout JSONValue) -> Void
        let says: [String]

        init(
            _ description: String, file: String = "artifact-scanned.json",
            change: @escaping @Sendable (inout JSONValue) -> Void = { _ in },
            says: [String]
        ) {
            self.description = description
            self.file = file
            self.change = change
            self.says = says
        }
    }

    static func overview(_ root: inout JSONValue, _ key: String, _ value: JSONValue?) {
        root["scan_overview"]?[reportType]?[key] = value
    }

    static let unreadable: [Unreadable] = [
        Unreadable(
            "Harbor's portal mock: an overview not keyed by report type", file: "artifact-portal-mock.json",
            says: ["no vulnerability scan"]),
        Unreadable(
            "never scanned: no scan_overview", change: { $0["scan_overview"] = nil },
            says: ["no vulnerability scan", "scan on push"]),
        Unreadable(
            "an overview keyed only by the SBOM type",
            change: { root in
                root["scan_overview"] = .object([
                    "application/vnd.goharbor.harbor.sbom.v1": .object(["scan_status": .string("Success")])
                ])
            }, says: ["no vulnerability scan"]),
        Unreadable(
            "the portal test's Error report", file: "artifact-scan-error.json",
            says: ["\"Error\", not Success", "scan the image again"]),
        Unreadable(
            "a Pending scan", change: { overview(&$0, "scan_status", .string("Pending")) },
            says: ["\"Pending\", not Success", "wait for it to finish"]),
        Unreadable(
            "a Running scan", change: { overview(&$0, "scan_status", .string("Running")) },
            says: ["\"Running\"", "wait for it to finish"]),
        Unreadable("a Stopped scan", change: { overview(&$0, "scan_status", .string("Stopped")) }, says: ["\"Stopped\""]),
        Unreadable("no scan_status", change: { overview(&$0, "scan_status", nil) }, says: ["\"missing\", not Success"]),
        Unreadable(
            "an index's Success with platforms unscanned", change: { overview(&$0, "complete_percent", .integer(50)) },
            says: ["only 50% complete", "100% complete"]),
        Unreadable(
            "a Success without a summary", change: { overview(&$0, "summary", nil) }, says: ["no summary of its findings"]),
        Unreadable(
            "the schema's examples: Critical 5 and High 5 of a total of 500", file: "artifact-swagger-examples.json",
            says: ["counts 10 findings", "total of 500"]),
        Unreadable(
            "a severity berth doesn't know",
            change: { root in
                root["scan_overview"]?[reportType]?["summary"]?["summary"] = .object(["High": .integer(4), "Bogus": .integer(1)])
            }, says: ["\"bogus\"", "won't guess"]),
        Unreadable(
            "a count that is a string",
            change: { root in
                root["scan_overview"]?[reportType]?["summary"]?["summary"]?["High"] = .string("4")
            }, says: ["summary.summary.High is a string, not a count"]),
        Unreadable(
            "a negative count", change: { root in root["scan_overview"]?[reportType]?["summary"]?["total"] = .integer(-1) },
            says: ["summary.total is -1, not a count"]),
        Unreadable("a digest that isn't one", change: { $0["digest"] = .string("latest") }, says: ["digest is not a digest"]),
        Unreadable("no digest", change: { $0["digest"] = nil }, says: ["digest is missing"]),
        Unreadable(
            "a complete_percent that is text", change: { overview(&$0, "complete_percent", .string("100")) },
            says: ["complete_percent is a string, not a count"]),
        Unreadable("an array, not an artifact", change: { $0 = .array([]) }, says: ["the document is an array, not an object"]),
    ]

    @Test(
        "a scan that is missing, unfinished, partial or doesn't add up decides nothing and is never recorded",
        arguments: unreadable)
    func failsClosed(_ case: Unreadable) async throws {
        var root = try Self.root(`case`.file)
        `case`.change(&root)
        let (service, ledger) = Self.service()
        let body = try JSONEncoder().encode(root)
        await #expect {
            try await service.run(
                RegistryScanGateRequest(image: "harbor.example/xuel/app:1.4.0", policy: GatePolicy()), source: Source(body))
        } throws: { error in
            guard let error = error as? BerthError else { return false }
            return error.kind == .badInput && `case`.says.allSatisfy(error.message.contains) && !error.message.contains("\n")
        }
        #expect(try await ledger.events(LedgerQuery(kinds: [.gateEvaluated])).isEmpty)
    }

    @Test("Harbor answering for another digest than the one asked for is refused")
    func anotherDigest() async throws {
        let (service, _) = Self.service()
        let asked = "sha256:" + String(repeating: "b", count: 64)
        let error = await #expect(throws: BerthError.self) {
            try await service.run(
                RegistryScanGateRequest(image: "harbor.example/xuel/app@\(asked)", policy: GatePolicy()),
                source: Source(try Self.data("artifact-scanned.json")))
        }
        #expect(error?.kind == .badInput && error?.message.contains("another image") == true)
    }

    @Test("an answer that isn't JSON (a proxy's page) decides nothing")
    func notJSON() async throws {
        let (service, _) = Self.service()
        let error = await #expect(throws: BerthError.self) {
            try await service.run(
                RegistryScanGateRequest(image: "harbor.example/xuel/app:1", policy: GatePolicy()),
                source: Source(Data("<html>login</html>".utf8)))
        }
        #expect(error?.kind == .badInput && error?.message.contains("not JSON") == true)
    }

    @Test("the registry's refusal (401, 404…) passes through; nothing is recorded")
    func refusal() async throws {
        let (service, ledger) = Self.service()
        let source = Source { _, _ in throw ImageStoreError(.unauthorized, "GET …: 401; docker login harbor.example") }
        await #expect(throws: ImageStoreError.self) {
            try await service.run(
                RegistryScanGateRequest(image: "harbor.example/xuel/app:1", policy: GatePolicy()), source: source)
        }
        #expect(try await ledger.events(LedgerQuery(kinds: [.gateEvaluated])).isEmpty)
    }

    @Test("an OCI layout has no registry scan: a usage error")
    func layout() async throws {
        let (service, _) = Self.service()
        let error = await #expect(throws: BerthError.self) {
            try await service.run(RegistryScanGateRequest(image: "oci:/tmp/x:1", policy: GatePolicy()), source: Source(Data()))
        }
        #expect(error?.kind == .usage)
    }

    @Test("the webhook's summary is held to the same rule: a partial index scan records no decision")
    func webhookPartial() throws {
        let summary = ScanSummary(
            scanner: "Trivy", status: "Success", counts: ["high": 1], total: 1, reportID: "r", completePercent: 50)
        #expect(throws: BerthError.self) {
            try GateEvaluator.evaluate(summary: summary, image: Self.digest, report: Self.digest, policy: GatePolicy(), now: 0)
        }
    }
}
