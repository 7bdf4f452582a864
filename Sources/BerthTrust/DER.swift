import BerthCore

/// The little DER that key files need: read one TLV tree, write TLVs (ITU-T X.690 §8, §10).
///
/// Only definite lengths and single-byte tags, as DER allows for the structures berth reads (PKCS#8,
/// PKIX, PBES2 parameters); anything else is refused rather than guessed at.
enum DER {
    static let integer: UInt8 = 0x02
    static let octetString: UInt8 = 0x04
    static let null: UInt8 = 0x05
    static let objectIdentifier: UInt8 = 0x06
    static let sequence: UInt8 = 0x30
    static let bitString: UInt8 = 0x03

    /// A parsed element: its tag and content bytes.
    struct Node: Equatable {
        let tag: UInt8
        let content: [UInt8]

        /// The elements inside a constructed node, in order.
        func children() throws(DERError) -> [Node] {
            var children: [Node] = []
            var offset = 0
            while offset < content.count {
                let (node, next) = try DER.read(content, at: offset)
                children.append(node)
                offset = next
            }
            return children
        }

        /// The content as a non-negative integer, when it fits.
        func unsignedInteger() throws(DERError) -> Int {
            guard tag == DER.integer, !content.isEmpty, content.count <= 8, content[0] & 0x80 == 0 else {
                throw DERError("expected a small non-negative INTEGER")
            }
            return content.reduce(0) { $0 << 8 | Int($1) }
        }
    }

    /// Parses exactly one element covering all of `bytes`.
    static func parse(_ bytes: [UInt8]) throws(DERError) -> Node {
        let (node, end) = try read(bytes, at: 0)
        guard end == bytes.count else { throw DERError("trailing bytes after the DER structure") }
        return node
    }

    static func read(_ bytes: [UInt8], at start: Int) throws(DERError) -> (Node, Int) {
        guard start + 2 <= bytes.count else { throw DERError("truncated DER") }
        let tag = bytes[start]
        guard tag & 0x1F != 0x1F else { throw DERError("multi-byte DER tags are not supported") }
        var offset = start + 1
        let first = bytes[offset]
        offset += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard count > 0, count <= 4, offset + count <= bytes.count else { throw DERError("bad DER length") }
            for byte in bytes[offset..<offset + count] { length = length << 8 | Int(byte) }
            offset += count
            guard length >= 0x80 else { throw DERError("non-minimal DER length") }
        }
        guard length <= bytes.count - offset else { throw DERError("truncated DER") }
        return (Node(tag: tag, content: Array(bytes[offset..<offset + length])), offset + length)
    }

    /// One element: tag, definite length, content.
    static func encode(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var length: [UInt8] = []
        if content.count < 0x80 {
            length = [UInt8(content.count)]
        } else {
            var count = content.count
            var bytes: [UInt8] = []
            while count > 0 {
                bytes.insert(UInt8(count & 0xFF), at: 0)
                count >>= 8
            }
            length = [0x80 | UInt8(bytes.count)] + bytes
        }
        return [tag] + length + content
    }

    static func sequence(_ parts: [[UInt8]]) -> [UInt8] { encode(sequence, parts.flatMap { $0 }) }

    static func unsignedInteger(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        repeat {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        } while rest > 0
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return encode(integer, bytes)
    }
}

/// A DER structure that isn't what it should be.
struct DERError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The object identifiers of the key and encryption formats berth reads and writes (content bytes).
enum OID {
    static let ecPublicKey: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]
    static let prime256v1: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
    static let ed25519: [UInt8] = [0x2B, 0x65, 0x70]
    static let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
    static let pbes2: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0D]
    static let pbkdf2: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0C]
    static let hmacWithSHA1: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x07]
    static let hmacWithSHA256: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x09]
    static let hmacWithSHA512: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x0B]
    static let aes128CBC: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02]
    static let aes256CBC: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2A]
}
