import BerthCore
import BerthOCI
import Foundation
import Testing

/// The gate fails closed: a report berth can't read completely, or a severity it doesn't know, is bad input
/// (exit 65) naming the report and the JSON path — never a decision — and Trivy's secrets count.
struct ScanReportStrictTests {
    static func report(_ file: String) throws -> ScanReport { try GateTests.report(file) }

    static func refusal(_ file: String) throws -> BerthError? {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(GateTests.ownFixtures)/\(file)"))
        return #expect(throws: BerthError.self) { try ScanReport(parsing: data, name: file) }
    }

    static func decide(_ file: String, policy: GatePolicy = GatePolicy()) throws -> GateDecision {
        try GateEvaluator.evaluate(
            report(file), reportName: file, image: GateTests.image, policy: policy, now: GateTests.now)
    }

    @Test(
        "a wrong structure in berth's fixtures is refused with the report and the JSON path",
        arguments: [
            ("trivy-results-object.json", "Results is an object, not an array"),
            ("trivy-vulnerabilities-object.json", "Results[0].Vulnerabilities is an object, not an array"),
            ("trivy-vulnerability-string.json", "Results[0].Vulnerabilities[1] is a string, not an object"),
            ("grype-severity-number.json", "matches[0].vulnerability.severity is a number, not a string"),
        ])
    func wrongStructure(file: String, problem: String) throws {
        let error = try Self.refusal(file)
        #expect(error?.kind == .badInput)
        #expect(error?.message.hasPrefix("report '\(file)': \(problem);") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("\n") == false)
    }

    static let trivyHead =
        #""SchemaVersion":2,"ArtifactName":"x","Metadata":{"ImageID":"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"}"#
    static let grypeSource = #""source":{"type":"image","target":{"userInput":"x"}}"#

