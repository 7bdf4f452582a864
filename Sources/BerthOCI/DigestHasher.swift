import Crypto
import Foundation

/// Computes a digest incrementally, for content that passes in chunks.
public struct DigestHasher {
    private var sha256 = SHA256()
    private var sha512 = SHA512()
    public let algorithm: String
    public private(set) var count: Int64 = 0

    public init(algorithm: String) { self.algorithm = algorithm }

    public mutating func update(_ data: Data) {
        count += Int64(data.count)
        if algorithm == "sha512" { sha512.update(data: data) } else { sha256.update(data: data) }
    }

    /// The digest of everything passed so far.
    public func finalize() -> Digest {
        let hex =
            algorithm == "sha512"
            ? sha512.finalize().map { String(format: "%02x", $0) }.joined()
            : sha256.finalize().map { String(format: "%02x", $0) }.joined()
        return Digest("\(algorithm == "sha512" ? "sha512" : "sha256"):\(hex)")!
    }
}
