import BerthOCI
import Foundation

/// An SPDX 2.3 JSON SBOM of a Go binary, from its build info: the application, the Go standard
/// library and every module it links, each with a package URL (purl). Same inputs, same bytes.
public struct SPDXDocument: Sendable {
    public static let mediaType = "application/spdx+json"

    /// The document's bytes (canonical JSON).
    public let bytes: Data

    /// - Parameters:
    ///   - name: what the SBOM describes (the image name).
    ///   - version: the application's version (the plan's).
    ///   - buildInfo: the binary's `go version -m`.
    ///   - subject: the image manifest the SBOM is about; names the document uniquely.
    ///   - created: RFC 3339 time of the build.
    public init(name: String, version: String, buildInfo: GoBuildInfo, subject: Digest, created: String) throws {
        let application = buildInfo.main?.path ?? buildInfo.path ?? name
        var packages: [Package] = [
            Package(
                id: "SPDXRef-Application", name: application, version: version, purpose: "APPLICATION",
                // A Go module's version carries its `v` (purl-spec, type golang; Syft reads v0.1.0 too).
                purl: Self.purl(application, version.first?.isNumber == true ? "v" + version : version))
        ]
        let goVersion = buildInfo.goVersion
        packages.append(
            Package(
                id: "SPDXRef-Go-stdlib", name: "stdlib", version: goVersion, purpose: "LIBRARY",
                purl: "pkg:golang/stdlib@\(goVersion)"))
        for (index, module) in buildInfo.dependencies.enumerated() {
            let effective =
                module.replacement.map { GoBuildInfo.Module(path: $0.path, version: $0.version, sum: $0.sum) } ?? module
            packages.append(
                Package(
                    id: "SPDXRef-Module-\(index + 1)", name: module.path, version: effective.version, purpose: "LIBRARY",
                    purl: effective.path.hasPrefix(".") || effective.path.hasPrefix("/")
                        ? nil : Self.purl(effective.path, effective.version),
                    comment: module.replacement.map { "replaced by \($0.path) \($0.version)" }))
        }
        var relationships = [Relationship(element: "SPDXRef-DOCUMENT", type: "DESCRIBES", related: "SPDXRef-Application")]
        for package in packages.dropFirst() {
            relationships.append(Relationship(element: "SPDXRef-Application", type: "DEPENDS_ON", related: package.id))
        }
        let document = Document(
            name: name,
            documentNamespace: "urn:berth:spdx:\(subject.algorithm):\(subject.hex)",
            creationInfo: CreationInfo(created: created, creators: ["Tool: berth"]),
            packages: packages,
            relationships: relationships,
            documentDescribes: ["SPDXRef-Application"])
        bytes = try CanonicalJSON.encode(document)
    }

    /// A Go package URL (purl-spec, type golang): the module path's segments percent-encoded as needed.
    static func purl(_ path: String, _ version: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_~/")
        let encodedPath = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        let encodedVersion =
            version.addingPercentEncoding(withAllowedCharacters: allowed.subtracting(CharacterSet(charactersIn: "/"))) ?? version
        return "pkg:golang/\(encodedPath)@\(encodedVersion)"
    }

    private struct Document: Encodable {
        let spdxVersion = "SPDX-2.3"
        let dataLicense = "CC0-1.0"
        let spdxID = "SPDXRef-DOCUMENT"
        let name: String
        let documentNamespace: String
        let creationInfo: CreationInfo
        let packages: [Package]
        let relationships: [Relationship]
        let documentDescribes: [String]

        enum CodingKeys: String, CodingKey {
            case spdxVersion, dataLicense, spdxID = "SPDXID", name, documentNamespace, creationInfo, packages, relationships,
                documentDescribes
        }
    }

    private struct CreationInfo: Encodable {
        let created: String
        let creators: [String]
    }

    private struct Package: Encodable {
        let id: String
        let name: String
        let version: String
        let purpose: String
        let purl: String?
        var comment: String? = nil

        enum CodingKeys: String, CodingKey {
            case id = "SPDXID", name, version = "versionInfo", downloadLocation, filesAnalyzed, purpose = "primaryPackagePurpose",
                externalRefs, comment
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(version, forKey: .version)
            try container.encode("NOASSERTION", forKey: .downloadLocation)
            try container.encode(false, forKey: .filesAnalyzed)
            try container.encode(purpose, forKey: .purpose)
            try container.encodeIfPresent(comment, forKey: .comment)
            if let purl {
                try container.encode(
                    [["referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl]],
                    forKey: .externalRefs)
            }
        }
    }

    private struct Relationship: Encodable {
        let element: String
        let type: String
        let related: String

        enum CodingKeys: String, CodingKey {
            case element = "spdxElementId", type = "relationshipType", related = "relatedSpdxElement"
        }
    }
}
