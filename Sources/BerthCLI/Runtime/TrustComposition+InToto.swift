import BerthCore
import BerthOCI
import BerthTrust
import Foundation

/// in-toto v0.9 files: the core's link and layout values signed by BerthTrust, written where in-toto
/// looks for them.
extension TrustComposition {
    /// Writes `link` signed by `signer` as `FOLDER/STEP.KEYID8.link` (made if missing, replaced atomically);
    /// returns the path.
    static func writeInTotoLink(_ link: InTotoBuildLink, signer: KeySigner, folder: String) throws -> String {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw BerthError(.failure, "can't create the link folder '\(folder)': check the path and its permissions")
        }
        let path = (folder as NSString).appendingPathComponent(
            InTotoClassic.linkFileName(step: link.step, key: signer.key.publicKey))
        try writeMetadata(InTotoClassic.metablock(signing: link.signed, with: signer.key), to: path)
        return path
    }

    /// Writes `layout` signed by `owner` to `path`, replaced atomically.
    static func writeInTotoLayout(_ layout: InTotoLayout, owner: KeySigner, to path: String) throws {
        try writeMetadata(InTotoClassic.metablock(signing: layout.signed, with: owner.key), to: path)
    }

    /// The layout's name for `key`: securesystemslib's key id and description.
    static func inTotoKey(_ key: VerificationKey) -> InTotoKey {
        InTotoKey(id: InTotoClassic.keyID(key), description: InTotoClassic.layoutKey(key))
    }

    private static func writeMetadata(_ data: Data, to path: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw BerthError(.failure, "can't write '\(path)': check the folder exists and is writable")
        }
    }
}

extension TrustDocuments {
    struct InTotoLinkDocument: Encodable {
        let link: String
        let keyID: String
        let step: String
        let materials: Int
        let product: String
        let digest: String
    }

    struct InTotoLayoutDocument: Encodable {
        let layout: String
        let ownerKeyID: String
        let functionaryKeyIDs: [String]
        let expires: String
        let sourceCheck: Bool
    }
}
