/// How a build is compiled: `go build` with an argument vector and environment, never a shell.
public struct GoBuildInvocation: Hashable, Sendable {
    /// The command and its arguments (`go build -trimpath -ldflags=… -o OUT -- ./cmd/server`).
    public let arguments: [String]
    /// Variables set on top of the caller's environment.
    public let environment: [String: String]
    /// Where the binary is written.
    public let output: String

    /// The invocation for `platform`: `CGO_ENABLED=0`, `-trimpath`, berth's ldflags. The package comes
    /// after `--`, so a `build.main` such as `-toolexec=…` is a (missing) package, never a flag.
    public init(settings: BuildSettings, platform: BuildPlatform, ldflags: String, output: String) {
        var arguments = settings.goCommand + ["build", "-trimpath"]
        if !ldflags.isEmpty { arguments += ["-ldflags=\(ldflags)"] }
        arguments += ["-o", output, "--", settings.main]
        self.arguments = arguments
        self.environment = platform.goEnvironment.merging(["CGO_ENABLED": "0"]) { $1 }
        self.output = output
    }
}

/// A compiled binary and what it says about itself.
public struct GoBinary: Sendable {
    public let contents: [UInt8]
    /// `go version -m` of the binary; nil when the toolchain couldn't tell.
    public let buildInfo: GoBuildInfo?

    public init(contents: [UInt8], buildInfo: GoBuildInfo?) {
        self.contents = contents
        self.buildInfo = buildInfo
    }
}

/// The Go toolchain (BerthBuild runs the real one).
public protocol GoToolchain: Sendable {
    /// Runs the build; a failed build throws with the compiler's output.
    func build(_ invocation: GoBuildInvocation) async throws -> GoBinary
}
