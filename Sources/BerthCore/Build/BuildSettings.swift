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
    /// The binary's name in the image (`/app/NAME`); default: the image name's last part.
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

    /// Where files go in the image.
    public static let appDirectory = "app"
}
