import BerthOCI
import Foundation

/// SLSA provenance v1 (slsa.dev/spec/v1.0/provenance) of an image berth built or attests: how it was
/// built (`buildDefinition`: berth's build type, the external parameters a user chose, the resolved
/// dependencies — the git commit, the base image, every Go module the binary links) and by whom
/// (`runDetails`: builder id with berth's version, the run's times). A pure value: same inputs, same bytes.
public struct SLSAProvenance: Sendable, Equatable {
    /// berth's build type: a reproducible, daemonless Go image (docs/signing.md, "Provenance").
    public static let buildType = "urn:berth:build-type:go-image:v1"
    /// The builder id when the caller names none.
    public static let defaultBuilderID = "urn:berth:builder"

    /// The source the image was built from.
    public struct Source: Sendable, Equatable {
        /// The repository's URL (`https://github.com/acme/api`), credentials already removed.
        public var repository: String
        /// The full commit id.
        public var commit: String?
        /// The ref built (`refs/heads/main`, `refs/tags/v1.2.0`).
        public var ref: String?

        public init(repository: String, commit: String? = nil, ref: String? = nil) {
            self.repository = repository
            self.commit = commit
            self.ref = ref
        }
    }

    /// The image built on: its reference as written and the digest resolved.
    public struct BaseImage: Sendable, Equatable {
        public var name: String
        public var digest: Digest

        public init(name: String, digest: Digest) {
            self.name = name
            self.digest = digest
        }
    }

    public var source: Source?
    public var version: String?
    /// `os/arch[/variant]` of every platform built.
    public var platforms: [String]
    /// The Go main package (`build.main`).
    public var main: String?
    public var baseImage: BaseImage?
    /// The Go toolchain's version (`go1.22.2`), from `go version -m`.
    public var goVersion: String?
    /// Every module the binary links, from `go version -m` (replacements applied).
    public var modules: [GoBuildInfo.Module]
    /// Where the module list came from when not from `go version -m` (`sbom`), recorded in the predicate.
    public var modulesSource: String?
    public var builderID: String
    public var berthVersion: String
    public var invocationID: String?
    /// RFC 3339 times of the build (or the attestation, for an image built elsewhere).
    public var startedOn: String?
    public var finishedOn: String?

    public init(
        source: Source?, version: String?, platforms: [String], main: String? = nil, baseImage: BaseImage?,
        goVersion: String?, modules: [GoBuildInfo.Module], modulesSource: String? = nil,
        builderID: String = SLSAProvenance.defaultBuilderID, berthVersion: String, invocationID: String? = nil,
        startedOn: String?, finishedOn: String?
    ) {
        self.source = source
        self.version = version
        self.platforms = platforms
        self.main = main
        self.baseImage = baseImage
        self.goVersion = goVersion
        self.modules = modules
        self.modulesSource = modulesSource
        self.builderID = builderID
        self.berthVersion = berthVersion
        self.invocationID = invocationID
        self.startedOn = startedOn
        self.finishedOn = finishedOn
    }

    /// The provenance as an attestation (predicate type `https://slsa.dev/provenance/v1`).
    public var attestation: Attestation {
        Attestation(name: "provenance", predicateType: TrustFormats.slsaProvenancePredicate, predicate: predicate)
    }

    /// The predicate: `{"buildDefinition": {…}, "runDetails": {…}}`.
    public var predicate: JSONValue {
        var external: [String: JSONValue] = ["platforms": .array(platforms.map(JSONValue.string))]
        if let source {
            if !source.repository.isEmpty { external["repository"] = .string(source.repository) }
            if let ref = source.ref { external["ref"] = .string(ref) }
            if let commit = source.commit { external["commit"] = .string(commit) }
        }
        if let version { external["version"] = .string(version) }
        if let main { external["main"] = .string(main) }
        var internalParameters: [String: JSONValue] = [:]
        if let goVersion { internalParameters["goVersion"] = .string(goVersion) }
        if let modulesSource { internalParameters["modulesFrom"] = .string(modulesSource) }

        var dependencies: [JSONValue] = []
        if let source, let commit = source.commit {
            var entry: [String: JSONValue] = ["name": .string("source"), "digest": .object(["gitCommit": .string(commit)])]
            if !source.repository.isEmpty {
                entry["uri"] = .string("git+" + source.repository + (source.ref.map { "@" + $0 } ?? ""))
            }
            dependencies.append(.object(entry))
        }
        if let baseImage {
            dependencies.append(
                .object([
                    "name": .string(baseImage.name),
                    "digest": .object([baseImage.digest.algorithm: .string(baseImage.digest.hex)]),
                    "annotations": .object(["role": .string("base-image")]),
                ]))
        }
        if let goVersion {
            dependencies.append(.object(["name": .string("stdlib"), "uri": .string("pkg:golang/stdlib@\(goVersion)")]))
        }
        for module in modules {
            let effective =
                module.replacement.map { GoBuildInfo.Module(path: $0.path, version: $0.version, sum: $0.sum) } ?? module
            var entry: [String: JSONValue] = ["name": .string(module.path)]
            if !effective.path.hasPrefix("."), !effective.path.hasPrefix("/") {
                entry["uri"] = .string(SPDXDocument.purl(effective.path, effective.version))
            }
            if let hex = effective.sum.flatMap(Self.dirHash) { entry["digest"] = .object(["dirHash": .string(hex)]) }
            if let replacement = module.replacement {
                entry["annotations"] = .object(["replacedBy": .string("\(replacement.path) \(replacement.version)")])
            }
            dependencies.append(.object(entry))
        }

        var builder: [String: JSONValue] = [
            "id": .string(builderID), "version": .object(["berth": .string(berthVersion)]),
        ]
        if let goVersion {
            builder["builderDependencies"] = .array([
                .object(["name": .string("go"), "uri": .string("pkg:golang/stdlib@\(goVersion)")])
            ])
        }
        var metadata: [String: JSONValue] = [:]
        if let invocationID { metadata["invocationId"] = .string(invocationID) }
        if let startedOn { metadata["startedOn"] = .string(startedOn) }
        if let finishedOn { metadata["finishedOn"] = .string(finishedOn) }
        var buildDefinition: [String: JSONValue] = [
            "buildType": .string(Self.buildType), "externalParameters": .object(external),
            "resolvedDependencies": .array(dependencies),
        ]
        if !internalParameters.isEmpty { buildDefinition["internalParameters"] = .object(internalParameters) }
        var runDetails: [String: JSONValue] = ["builder": .object(builder)]
        if !metadata.isEmpty { runDetails["metadata"] = .object(metadata) }
        return .object(["buildDefinition": .object(buildDefinition), "runDetails": .object(runDetails)])
    }

    /// A Go checksum `h1:<base64>` as in-toto's `dirHash` (DigestSet v1.1: the directory Hash1 in
    /// lowercase hex, without the prefix); nil for anything else.
    static func dirHash(_ sum: String) -> String? {
        guard sum.hasPrefix("h1:"), let bytes = Data(base64Encoded: String(sum.dropFirst(3))), bytes.count == 32 else {
            return nil
        }
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }
}
