import BerthOCI
import Foundation

/// A key as an in-toto v0.9 layout names it: securesystemslib's key id and description. BerthTrust
/// computes both from a public key; the core only places them.
public struct InTotoKey: Sendable, Equatable {
    public let id: String
    /// `keytype`, `scheme`, `keyval` and `keyid`, as the layout's `keys` holds them.
    public let description: JSONValue

    public init(id: String, description: JSONValue) {
        self.id = id
        self.description = description
    }
}

/// The `signed` part of the build step's in-toto v0.9 link (in-toto spec v0.9 §4.3): the tracked source
/// files as materials and the image as its one product.
///
/// The image is not a file, so it is named `image/<host>/<repository>` (`image/oci:<path>` for a
/// layout) with its manifest digest as the hash: in-toto treats artifact names as opaque strings that
/// rules match with fnmatch (`CREATE image/*`, or a later step's `MATCH image/* WITH PRODUCTS FROM
/// build`), and compares the `sha256` values, so the product stands for that exact manifest.
public struct InTotoBuildLink: Sendable, Equatable {
    public var step: String
    /// Path → SHA-256 of the file's bytes.
    public var materials: [String: Digest]
    public var productName: String
    public var product: Digest

    public init(step: String, materials: [String: Digest], productName: String, product: Digest) {
        self.step = step
        self.materials = materials
        self.productName = productName
        self.product = product
    }

    /// The product name berth gives `reference`'s image.
    public static func productName(for reference: ImageReference) -> String { "image/" + reference.ledgerName }

    public var signed: JSONValue {
        func hashes(_ digest: Digest) -> JSONValue { .object([digest.algorithm: .string(digest.hex)]) }
        return .object([
            "_type": .string("link"), "name": .string(step), "command": .array([]),
            "materials": .object(materials.mapValues(hashes)),
            "products": .object([productName: hashes(product)]),
            "byproducts": .object([:]), "environment": .object([:]),
        ])
    }
}

/// The `signed` part of an in-toto v0.9 layout (in-toto spec v0.9 §4.3) for berth's build step: the
/// functionaries' keys may sign its link, which must create one `image/*` product and nothing else.
///
/// With `sourceCheck`, an inspection named `source` runs `git ls-files` where `in-toto-verify` runs
/// (it must be the checkout, and git must be there) and records every file there; its rules
/// `MATCH * WITH MATERIALS FROM build` then `DISALLOW *` fail verification when a file differs from the
/// one the build read, or is there and was not read (in-toto itself leaves out `.git` and `*.link`).
/// An inspection is needed for that: in-toto checks the steps' rules before it runs inspections, so a
/// step can't refer to what an inspection saw.
public struct InTotoLayout: Sendable, Equatable {
    public static let buildStep = "build"
    public static let sourceInspection = "source"

    public var functionaries: [InTotoKey]
    /// `YYYY-MM-DDTHH:MM:SSZ`, the only form in-toto reads.
    public var expires: String
    public var sourceCheck: Bool
    public var readme: String

    public init(functionaries: [InTotoKey], expires: String, sourceCheck: Bool = true, readme: String = "") {
        self.functionaries = functionaries
        self.expires = expires
        self.sourceCheck = sourceCheck
        self.readme = readme
    }

    public var signed: JSONValue {
        func rule(_ words: String...) -> JSONValue { .array(words.map(JSONValue.string)) }
        let step: JSONValue = .object([
            "_type": .string("step"), "name": .string(Self.buildStep), "threshold": .integer(1),
            "pubkeys": .array(functionaries.map { .string($0.id) }), "expected_command": .array([]),
            "expected_materials": .array([rule("ALLOW", "*")]),
            "expected_products": .array([rule("CREATE", "image/*"), rule("DISALLOW", "*")]),
        ])
        var inspections: [JSONValue] = []
        if sourceCheck {
            inspections.append(
                .object([
                    "_type": .string("inspection"), "name": .string(Self.sourceInspection),
                    "run": .array([.string("git"), .string("ls-files")]),
                    "expected_materials": .array([
                        rule("MATCH", "*", "WITH", "MATERIALS", "FROM", Self.buildStep), rule("DISALLOW", "*"),
                    ]),
                    "expected_products": .array([rule("ALLOW", "*")]),
                ]))
        }
        return .object([
            "_type": .string("layout"), "expires": .string(expires), "readme": .string(readme),
            "keys": .object(Dictionary(functionaries.map { ($0.id, $0.description) }) { first, _ in first }),
            "steps": .array([step]), "inspect": .array(inspections),
        ])
    }
}

/// Reads what the build step's link records: every tracked file's SHA-256 through `SourceTree`, and the
/// image's manifest through `ImageStore` (it must be there, so a link never names a digest no store holds).
public struct InTotoLinkService: Sendable {
    let source: any SourceTree
    let store: any ImageStore

    public init(source: any SourceTree, store: any ImageStore) {
        self.source = source
        self.store = store
    }

    public func buildLink(for reference: ImageReference, digest: Digest, step: String = InTotoLayout.buildStep)
        async throws -> InTotoBuildLink
    {
        guard try await store.resolve(reference.repository, reference: digest.description) != nil else {
            throw BerthError(
                .failure, "\(reference.ledgerName)@\(digest) is not there; push the image first or check the digest")
        }
        var materials: [String: Digest] = [:]
        for path in try source.trackedFiles() {
            guard let bytes = try source.workingTreeContents(of: path) else { continue }
            materials[path] = .sha256(of: bytes)
        }
        guard !materials.isEmpty else {
            throw BerthError(.usage, "git tracks no files here; run berth attest in the checkout the image was built from")
        }
        return InTotoBuildLink(
            step: step, materials: materials, productName: InTotoBuildLink.productName(for: reference), product: digest)
    }
}
