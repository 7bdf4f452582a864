import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

struct GateTests {
    static let ownFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/scan-reports").path
    /// The image berth's own fixtures are about.
    static let image = ImageIdentity(
        digest: Digest("sha256:" + String(repeating: "d", count: 64))!, manifestDigests: [],
        configDigests: [Digest("sha256:" + String(repeating: "c", count: 64))!])
    /// 2024-01-12, two days after the fixtures were made.
    static let now = 1_705_017_600.0

    static func report(_ file: String, directory: String = ownFixtures) throws -> ScanReport {
        try ScanReport(parsing: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(file)")), name: file)
    }

    @Test(
        "the default policy on each of berth's own reports",
        arguments: [
            ("trivy-clean.json", GateDecision.Outcome.pass, [Severity: Int]()),
            ("trivy-critical.json", .block, [.critical: 1, .medium: 1, .low: 1]),
            ("trivy-high-2.json", .needsApproval, [.high: 2, .medium: 1, .unknown: 1]),
            ("trivy-high-4.json", .block, [.high: 4, .low: 1]),
            ("trivy-medium.json", .warn, [.medium: 1, .low: 1]),
            ("grype-high-1.json", .needsApproval, [.high: 1, .low: 1, .unknown: 1]),
        ])
    func defaultPolicy(file: String, outcome: GateDecision.Outcome, counts: [Severity: Int]) throws {
        let decision = try GateEvaluator.evaluate(
            Self.report(file), reportName: file, image: Self.image, policy: GatePolicy(), now: Self.now)
        #expect(decision.outcome == outcome, "\(decision.reasons)")
        #expect(decision.counts == counts)
        #expect(decision.image == Self.image.digest)
    }

    @Test("an exception removes a finding until its date, then it counts again with a warning")
    func exceptions() throws {
        var policy = GatePolicy()
        policy.exceptions = [
            GatePolicy.Exception(id: "CVE-2024-0001", until: "2024-01-31", reason: "not reachable from the service")
        ]
        let report = try Self.report("trivy-critical.json")
        let before = try GateEvaluator.evaluate(report, reportName: "r", image: Self.image, policy: policy, now: Self.now)
        #expect(before.outcome == .warn)
        #expect(before.excepted == ["CVE-2024-0001 (until 2024-01-31: not reachable from the service)"])
        let after = try GateEvaluator.evaluate(
            report, reportName: "r", image: Self.image, policy: policy, now: Self.now + 30 * 86_400)
        #expect(after.outcome == .block)
        #expect(after.reasons.contains { $0.contains("expired on 2024-01-31") })
    }

    @Test("a report older than the policy allows, or without a time, blocks")
    func reportAge() throws {
        var policy = GatePolicy()
        policy.maxReportAgeDays = 1
        let decision = try GateEvaluator.evaluate(
            Self.report("trivy-clean.json"), reportName: "r", image: Self.image, policy: policy, now: Self.now)
        #expect(decision.outcome == .block)
        #expect(decision.reasons == ["the report is 1.6 days old (policy: at most 1); scan the image again"])
        policy.maxReportAgeDays = 7
        #expect(
            try GateEvaluator.evaluate(
                Self.report("trivy-clean.json"), reportName: "r", image: Self.image, policy: policy, now: Self.now
            ).outcome == .pass)
    }

    @Test("a tag-format problem blocks")
    func tagFormat() throws {
        let decision = try GateEvaluator.evaluate(
            Self.report("trivy-clean.json"), reportName: "r", image: Self.image, policy: GatePolicy(), now: Self.now,
            tagProblem: "tag 'latest' breaks prod's naming rule")
        #expect(decision.outcome == .block)
    }

