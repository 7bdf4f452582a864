import Crypto
import Foundation

/// A content digest, `algorithm:hex` (OCI image-spec "Digests"): sha256 or sha512, lower-case hex.
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let algorithm: String
    public let hex: String

    /// Parses `sha256:<64 hex>` or `sha512:<128 hex>`; nil for anything else.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let algorithm = String(text[..<colon])
        let hex = String(text[text.index(after: colon)...])
        let length: Int
        switch algorithm {
        case "sha256": length = 64
        case "sha512": length = 128
        default: return nil
        }
        guard hex.utf8.count == length, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            return nil
        }
        self.algorithm = algorithm
        self.hex = hex
    }

    private init(algorithm: String, hex: String) {
        self.algorithm = algorithm
        self.hex = hex
    }

    /// The sha256 digest of `data`.
    public static func sha256(of data: Data) -> Digest {
        Digest(algorithm: "sha256", hex: SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
    }

    /// The digest of `data` with this digest's algorithm.
    public func computed(for data: Data) -> Digest {
        switch algorithm {
        case "sha512": Digest(algorithm: "sha512", hex: SHA512.hash(data: data).map { String(format: "%02x", $0) }.joined())
        default: Digest.sha256(of: data)
        }
    }

    /// Whether `data` hashes to this digest.
    public func matches(_ data: Data) -> Bool { computed(for: data) == self }

    public var description: String { "\(algorithm):\(hex)" }

    /// `sha256:4f1c2d3e4f5a…`, for messages.
    public var short: String { "\(algorithm):\(hex.prefix(12))" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = Digest(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a digest"))
        }
        self = digest
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
