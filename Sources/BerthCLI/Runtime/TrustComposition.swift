import BerthCore
import BerthOCI
import BerthTrust
import Foundation

/// The composition root's part of content trust: key files read and written, the passphrase taken from
/// the environment (never a prompt, never an argument, never printed), the BerthTrust signer and
/// verifier built for the core's `SigningService` and `VerificationService`.
enum TrustComposition {
    /// The signer for the private key in `path`; its passphrase from `passphraseVariable` when encrypted.
    static func signer(keyPath: String, passphraseVariable: String, environment: [String: String]) throws -> KeySigner {
        let text = try read(keyPath, what: "private key")
        let passphrase = environment[passphraseVariable].flatMap { $0.isEmpty ? nil : $0 }
        do {
            return KeySigner(key: try SigningKey(pem: text, passphrase: passphrase, source: keyPath))
        } catch let error as BerthError where error.message.contains(SigningKey.passphraseVariable) {
            // The key names the default variable; say the one this command read.
            throw BerthError(
                error.kind, error.message.replacingOccurrences(of: SigningKey.passphraseVariable, with: passphraseVariable))
        }
    }

    /// `image` parsed, with the digest it must name: a tag can move between signing and pulling.
    static func digestReference(_ image: String, verb: String) throws -> (ImageReference, Digest) {
        let reference = try StoreFactory.reference(image)
        guard let digest = reference.digest else {
            throw BerthError(
                .usage, "'\(image)' names a tag; \(verb) a digest (berth registry digest \(image) prints it), as a tag can move")
        }
        return (reference, digest)
    }

    /// berth.yaml's `verify` per environment: its keys loaded (paths relative to the project; a key that
    /// can't be read is a configuration error naming the environment) and the attestations it requires.
    static func requirements(_ environments: [EnvironmentPolicy], projectDirectory: String) throws -> [String:
        SignatureRequirement]
    {
        var requirements: [String: SignatureRequirement] = [:]
        for environment in environments where !environment.verifyKeys.isEmpty {
            let verifiers = try environment.verifyKeys.map { path in
                let resolved = path.hasPrefix("/") ? path : projectDirectory + "/" + path
                do { return try verifier(keyPath: resolved) } catch let error as BerthError {
                    throw BerthError(.usage, "environment '\(environment.name)' verify key: \(error.message)")
                }
            }
            requirements[environment.name] = SignatureRequirement(
                environment: environment.name, verifiers: verifiers, attestations: environment.verifyAttestations)
        }
        return requirements
    }

    /// The verifier for the public key in `path`.
    static func verifier(keyPath: String) throws -> KeyVerifier {
        KeyVerifier(key: try VerificationKey(pem: read(keyPath, what: "public key"), source: keyPath))
    }

    static func read(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BerthError(.usage, "can't read the \(what) '\(path)': check the path (berth key generate writes one)")
        }
        guard data.count <= 64 * 1024 else {
            throw BerthError(.badInput, "'\(path)' is \(data.count) bytes, too large for a key file; give a PEM key")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes `text` to `path` with `mode`: through a temporary file in the same folder created
    /// exclusively with that mode (so the key is never readable by others, not even for a moment), then
    /// linked into place (refused when `path` exists) or, with `force`, renamed over it.
    static func writeKeyFile(_ text: String, to path: String, mode: mode_t, force: Bool) throws {
        let temporary = "\(path).tmp-\(UUID().uuidString.prefix(8))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            throw BerthError(
                .failure,
                "can't create '\(temporary)': \(String(cString: strerror(errno))); check the folder exists and is writable")
        }
        defer { unlink(temporary) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        _ = fchmod(descriptor, mode)
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0 else {
            throw BerthError(.failure, "can't write '\(path)': \(String(cString: strerror(errno)))")
        }
        if force {
            guard rename(temporary, path) == 0 else {
                throw BerthError(.failure, "can't replace '\(path)': \(String(cString: strerror(errno)))")
            }
        } else if link(temporary, path) != 0 {
            if errno == EEXIST {
                throw BerthError(
                    .conflict, "'\(path)' exists; berth never overwrites a key: choose another --output or pass --force")
            }
            throw BerthError(.failure, "can't write '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}