    @Test(
        "a wrong type at any level berth reads is refused, naming the path",
        arguments: [
            (#"{\#(trivyHead),"Results":"none"}"#, "Results is a string, not an array"),
            (#"{\#(trivyHead),"Results":[[]]}"#, "Results[0] is an array, not an object"),
            (
                #"{\#(trivyHead),"Results":[{"Vulnerabilities":[{"Severity":"LOW"}]}]}"#,
                "Results[0].Vulnerabilities[0].VulnerabilityID is missing"
            ),
            (
                #"{\#(trivyHead),"Results":[{"Vulnerabilities":[{"VulnerabilityID":7,"Severity":"LOW"}]}]}"#,
                "Results[0].Vulnerabilities[0].VulnerabilityID is a number, not a string"
            ),
            (
                #"{\#(trivyHead),"Results":[{"Vulnerabilities":[{"VulnerabilityID":"CVE-1","Severity":null}]}]}"#,
                "Results[0].Vulnerabilities[0].Severity is null, not a string"
            ),
            (
                #"{\#(trivyHead),"Results":[{"Vulnerabilities":[{"VulnerabilityID":"CVE-1","Severity":"LOW","FixedVersion":true}]}]}"#,
                "Results[0].Vulnerabilities[0].FixedVersion is a boolean, not a string"
            ),
            (
                #"{\#(trivyHead),"Results":[{"Target":".env","Secrets":{"aws":{"RuleID":"aws","Severity":"CRITICAL"}}}]}"#,
                "Results[0].Secrets is an object, not an array"
            ),
            (#"{\#(trivyHead),"Results":[{"Secrets":[{"Severity":"CRITICAL"}]}]}"#, "Results[0].Secrets[0].RuleID is missing"),
            (#"{\#(trivyHead),"Results":[{"Secrets":["aws CRITICAL"]}]}"#, "Results[0].Secrets[0] is a string, not an object"),
            (
                #"{"SchemaVersion":2,"ArtifactName":"x","Metadata":{"RepoDigests":"x@sha256:1"}}"#,
                "Metadata.RepoDigests is a string, not an array"
            ),
            (#"{"SchemaVersion":2,"ArtifactName":"x","Metadata":[]}"#, "Metadata is an array, not an object"),
            (#"{"matches":{"CVE-1":{}},\#(grypeSource)}"#, "matches is an object, not an array"),
            (#"{"matches":null,\#(grypeSource)}"#, "matches is null, not an array"),
            (#"{"matches":["CVE-1"],\#(grypeSource)}"#, "matches[0] is a string, not an object"),
            (#"{"matches":[{"artifact":{}}],\#(grypeSource)}"#, "matches[0].vulnerability is missing"),
            (
                #"{"matches":[{"vulnerability":{"id":"CVE-1","severity":"High","fix":"fixed"}}],\#(grypeSource)}"#,
                "matches[0].vulnerability.fix is a string, not an object"
            ),
            (
                #"{"matches":[{"vulnerability":{"id":"CVE-1","severity":"High"},"artifact":"openssl"}],\#(grypeSource)}"#,
                "matches[0].artifact is a string, not an object"
            ),
            (#"{"matches":[],"source":"image"}"#, "source is a string, not an object"),
            (
                #"{"matches":[],"source":{"type":"image","target":{"repoDigests":{"x":1}}}}"#,
                "source.target.repoDigests is an object, not an array"
            ),
        ])
    func wrongTypes(json: String, problem: String) {
        let error = #expect(throws: BerthError.self) { try ScanReport(parsing: Data(json.utf8), name: "r.json") }
        #expect(error?.kind == .badInput)
        #expect(error?.message.hasPrefix("report 'r.json': \(problem);") == true, "\(error?.message ?? "")")
    }

    @Test(
        "empty lists as Trivy writes them (omitted, or null) are fine",
        arguments: [
            #"{"SchemaVersion":2,"ArtifactName":"x"}"#,
            #"{"SchemaVersion":2,"ArtifactName":"x","Results":null}"#,
            #"{"SchemaVersion":2,"ArtifactName":"x","Results":[{"Target":"t"},{"Vulnerabilities":null,"Secrets":null}]}"#,
            #"{"SchemaVersion":2,"ArtifactName":"x","Metadata":{"ImageID":null,"RepoDigests":null}}"#,
            #"{"matches":[],"source":{"type":"unknown","target":"unknown"},"descriptor":{"timestamp":""}}"#,
        ])
    func emptyLists(json: String) throws {
        #expect(try ScanReport(parsing: Data(json.utf8), name: "r.json").findings.isEmpty)
    }

    @Test(
        "severities match after trimming and case-folding; vendor words map explicitly",
        arguments: [
            ("CRITICAL", Severity.critical), ("CRITICAL ", .critical), ("\tcritical\n", .critical), ("Critical", .critical),
            ("HIGH", .high), ("High", .high), ("Important", .high), ("IMPORTANT", .high),
            ("MEDIUM", .medium), ("Medium", .medium), ("Moderate", .medium),
            ("LOW", .low), ("Low", .low), ("Negligible", .low), ("unimportant", .low),
            ("UNKNOWN", .unknown), ("Unknown", .unknown), ("not yet assigned", .unknown), ("Not  Yet Assigned", .unknown),
        ])
    func knownSeverities(text: String, severity: Severity) {
        #expect(Severity(reported: text) == severity)
    }

    @Test(
        "a word berth doesn't know is no severity",
        arguments: ["Bogus", "", " ", "none", "CRIT", "4", "HIGH!", "not-yet-assigned"])
    func unknownWords(text: String) {
        #expect(Severity(reported: text) == nil)
    }

    @Test(
        "the default policy on reports with odd severities and secrets",
        arguments: [
            ("trivy-severity-whitespace.json", GateDecision.Outcome.block, [Severity.critical: 1, .medium: 1, .low: 1]),
            ("trivy-severity-vendor.json", .needsApproval, [.high: 1, .medium: 1, .low: 2, .unknown: 1]),
            ("trivy-secret-critical.json", .block, [.critical: 1, .low: 1]),
            ("trivy-null-lists.json", .warn, [.medium: 1]),
        ])
    func decisions(file: String, outcome: GateDecision.Outcome, counts: [Severity: Int]) throws {
        let decision = try Self.decide(file)
        #expect(decision.outcome == outcome, "\(decision.reasons)")
        #expect(decision.counts == counts)
    }

    @Test("a CRITICAL with a trailing space blocks as critical")
    func trailingSpace() throws {
        let decision = try Self.decide("trivy-severity-whitespace.json")
        #expect(decision.reasons.first == "1 critical (CVE-2024-0131): blocked (policy: any critical blocks)")
    }

    @Test("an unknown severity is refused (exit 65) with the value and the finding's id, never counted")
    func bogusSeverity() throws {
        let error = try Self.refusal("trivy-severity-bogus.json")
        #expect(error?.kind == .badInput)
        let message = error?.message ?? ""
        #expect(
            message.hasPrefix(
                #"report 'trivy-severity-bogus.json': Results[0].Vulnerabilities[1].Severity "Bogus" of CVE-2024-0152"#))
        #expect(!message.contains("\n"))
        let grype = #"{"matches":[{"vulnerability":{"id":"GHSA-1","severity":"Severe"}}],"source":{"type":"image"}}"#
        let refused = #expect(throws: BerthError.self) { try ScanReport(parsing: Data(grype.utf8), name: "g.json") }
        #expect(refused?.message.hasPrefix(#"report 'g.json': matches[0].vulnerability.severity "Severe" of GHSA-1"#) == true)
    }

    @Test("a secret's severity is mapped the same way, and an unknown one refused")
    func secretSeverity() throws {
        let report = try Self.report("trivy-secret-critical.json")
        let secret = try #require(report.findings.first { $0.kind == .secret })
        #expect(secret.id == "aws-access-key-id" && secret.package == "/app/config/.env" && secret.severity == .critical)
        let json =
            #"{"SchemaVersion":2,"ArtifactName":"x","Results":[{"Target":".env","Secrets":[{"RuleID":"jwt","Severity":"Sev1"}]}]}"#
        let error = #expect(throws: BerthError.self) { try ScanReport(parsing: Data(json.utf8), name: "s.json") }
        #expect(error?.message.hasPrefix(#"report 's.json': Results[0].Secrets[0].Severity "Sev1" of jwt"#) == true)
    }

    @Test("gates.count_secrets false excludes secrets explicitly, listing them with the decision")
    func secretsExcluded() throws {
        var policy = GatePolicy()
        #expect(policy.countSecrets)
        policy.countSecrets = false
        let decision = try Self.decide("trivy-secret-critical.json", policy: policy)
        #expect(decision.outcome == .pass)
        #expect(decision.counts == [.low: 1])
        #expect(decision.excepted == ["secret aws-access-key-id in /app/config/.env (critical; gates.count_secrets is false)"])
    }
}
