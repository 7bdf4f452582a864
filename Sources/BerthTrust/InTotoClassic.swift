import BerthCore
import BerthOCI
import Crypto
import Foundation

/// in-toto v0.9 ("classic") metadata as `in-toto-verify` reads it (in-toto spec v0.9 §4: a Metablock of
/// `signed` and `signatures`), signed in securesystemslib's format: each signature is the key's over the
/// canonical JSON of `signed` (`securesystemslib.formats.encode_canonical`), hex, with securesystemslib's
/// key id. Keys are named as `in-toto-verify --verification-keys KEY.pub` names a PKIX PEM:
/// `ecdsa`/`ecdsa-sha2-nistp256` with the PEM as its value, `ed25519`/`ed25519` with the raw key in hex.
public enum InTotoClassic {
    /// securesystemslib's canonical JSON: keys sorted by code point, no whitespace, integers only,
    /// and only `"` and `\` escaped (every other character, control characters too, written as is).
    /// Floats are refused, as securesystemslib refuses them.
    public static func canonical(_ value: JSONValue) throws -> Data {
        var out = ""
        try write(value, to: &out)
        return Data(out.utf8)
    }

    private static func write(_ value: JSONValue, to out: inout String) throws {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .integer(let number): out += String(number)
        case .number:
            throw BerthError(.badInput, "in-toto metadata can't hold a floating-point number (canonical JSON has none)")
        case .string(let text): out += quoted(text)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                try write(item, to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            let keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out += "," }
                out += quoted(key) + ":"
                try write(members[key]!, to: &out)
            }
            out += "}"
        }
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The key as securesystemslib describes it (`SSlibKey.from_crypto`): key type, scheme and value.
    public static func keyDescription(_ key: VerificationKey) -> JSONValue {
        switch key.algorithm {
        case .ecdsaP256:
            .object([
                "keytype": .string("ecdsa"), "scheme": .string("ecdsa-sha2-nistp256"),
                "keyval": .object(["public": .string(key.pem)]),
            ])
        case .ed25519:
            .object([
                "keytype": .string("ed25519"), "scheme": .string("ed25519"),
                "keyval": .object(["public": .string(key.spki.suffix(32).lowercaseHex)]),
            ])
        }
    }

    /// securesystemslib's default key id: SHA-256 of the key description's canonical JSON, hex.
    public static func keyID(_ key: VerificationKey) -> String {
        SHA256.hash(data: try! canonical(keyDescription(key))).lowercaseHex
    }

    /// A layout's `keys` entry: the description with its key id inside, as in-toto's layouts hold it.
    public static func layoutKey(_ key: VerificationKey) -> JSONValue {
        guard case .object(var members) = keyDescription(key) else { return keyDescription(key) }
        members["keyid"] = .string(keyID(key))
        return .object(members)
    }

    /// A Metablock: `signed` with one signature by `key` over its canonical JSON. The file itself is
    /// ordinary JSON (keys sorted, control characters escaped): securesystemslib's canonical form writes
    /// a PEM's newlines raw, which Python's `json.load` refuses, so it is only what is signed.
    public static func metablock(signing signed: JSONValue, with key: SigningKey) throws -> Data {
        let signature = try key.signature(for: try canonical(signed))
        let block: JSONValue = .object([
            "signatures": .array([
                .object(["keyid": .string(keyID(key.publicKey)), "sig": .string(signature.lowercaseHex)])
            ]),
            "signed": signed,
        ])
        return try CanonicalJSON.encode(block)
    }

    /// The file name in-toto gives a step's link: `NAME.KEYID8.link` (`in_toto.models.link.FILENAME_FORMAT`).
    public static func linkFileName(step: String, key: VerificationKey) -> String {
        "\(step).\(keyID(key).prefix(8)).link"
    }
}
