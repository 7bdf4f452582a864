import BerthCore
import BerthOCI
import Foundation
import Testing

@Suite("Clair v4 vulnerability reports: claircore's own expected reports, and every way one can't be read completely")
struct ClairReportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/clair").path

    static func data(_ file: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(file)"))
    }

    /// The image a report's manifest_hash names.
    static func image(_ hash: String) -> ImageIdentity {
        ImageIdentity(digest: Digest(hash)!, manifestDigests: [], configDigests: [])
    }

    @Test(
        "each of claircore's reports is read as Clair, its package × vulnerability pairs counted by normalized severity",
        arguments: [
            (
                "clair-bullseye-ruby.json", "sha256:a69611773e59734e43c2c6a892ee477bbbb3c7fe450c67621f466424215c9d1e",
                GateDecision.Outcome.warn, [Severity.medium: 2]
            ),
            (
                "clair-rhel8-python.json", "sha256:b5f7035fdee6d7bdc9180bc2d5d959802df4f85359d557aaba58b7f4e7755827",
                .block, [.critical: 3, .high: 2, .unknown: 4]
            ),
            (
                "clair-jackson-databind.json", "sha256:2324b83cece0e992cef8734c8203ac23445d21d6ff806e19d6da0bef894668fb",
                .block, [.critical: 2, .high: 6, .medium: 14, .low: 2]
            ),
        ])
    func claircoreReports(file: String, hash: String, outcome: GateDecision.Outcome, counts: [Severity: Int]) throws {
        let report = try ScanReport(parsing: Self.data(file), name: file)
        #expect(report.scanner == .clair)
        #expect(report.subject.manifestDigests == [Digest(hash)!])
        #expect(report.created == nil)
        let decision = try GateEvaluator.evaluate(
            report, reportName: file, image: Self.image(hash), policy: GatePolicy(), now: 1_800_000_000)
        #expect(decision.outcome == outcome, "\(decision.reasons)")
        #expect(decision.counts == counts)
        #expect(decision.scanner == .clair)
    }

    @Test("a finding carries the vulnerability's name, its package and whether a fix exists")
    func findingFields() throws {
        let report = try ScanReport(parsing: Self.data("clair-bullseye-ruby.json"), name: "r")
        let finding = try #require(report.findings.first { $0.id == "GHSA-w978-rmpf-qmwg" })
        #expect(finding.package == "secure_headers" && finding.installedVersion == "6.0.0" && finding.fixable)
    }

    @Test("a dated exception names a Clair finding by its vulnerability name")
    func exceptionByName() throws {
        var policy = GatePolicy()
        policy.rules[.medium] = .block
        policy.exceptions = [
            GatePolicy.Exception(id: "GHSA-w978-rmpf-qmwg", until: "2030-01-01", reason: "headers set statically"),
            GatePolicy.Exception(id: "GHSA-xq52-rv6w-397c", until: "2030-01-01", reason: "headers set statically"),
        ]
        let report = try ScanReport(parsing: Self.data("clair-bullseye-ruby.json"), name: "r")
        let decision = try GateEvaluator.evaluate(
            report, reportName: "r",
            image: Self.image("sha256:a69611773e59734e43c2c6a892ee477bbbb3c7fe450c67621f466424215c9d1e"), policy: policy,
            now: 1_800_000_000)
        #expect(decision.outcome == .pass && decision.excepted.count == 2)
    }

    @Test("Negligible counts as low; a vulnerability no package names is still counted; a pair listed twice once")
    func severityMapping() throws {
        var root = try Self.root("clair-bullseye-ruby.json")
        root["vulnerabilities"]?["15566"]?["normalized_severity"] = .string("Negligible")
        root["vulnerabilities"]?["99"] = .object([
            "id": .string("99"), "updater": .string("test"), "name": .string("CVE-2099-0001"),
            "normalized_severity": .string("Critical"),
        ])
        root["package_vulnerabilities"]?["2590"] = .array([.string("15566"), .string("15988"), .string("15988")])
        let report = try ScanReport(parsing: JSONEncoder().encode(root), name: "r")
        #expect(ScanReport.counts(report.findings) == [.low: 1, .medium: 1, .critical: 1])
    }

    static func root(_ file: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data(file))
    }

    /// One change to claircore's Bullseye report, and the words the refusal must carry.
    struct Broken: Sendable, CustomStringConvertible {
        let description: String
        let change: @Sendable (inout JSONValue) -> Void
        let says: [String]
    }

    static let broken: [Broken] = [
        Broken(
            description: "no manifest_hash is no Clair report", change: { $0["manifest_hash"] = nil }, says: ["neither Trivy"]),
        Broken(
            description: "a manifest_hash that is no digest", change: { $0["manifest_hash"] = .string("a69611773e59") },
            says: ["manifest_hash", "not a digest"]),
        Broken(
            description: "an index report (no vulnerabilities, no package_vulnerabilities)",
            change: {
                $0["vulnerabilities"] = nil
                $0["package_vulnerabilities"] = nil
            }, says: ["Clair index report", "vulnerability_report/sha256:a6961177"]),
        Broken(
            description: "vulnerabilities missing", change: { $0["vulnerabilities"] = nil },
            says: ["vulnerabilities is missing"]),
        Broken(
            description: "package_vulnerabilities missing", change: { $0["package_vulnerabilities"] = nil },
            says: ["package_vulnerabilities is missing"]),
        Broken(description: "packages missing", change: { $0["packages"] = nil }, says: ["packages is missing"]),
        Broken(
            description: "vulnerabilities an array", change: { $0["vulnerabilities"] = .array([]) },
            says: ["vulnerabilities is an array, not an object"]),
        Broken(
            description: "a pair naming a vulnerability the report doesn't hold",
            change: { $0["package_vulnerabilities"]?["2590"] = .array([.string("15566"), .string("424242")]) },
            says: ["package_vulnerabilities.2590[1]", "424242", "vulnerabilities doesn't hold"]),
        Broken(
            description: "a pair naming a package the report doesn't hold",
            change: { $0["package_vulnerabilities"]?["7"] = .array([.string("15566")]) },
            says: ["package_vulnerabilities.7", "packages doesn't hold"]),
        Broken(
            description: "a package's list that is a string",
            change: { $0["package_vulnerabilities"]?["2590"] = .string("15566") },
            says: ["package_vulnerabilities.2590 is a string, not an array"]),
        Broken(
            description: "a vulnerability id that is a number",
            change: { $0["package_vulnerabilities"]?["2590"] = .array([.integer(15566)]) },
            says: ["package_vulnerabilities.2590[0] is a number, not a string"]),
        Broken(
            description: "a severity outside Clair's six",
            change: { $0["vulnerabilities"]?["15988"]?["normalized_severity"] = .string("Important") },
            says: ["vulnerabilities.15988.normalized_severity", "\"Important\"", "GHSA-xq52-rv6w-397c", "won't guess"]),
        Broken(
            description: "a severity in another case",
            change: { $0["vulnerabilities"]?["15988"]?["normalized_severity"] = .string("MEDIUM") },
            says: ["\"MEDIUM\"", "normalized severities"]),
        Broken(
            description: "no normalized_severity",
            change: { $0["vulnerabilities"]?["15988"]?["normalized_severity"] = nil },
            says: ["vulnerabilities.15988.normalized_severity is missing"]),
        Broken(
            description: "a vulnerability that is a string", change: { $0["vulnerabilities"]?["15988"] = .string("x") },
            says: ["vulnerabilities.15988 is a string, not an object"]),
        Broken(
            description: "enrichments that are an array", change: { $0["enrichments"] = .array([]) },
            says: ["enrichments is an array, not an object"]),
    ]

    @Test("a report berth can't read completely decides nothing (exit 65), naming what is wrong", arguments: broken)
    func failsClosed(_ broken: Broken) throws {
        var root = try Self.root("clair-bullseye-ruby.json")
        broken.change(&root)
        #expect {
            try ScanReport(parsing: JSONEncoder().encode(root), name: "clair.json")
        } throws: { error in
            guard let error = error as? BerthError else { return false }
            return error.kind == .badInput && error.message.contains("clair.json")
                && broken.says.allSatisfy(error.message.contains) && !error.message.contains("\n")
        }
    }

    @Test("a report cut short is not JSON, and decides nothing")
    func truncated() throws {
        let data = try Self.data("clair-rhel8-python.json")
        #expect(throws: BerthError.self) { try ScanReport(parsing: data.prefix(data.count / 2), name: "r") }
    }

    @Test("a report about another manifest is refused before any decision")
    func anotherImage() throws {
        let report = try ScanReport(parsing: Self.data("clair-rhel8-python.json"), name: "clair.json")
        let other = Self.image("sha256:" + String(repeating: "e", count: 64))
        #expect {
            try GateEvaluator.evaluate(report, reportName: "clair.json", image: other, policy: GatePolicy(), now: 0)
        } throws: { error in
            (error as? BerthError)?.kind == .badInput && "\(error)".contains("b5f7035fdee6")
                && "\(error)".contains("not image sha256:eeeeeeeeeeee")
        }
    }

    @Test("a platform manifest of the gated index matches the report's manifest_hash")
    func platformOfIndex() throws {
        let report = try ScanReport(parsing: Self.data("clair-bullseye-ruby.json"), name: "r")
        let index = ImageIdentity(
            digest: Digest("sha256:" + String(repeating: "1", count: 64))!,
            manifestDigests: [Digest("sha256:a69611773e59734e43c2c6a892ee477bbbb3c7fe450c67621f466424215c9d1e")!],
            configDigests: [])
        #expect(try GateEvaluator.evaluate(report, reportName: "r", image: index, policy: GatePolicy(), now: 0).outcome == .warn)
    }
}