    @Test("a report about another image, or not about an image, is refused (exit 65)")
    func wrongSubject() throws {
        let other = ImageIdentity(digest: Digest.sha256(of: Data("other".utf8)), manifestDigests: [], configDigests: [])
        #expect(throws: BerthError.self) {
            try GateEvaluator.evaluate(
                Self.report("trivy-critical.json"), reportName: "r", image: other, policy: GatePolicy(), now: Self.now)
        }
        let error = #expect(throws: BerthError.self) {
            try GateEvaluator.evaluate(
                Self.report("trivy-filesystem.json"), reportName: "fs.json", image: Self.image, policy: GatePolicy(),
                now: Self.now)
        }
        #expect(error?.kind == .badInput && error?.message.contains("filesystem './src' with no image digest") == true)
    }

    @Test("truncated or foreign JSON is bad input, never a pass")
    func malformed() throws {
        for text in [try String(contentsOfFile: Self.ownFixtures + "/trivy-truncated.json", encoding: .utf8), "{}", "[1,2]", ""] {
            #expect(throws: BerthError.self) { try ScanReport(parsing: Data(text.utf8), name: "bad.json") }
        }
        let missing = #"{"SchemaVersion":2,"ArtifactName":"x","Results":[{"Vulnerabilities":[{"PkgName":"a"}]}]}"#
        #expect(throws: BerthError.self) { try ScanReport(parsing: Data(missing.utf8), name: "bad.json") }
    }

    @Test("RFC 3339 times with nanoseconds and offsets")
    func times() {
        #expect(RFC3339.seconds("2024-01-10T08:00:00.5Z") == 1_704_873_600.5)
        #expect(RFC3339.seconds("2024-01-10T10:00:00+02:00") == 1_704_873_600)
        #expect(RFC3339.seconds("") == nil && RFC3339.seconds("yesterday") == nil)
    }

    // MARK: The shared fixtures (real reports from Trivy's and Grype's test data)
    // Reported skipped where ../shared is absent (a fresh clone); berth's own scan-report fixtures cover every rule.

    static func shared() throws -> String { try #require(SharedFixtures.directory()) + "/scan-reports" }

    @Test("Trivy alpine 3.9: 2 critical, 4 medium — blocked; matched by its ImageID", .requires(.sharedFixtures))
    func trivyAlpine() throws {
        let shared = try Self.shared()
        let report = try Self.report("trivy-alpine-39.json", directory: shared)
        #expect(ScanReport.counts(report.findings) == [.critical: 2, .medium: 4])
        let image = ImageIdentity(
            digest: Digest.sha256(of: Data("index".utf8)), manifestDigests: [], configDigests: [report.subject.configDigest!])
        let decision = try GateEvaluator.evaluate(report, reportName: "alpine", image: image, policy: GatePolicy(), now: Self.now)
        #expect(decision.outcome == .block)
    }

    @Test(
        "Trivy scanned with --severity HIGH,CRITICAL is refused: the policy needs HIGH and MEDIUM counts it can't show",
        .requires(.sharedFixtures))
    func trivyFiltered() throws {
        let shared = try Self.shared()
        let report = try Self.report("trivy-alpine-39-high-critical.json", directory: shared)
        let image = ImageIdentity(
            digest: Digest.sha256(of: Data("index".utf8)), manifestDigests: [], configDigests: [report.subject.configDigest!])
        let error = #expect(throws: BerthError.self) {
            try GateEvaluator.evaluate(report, reportName: "filtered.json", image: image, policy: GatePolicy(), now: Self.now)
        }
        #expect(error?.message.contains("covers only CRITICAL") == true && error?.message.contains("HIGH, MEDIUM") == true)
        // A policy that reads only CRITICAL accepts it.
        var criticalOnly = GatePolicy()
        criticalOnly.rules = [.critical: .block]
        #expect(
            try GateEvaluator.evaluate(report, reportName: "filtered.json", image: image, policy: criticalOnly, now: Self.now)
                .outcome == .block)
    }

    @Test("Trivy of go.mod files is not about an image: refused; its counts are 1 medium, 4 unknown", .requires(.sharedFixtures))
    func trivyGoMod() throws {
        let shared = try Self.shared()
        let report = try Self.report("trivy-gomod.json", directory: shared)
        #expect(ScanReport.counts(report.findings) == [.medium: 1, .unknown: 4])
        #expect(throws: BerthError.self) {
            try GateEvaluator.evaluate(report, reportName: "gomod", image: Self.image, policy: GatePolicy(), now: Self.now)
        }
    }

    @Test(
        "Grype reports: counted by severity, matched by manifest digest or image ID",
        .requires(.sharedFixtures),
        arguments: [
            ("grype-image-snapshot.json", [Severity.critical: 1, .low: 1], GateDecision.Outcome.block),
            ("grype-chainguard-ruby.json", [.high: 3], .needsApproval),
            ("grype-empty.json", [:], .pass),
        ])
    func grype(file: String, counts: [Severity: Int], outcome: GateDecision.Outcome) throws {
        let shared = try Self.shared()
        let report = try Self.report(file, directory: shared)
        #expect(ScanReport.counts(report.findings) == counts)
        let subject = report.subject
        let image = ImageIdentity(
            digest: subject.manifestDigests.first ?? Digest.sha256(of: Data("x".utf8)),
            manifestDigests: Set(subject.manifestDigests),
            configDigests: Set([subject.configDigest].compactMap { $0 }))
        if subject.manifestDigests.isEmpty && subject.configDigest == nil {
            #expect(throws: BerthError.self) {
                try GateEvaluator.evaluate(report, reportName: file, image: image, policy: GatePolicy(), now: Self.now)
            }
            return
        }
        #expect(
            try GateEvaluator.evaluate(report, reportName: file, image: image, policy: GatePolicy(), now: Self.now).outcome
                == outcome)
    }
}
