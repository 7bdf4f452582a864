import BerthCore
import BerthOCI
import Foundation

/// An in-toto Statement v1 (in-toto/attestation spec v1, "Statement"); the predicate is any JSON object.
public struct InTotoStatement: Codable, Sendable, Equatable {
    /// A ResourceDescriptor as a subject: a name and digests by algorithm.
    public struct Subject: Codable, Sendable, Equatable {
        public var name: String?
        public var digest: [String: String]

        public init(name: String? = nil, digest: [String: String]) {
            self.name = name
            self.digest = digest
        }
    }
    public var type: String
    public var subject: [Subject]
    public var predicateType: String
    public var predicate: JSONValue

    enum CodingKeys: String, CodingKey {
        case type = "_type"
        case subject, predicateType, predicate
    }

    public init(subject: [Subject], predicateType: String, predicate: JSONValue = .object([:])) {
        self.type = TrustFormats.statementType
        self.subject = subject
        self.predicateType = predicateType
        self.predicate = predicate
    }
}
