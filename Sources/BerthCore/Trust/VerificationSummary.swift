import BerthOCI

/// berth's vulnerability gate decision as a SLSA verification summary v1
/// (slsa.dev/spec/v1.0/verification_summary): who judged (`verifier`), when, which image
/// (`resourceUri`), under which policy (`policy`, with its digest when known), from which scan report
/// (`inputAttestations`: the report's digest), and the verdict (`verificationResult`; `verifiedLevels`
/// says the gate's outcome: `BERTH_VULN_GATE_PASS`, `…_WARN`, or `FAILED`).
public struct VerificationSummary: Sendable, Equatable {
    public static let verifierID = "urn:berth:gate"

    public var gate: GateRecord
    /// The image the gate judged, `host/repo@sha256:…`.
    public var resourceURI: String
    /// RFC 3339 time of the decision (its ledger event's).
    public var timeVerified: String
    /// The policy's digest (sha256 of the configuration it came from), when known.
    public var policyDigest: Digest?
    public var berthVersion: String

    public init(gate: GateRecord, resourceURI: String, timeVerified: String, policyDigest: Digest?, berthVersion: String) {
        self.gate = gate
        self.resourceURI = resourceURI
        self.timeVerified = timeVerified
        self.policyDigest = policyDigest
        self.berthVersion = berthVersion
    }

    /// Whether the gate let the image through (pass or warn).
    public var passed: Bool { gate.outcome == .pass || gate.outcome == .warn }

    public var attestation: Attestation {
        Attestation(name: "vulnerabilities", predicateType: TrustFormats.verificationSummaryPredicate, predicate: predicate)
    }

    public var predicate: JSONValue {
        var policy: [String: JSONValue] = ["uri": .string("urn:berth:gate-policy:" + (gate.environment ?? "any"))]
        if let policyDigest { policy["digest"] = .object([policyDigest.algorithm: .string(policyDigest.hex)]) }
        var input: [String: JSONValue] = [
            "uri": .string(gate.reportFile.isEmpty ? "urn:berth:scan-report:\(gate.scanner)" : gate.reportFile)
        ]
        if let report = Digest(gate.report) { input["digest"] = .object([report.algorithm: .string(report.hex)]) }
        let level =
            switch gate.outcome {
            case .pass: "BERTH_VULN_GATE_PASS"
            case .warn: "BERTH_VULN_GATE_WARN"
            case .needsApproval, .block: "FAILED"
            }
        return .object([
            // The spec allows `verifier.version`, but in-toto-attestation's proto (0.9.3) refuses it: the id alone.
            "verifier": .object(["id": .string(Self.verifierID)]),
            "timeVerified": .string(timeVerified),
            "resourceUri": .string(resourceURI),
            "policy": .object(policy),
            "inputAttestations": .array([.object(input)]),
            "verificationResult": .string(passed ? "PASSED" : "FAILED"),
            "verifiedLevels": .array([.string(level)]),
        ])
    }
}
