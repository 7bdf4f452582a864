import BerthBuild
import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// A tiny Go module with a local dependency (a `replace`), so `go version -m` has a dep line offline.
enum GoFixture {
    static func module() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-go-\(UUID().uuidString)").path
        let files: [String: String] = [
            "app/go.mod":
                "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v0.1.0\n\nreplace example.com/greet => ../greet\n",
            "app/main.go": """
            package main

            import (
            \t"fmt"

            \t"example.com/greet"
            )

            var version = "dev"

            func main() { fmt.Println(greet.Hello(), version) }

            """,
            "greet/go.mod": "module example.com/greet\n\ngo 1.19\n",
            "greet/greet.go": "package greet\n\n// Hello greets.\nfunc Hello() string { return \"hello\" }\n",
        ]
        for (path, text) in files {
            let url = URL(fileURLWithPath: "\(root)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    /// GOCACHE and HOME inside the fixture, GOFLAGS cleared, no network.
    static func environment(_ root: String) -> [String: String] {
        ["GOCACHE": "\(root)/cache", "HOME": root, "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOTOOLCHAIN": "local"]
    }
}

@Suite(.requires(.go))
struct GoToolchainTests {
    @Test("go build runs with -trimpath, CGO_ENABLED=0 and the ldflags, and go version -m lists the replaced dep")
    func buildsAndReadsBuildInfo() async throws {
        let root = try GoFixture.module()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let toolchain = GoCommandToolchain(directory: "\(root)/app", environment: GoFixture.environment(root))
        var settings = BuildSettings()
        settings.main = "."
        let invocation = GoBuildInvocation(
            settings: settings, platform: try BuildPlatform(parsing: "linux/amd64"), ldflags: "-s -w -X main.version=1.2.3",
            output: "\(root)/out/hello")
        #expect(
            invocation.arguments == [
                "go", "build", "-trimpath", "-ldflags=-s -w -X main.version=1.2.3", "-o", "\(root)/out/hello", "--", ".",
            ])
        #expect(invocation.environment == ["GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "0"])
        let binary = try await toolchain.build(invocation)
        #expect(binary.contents.count > 100_000)
        let info = try #require(binary.buildInfo)
        #expect(info.main?.path == "example.com/hello")
        #expect(info.dependencies.map(\.path) == ["example.com/greet"])
        #expect(info.dependencies.first?.replacement?.path == "../greet")
        #expect(info.settings.contains { $0.key == "CGO_ENABLED" && $0.value == "0" })
        #expect(info.settings.contains { $0.key == "-trimpath" && $0.value == "true" })
        let run = try Shell.run("\(root)/out/hello", [])
        #expect(run.stdout == "hello 1.2.3\n")
    }

    @Test("a failing build shows the compiler's output and says what to do")
    func failingBuild() async throws {
        let root = try GoFixture.module()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "package main\n\nfunc main() { undefinedThing() }\n".write(
            toFile: "\(root)/app/main.go", atomically: true, encoding: .utf8)
        let toolchain = GoCommandToolchain(directory: "\(root)/app", environment: GoFixture.environment(root))
        let invocation = GoBuildInvocation(
            settings: BuildSettings(), platform: try BuildPlatform(parsing: "linux/arm64"), ldflags: "", output: "\(root)/out/x")
        let error = await #expect(throws: GoBuildFailure.self) { try await toolchain.build(invocation) }
        #expect(error?.description.contains("undefined: undefinedThing") == true)
        #expect(error?.description.contains("fix the errors above") == true)
    }

    @Test("a build.main that looks like a flag is a package go can't find, never a flag (-toolexec runs nothing)")
    func mainIsNeverAFlag() async throws {
        let root = try GoFixture.module()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let marker = "\(root)/toolexec-ran"
        let toolchain = GoCommandToolchain(directory: "\(root)/app", environment: GoFixture.environment(root))
        var settings = BuildSettings()
        settings.main = "-toolexec=/usr/bin/touch \(marker)"
        let invocation = GoBuildInvocation(
            settings: settings, platform: try BuildPlatform(parsing: "linux/amd64"), ldflags: "", output: "\(root)/out/x")
        await #expect(throws: GoBuildFailure.self) { try await toolchain.build(invocation) }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}

struct ParallelGzipTests {
    @Test("parallel segments give exactly the bytes of the sequential gzip")
    func sameBytes() {
        var state: UInt32 = 1
        var input: [UInt8] = []
        for index in 0..<(Deflate.segmentSize * 3 + 12345) {
            state = state &* 1_103_515_245 &+ 12345
            input.append(index % 5 == 0 ? UInt8(truncatingIfNeeded: state >> 16) : UInt8(index % 17))
        }
        #expect(ParallelGzip.compress(input) == Gzip.compress(input))
    }
}
