import BerthOCI

/// What `berth verify --require …` (and berth.yaml's `environments[].verify.require`, `source_repository`,
/// `source_ref`) asks of an image beyond a signature: attestations of given predicate types by the trusted
/// key, and a provenance from a given source repository and ref. Judged on a verification report; pure.
///
/// Which subjects must carry each: a provenance every subject (the digest and each manifest of an
/// index); an SBOM every platform manifest (berth attaches one per platform; a lone manifest is its own
/// platform); any other predicate (the gate's summary) the digest asked for.
public struct AttestationPolicy: Sendable, Hashable {
    /// Predicate type URIs.
    public var required: [String]
    /// A provenance's `externalParameters.repository` must be one of these (any, when empty).
    public var repositories: [String]
    /// A provenance's `externalParameters.ref` must be one of these (`refs/heads/main`; a trailing `*`
    /// matches a prefix: `refs/tags/v*`); any, when empty.
    public var refs: [String]

    public init(required: [String] = [], repositories: [String] = [], refs: [String] = []) {
        self.required = required
        self.repositories = repositories
        self.refs = refs
        if (!repositories.isEmpty || !refs.isEmpty), !required.contains(TrustFormats.slsaProvenancePredicate) {
            self.required.append(TrustFormats.slsaProvenancePredicate)
        }
    }

    public var isEmpty: Bool { required.isEmpty }

    /// The policy in words, for a refusal: `a provenance from https://github.com/acme/api of refs/heads/main
    /// and an SBOM`.
    public var summary: String {
        required.map { predicateType in
            switch Attestation.name(of: predicateType) {
            case "provenance":
                var text = "a provenance"
                if !repositories.isEmpty { text += " from " + repositories.joined(separator: " or ") }
                if !refs.isEmpty { text += " of " + refs.joined(separator: " or ") }
                return text
            case "sbom": return "an SBOM"
            case "vulnerabilities": return "a vulnerability verification summary"
            default: return "a \(predicateType) attestation"
            }
        }.joined(separator: " and ")
    }

    /// Why `report` doesn't meet the policy, one line per subject and rule; empty when it does.
    public func violations(_ report: VerificationService.Report) -> [String] {
        guard !required.isEmpty else { return [] }
        // Fails closed: a report that checked nothing proves nothing.
        guard let top = report.subjects.first else { return ["no subject was checked"] }
        var reasons: [String] = []
        for predicateType in required {
            let name = Attestation.name(of: predicateType)
            let subjects: [Digest]
            switch predicateType {
            case TrustFormats.slsaProvenancePredicate: subjects = report.subjects
            case TrustFormats.spdxPredicate, TrustFormats.cycloneDXPredicate:
                subjects = report.subjects.filter { !report.indexes.contains($0) }
            default: subjects = [top]
            }
            for subject in subjects {
                let found = report.attestations(predicateType, on: subject)
                guard !found.isEmpty else {
                    // What was there but refused says more than its absence (another key, another digest).
                    let refused = report.findings.filter {
                        $0.subject == subject && !$0.kind.isSignature && !$0.verdict.accepted
                            && $0.predicateType == predicateType
                    }
                    let why = Array(Set(refused.map(\.verdict.reason))).sorted()
                    reasons.append(
                        "\(subject.short): no \(name) attestation by the key"
                            + (why.isEmpty ? "" : " (found one refused: \(why.joined(separator: "; ")))"))
                    continue
                }
                guard predicateType == TrustFormats.slsaProvenancePredicate else { continue }
                let judged = found.map { source(of: $0.predicate) }
                if !judged.contains(where: { $0 == nil }) {
                    reasons.append("\(subject.short): " + Array(Set(judged.compactMap { $0 })).sorted().joined(separator: "; "))
                }
            }
        }
        return reasons
    }

    /// Why a provenance's source isn't allowed; nil when it is.
    func source(of predicate: JSONValue?) -> String? {
        let parameters = predicate?["buildDefinition"]?["externalParameters"]
        let repository = parameters?["repository"]?.stringValue
        let ref = parameters?["ref"]?.stringValue
        if !repositories.isEmpty, !repositories.contains(where: { Self.sameRepository($0, repository) }) {
            return "provenance from repository '\(repository ?? "none")', not \(repositories.joined(separator: " or "))"
        }
        if !refs.isEmpty, !refs.contains(where: { Self.matches($0, ref) }) {
            return "provenance of ref '\(ref ?? "none")', not \(refs.joined(separator: " or "))"
        }
        return nil
    }

    /// Repositories compare without a trailing `.git` or `/`, case-insensitively (as GitHub and GitLab name them).
    static func sameRepository(_ wanted: String, _ actual: String?) -> Bool {
        guard let actual else { return false }
        func normal(_ text: String) -> String {
            var text = text
            while text.hasSuffix("/") { text.removeLast() }
            if text.hasSuffix(".git") { text.removeLast(4) }
            return text.lowercased()
        }
        return normal(wanted) == normal(actual)
    }

    static func matches(_ pattern: String, _ ref: String?) -> Bool {
        guard let ref else { return false }
        if pattern.hasSuffix("*") { return ref.hasPrefix(String(pattern.dropLast())) }
        return pattern == ref
    }
}
