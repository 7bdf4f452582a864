import Foundation

/// How `berth build` makes an image (berth.yaml `build:`); defaults suit a static Go service.
public struct BuildSettings: Hashable, Sendable {
    /// How layers are stored.
    public enum Compression: String, Hashable, Sendable, CaseIterable {
        /// gzip from berth's own DEFLATE: the same bytes on every machine.
        case gzip
        /// Plain tar: larger, and the digest of the layer is its diff ID.
        case none
    }

    /// The Go package to build, relative to the module directory (`.`, `./cmd/server`).
    public var main = "."
    /// The binary's name in the image (`/app/NAME`); default: see `binaryName(goMod:)`.
    public var binary: String?
    /// Platforms to build, `os/arch[/variant]`.
    public var platforms = ["linux/amd64"]
    /// The base image, pinned by digest (`registry/repo:tag@sha256:…` or `oci:PATH@sha256:…`), or `scratch`.
    public var base = "scratch"
    /// The user the container runs as; non-root by default (distroless's `nonroot`).
    public var user = "65532:65532"
    /// Ports the service listens on (`8080`, `8080/tcp`).
    public var ports: [String] = []
    /// Environment variables set in the image.
    public var env: [String: String] = [:]
    /// A folder (relative to the module directory) copied to `/app/FOLDER` in a layer of its own.
    public var data: String?
    /// The layer format.
    public var compression = Compression.gzip
    /// The command that runs the Go tool (`go`, or a wrapper script that prepares GOPATH).
    public var goCommand = ["go"]
    /// Whether to attach an SPDX SBOM as an OCI referrer.
    public var sbom = true
    /// The Dockerfile `--driver` builds.
    public var dockerfile = "Dockerfile"

    public init() {}

    /// The binary's name: `binary`, else the last part of `main` (`./cmd/server` → `server`), else of the
    /// module path in go.mod (`example.com/gin-service` → `gin-service`) — never of a directory or a
    /// destination, which differ between machines and would change the image.
    public func binaryName(goMod: String?) -> String {
        if let binary { return binary }
        let mainName = main.split(separator: "/").last.map(String.init)
        if let mainName, mainName != "." { return mainName }
        for line in (goMod ?? "").split(separator: "\n") {
            let words = line.split(whereSeparator: \.isWhitespace)
            if words.count >= 2, words[0] == "module" {
                let path = words[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                // A major-version suffix (example.com/api/v2) isn't the name.
                let parts = path.split(separator: "/").map(String.init)
                if let last = parts.last, parts.count > 1, last.range(of: #"^v[0-9]+$"#, options: .regularExpression) != nil {
                    return parts[parts.count - 2]
                }
                if let last = parts.last { return last }
            }
        }
        return "app"
    }

    /// Where files go in the image.
    public static let appDirectory = "app"
}
