import BerthCore
import Foundation

/// One PEM block (RFC 7468): `-----BEGIN LABEL-----`, base64 of DER, `-----END LABEL-----`.
struct PEMBlock: Equatable {
    let label: String
    let der: [UInt8]

    init(label: String, der: [UInt8]) {
        self.label = label
        self.der = der
    }

    /// The first block of `text`. `source` names the input in errors.
    init(parsing text: String, source: String) throws {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) else {
            throw BerthError(.badInput, "'\(source)' is not a PEM file (no -----BEGIN line); give a PEM key file")
        }
        let label = String(lines[begin].dropFirst("-----BEGIN ".count).dropLast(5))
        guard let end = lines[begin...].firstIndex(of: "-----END \(label)-----") else {
            throw BerthError(.badInput, "'\(source)': the PEM block '\(label)' has no END line; the file is truncated")
        }
        let body = lines[(begin + 1)..<end]
        if body.contains(where: { $0.contains(":") }) {
            throw BerthError(
                .badInput,
                "'\(source)' uses OpenSSL's legacy PEM encryption (Proc-Type headers), which berth doesn't read; "
                    + "convert it: openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD -out NEW")
        }
        guard let der = Data(base64Encoded: body.joined()) else {
            throw BerthError(.badInput, "'\(source)': the PEM block '\(label)' is not valid base64")
        }
        self.label = label
        self.der = Array(der)
    }

    /// The block as text, 64 characters a line, ending in a newline.
    var text: String {
        let encoded = Data(der).base64EncodedString()
        var lines = ["-----BEGIN \(label)-----"]
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let next = encoded.index(index, offsetBy: 64, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<next]))
            index = next
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }
}
