import BerthOCI

/// A predicate to attest about an image: what an in-toto Statement v1 says of its subject. The signer
/// wraps it in a statement naming the subject's digest, signs that as DSSE and returns a sigstore bundle.
public struct Attestation: Sendable, Equatable {
    /// What berth calls it in reports and on the command line (`provenance`, `sbom`, `vulnerabilities`).
    public let name: String
    /// The statement's `predicateType` URI.
    public let predicateType: String
    /// The predicate, a JSON object.
    public let predicate: JSONValue

    public init(name: String, predicateType: String, predicate: JSONValue) {
        self.name = name
        self.predicateType = predicateType
        self.predicate = predicate
    }

    /// The short names berth accepts for the predicate types it writes (`--require provenance`).
    public static let knownTypes: [String: String] = [
        "provenance": TrustFormats.slsaProvenancePredicate,
        "sbom": TrustFormats.spdxPredicate,
        "spdx": TrustFormats.spdxPredicate,
        "cyclonedx": TrustFormats.cycloneDXPredicate,
        "vulnerabilities": TrustFormats.verificationSummaryPredicate,
        "vsa": TrustFormats.verificationSummaryPredicate,
    ]

    /// The predicate type a name or URI stands for; nil for a name berth doesn't know.
    public static func predicateType(named text: String) -> String? {
        if text.contains(":") { return text }
        return knownTypes[text.lowercased()]
    }

    /// The short name of a predicate type berth writes, else the URI itself.
    public static func name(of predicateType: String) -> String {
        switch predicateType {
        case TrustFormats.slsaProvenancePredicate: "provenance"
        case TrustFormats.spdxPredicate, TrustFormats.cycloneDXPredicate: "sbom"
        case TrustFormats.verificationSummaryPredicate: "vulnerabilities"
        case TrustFormats.cosignSignPredicate: "signature"
        default: predicateType
        }
    }
}
