// swift-tools-version:5.4
import PackageDescription

// Coverage-guided fuzzing (libFuzzer) of every parser berth runs on outside input: one executable per
// parser, each defining LLVMFuzzerTestOneInput. A package of its own so the main build and CI's normal
// `swift build` never see -sanitize=fuzzer. Build and run with scripts/fuzz.sh; see README.md.
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM links Linux executables with `--defsym main=<module>_main`,
// and a fuzz target has no Swift main (libFuzzer's main calls LLVMFuzzerTestOneInput).
let fuzzers = [
    "semver", "conventional-commit", "image-reference", "registry-host", "berth-yaml", "dockerfile", "scan-report",
    "oci-manifest", "www-authenticate", "docker-config", "metadata-action", "tag-template", "webhook", "trust-pem",
    "trust-der", "trust-dsse", "trust-bundle",
]

let package = Package(
    name: "berth-fuzz",
    platforms: [.macOS("14.0")],
    dependencies: [.package(name: "berth", path: "..")],
    targets: fuzzers.map { name in
        .executableTarget(
            name: name,
            dependencies: [.product(name: "BerthFuzzable", package: "berth")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
