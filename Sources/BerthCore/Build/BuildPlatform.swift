import BerthOCI

/// A platform to build for, as `os/arch[/variant]` (`linux/amd64`, `linux/arm/v7`), with the Go
/// environment that targets it and the OCI platform the image declares.
public struct BuildPlatform: Hashable, Sendable, CustomStringConvertible {
    public let os: String
    public let architecture: String
    public let variant: String?

    /// The operating systems and architectures Go can build static binaries for that containers run on.
    static let operatingSystems: Set<String> = ["linux"]
    static let architectures: Set<String> = [
        "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "mips64le", "loong64",
    ]

    /// Parses `linux/arm/v7`; an unknown OS, architecture or variant is an error naming the text.
    public init(parsing text: String) throws(BerthError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let hint =
            "use os/arch[/variant] with os linux and arch one of \(Self.architectures.sorted().joined(separator: ", ")) (e.g. linux/amd64, linux/arm64, linux/arm/v7)"
        guard (2...3).contains(parts.count), Self.operatingSystems.contains(parts[0]), Self.architectures.contains(parts[1])
        else {
            throw BerthError(.usage, "unknown platform '\(text)': \(hint)")
        }
        var variant = parts.count == 3 ? parts[2] : nil
        switch (parts[1], variant) {
        case ("arm", nil): variant = "v7"
        case ("arm", "v5"), ("arm", "v6"), ("arm", "v7"), (_, nil): break
        case ("arm64", "v8"): variant = nil
        default:
            throw BerthError(.usage, "unknown platform '\(text)': variant '\(variant!)' doesn't apply to \(parts[1]); \(hint)")
        }
        os = parts[0]
        architecture = parts[1]
        self.variant = variant
    }

    /// `GOOS`, `GOARCH` and, for arm, `GOARM`.
    public var goEnvironment: [String: String] {
        var environment = ["GOOS": os, "GOARCH": architecture]
        if architecture == "arm", let variant { environment["GOARM"] = String(variant.dropFirst()) }
        return environment
    }

    public var ociPlatform: Platform { Platform(architecture: architecture, os: os, variant: variant) }

    public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }

    /// Whether an image of `platform` runs here (the base image's child to build on).
    public func matches(_ platform: Platform) -> Bool {
        guard platform.os == os, platform.architecture == architecture else { return false }
        if architecture == "arm64" { return platform.variant == nil || platform.variant == "v8" }
        return platform.variant == variant || (variant == nil && platform.variant == nil)
    }
}
