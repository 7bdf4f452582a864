import Foundation
import NIOSSL

/// The certificate authorities berth trusts for registries: the system's (Debian's ca-certificates), plus
/// the PEM certificates in `SSL_CERT_FILE` and in the files of the `SSL_CERT_DIR` directories, the
/// variables crane, skopeo and cosign read, so a private CA set up for them works for berth too.
enum TrustRoots {
    static let fileVariable = "SSL_CERT_FILE"
    static let directoryVariable = "SSL_CERT_DIR"

    /// The client TLS configuration for `environment`; a variable that names nothing readable is a
    /// one-line error (never a silent fall back to fewer or more CAs than asked for).
    static func configuration(_ environment: [String: String]) -> Result<TLSConfiguration, TransportError> {
        var configuration = TLSConfiguration.makeClientConfiguration()
        var extra: [NIOSSLCertificate] = []
        if let file = environment[fileVariable], !file.isEmpty {
            guard let bytes = FileManager.default.contents(atPath: file) else {
                return .failure(
                    TransportError(
                        "\(fileVariable)=\(file) can't be read; point it at a PEM bundle or unset it", kind: .untrusted))
            }
            guard let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(bytes)), !certificates.isEmpty else {
                return .failure(
                    TransportError(
                        "\(fileVariable)=\(file) holds no PEM certificate; point it at a PEM bundle or unset it", kind: .untrusted
                    ))
            }
            extra += certificates
        }
        if let directories = environment[directoryVariable], !directories.isEmpty {
            for directory in directories.split(separator: ":").map(String.init) {
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                    return .failure(
                        TransportError(
                            "\(directoryVariable) names \(directory), which can't be read; list readable directories or unset it",
                            kind: .untrusted))
                }
                // As Go reads such a directory: every file that parses counts, anything else is skipped.
                for name in names.sorted() {
                    guard let bytes = FileManager.default.contents(atPath: "\(directory)/\(name)"),
                        let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(bytes))
                    else { continue }
                    extra += certificates
                }
            }
        }
        if !extra.isEmpty { configuration.additionalTrustRoots = [.certificates(extra)] }
        return .success(configuration)
    }
}
