import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

struct TarArchiveTests {
    @Test("entries are sorted by bytes, parents added, owners 0, fixed modes and one mtime; the checksum is valid")
    func headers() throws {
        let archive = TarArchive(
            files: [
                .init(path: "app/zeta.txt", contents: Array("z".utf8), executable: false),
                .init(path: "app/bin/server", contents: [UInt8](repeating: 1, count: 600), executable: true),
            ], modificationTime: 1_704_067_200)
        let bytes = try archive.bytes()
        var entries: [(name: String, mode: String, uid: String, mtime: String, type: UInt8, uname: String)] = []
        var offset = 0
        while offset + 512 <= bytes.count, bytes[offset] != 0 {
            let block = Array(bytes[offset..<offset + 512])
            func field(_ start: Int, _ length: Int) -> String {
                String(decoding: block[start..<start + length].prefix { $0 != 0 }, as: UTF8.self)
            }
            let stored = Int(field(148, 8).trimmingCharacters(in: .whitespaces), radix: 8)
            var sum = 0
            for (index, byte) in block.enumerated() { sum += (148..<156).contains(index) ? 32 : Int(byte) }
            #expect(stored == sum, "checksum of \(field(0, 100))")
            entries.append((field(0, 100), field(100, 8), field(108, 8), field(136, 12), block[156], field(265, 32)))
            let size = Int(field(124, 12), radix: 8)!
            offset += 512 + (size + 511) / 512 * 512
        }
        #expect(entries.map(\.name) == ["app/", "app/bin/", "app/bin/server", "app/zeta.txt"])
        #expect(entries.map(\.mode) == ["0000755", "0000755", "0000755", "0000644"])
        #expect(Set(entries.map(\.uid)) == ["0000000"])
        #expect(Set(entries.map(\.mtime)) == ["14544400200"])
        #expect(Set(entries.map(\.uname)) == [""])
        #expect(entries.map(\.type) == [UInt8(ascii: "5"), UInt8(ascii: "5"), UInt8(ascii: "0"), UInt8(ascii: "0")])
        #expect(bytes.count % 512 == 0 && bytes.suffix(1024).allSatisfy { $0 == 0 })
        // The same files in another order give the same bytes.
        #expect(try TarArchive(files: archive.files.reversed(), modificationTime: 1_704_067_200).bytes() == bytes)
    }

    @Test("a long path goes into the ustar prefix; bad paths are refused with the path named")
    func paths() throws {
        let long = "app/" + String(repeating: "d", count: 90) + "/" + String(repeating: "f", count: 60)
        let bytes = try TarArchive(files: [.init(path: long, contents: [], executable: false)], modificationTime: 0).bytes()
        #expect(bytes.count == 512 * 3 + 1024)
        for bad in ["/etc/passwd", "app/../etc", "app//x", ""] {
            #expect(throws: TarArchive.Problem.invalidPath(bad)) {
                try TarArchive(files: [.init(path: bad, contents: [], executable: false)], modificationTime: 0).bytes()
            }
        }
        #expect(throws: TarArchive.Problem.duplicatePath("a")) {
            try TarArchive(
                files: [.init(path: "a", contents: [], executable: false), .init(path: "a", contents: [1], executable: false)],
                modificationTime: 0
            ).bytes()
        }
    }

    @Test("the real tar lists berth's archive with the fixed owner, modes and time")
    func realTar() throws {
        let bytes = try TarArchive(
            files: [.init(path: "app/server", contents: Array("#!".utf8), executable: true)], modificationTime: 1_704_067_200
        ).bytes()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-\(UUID().uuidString).tar").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let listing = try Shell.run("/bin/tar", ["--numeric-owner", "--utc", "-tvf", path], environment: ["TZ": "UTC"])
        #expect(
            listing.stdout
                == "drwxr-xr-x 0/0               0 2024-01-01 00:00 app/\n-rwxr-xr-x 0/0               2 2024-01-01 00:00 app/server\n"
        )
    }
}

struct BuildPlatformTests {
    @Test(
        "platforms parse to GOOS/GOARCH/GOARM and OCI platforms",
        arguments: [
            ("linux/amd64", ["GOOS": "linux", "GOARCH": "amd64"], "linux/amd64"),
            ("linux/arm64", ["GOOS": "linux", "GOARCH": "arm64"], "linux/arm64"),
            ("linux/arm64/v8", ["GOOS": "linux", "GOARCH": "arm64"], "linux/arm64"),
            ("linux/arm/v6", ["GOOS": "linux", "GOARCH": "arm", "GOARM": "6"], "linux/arm/v6"),
            ("linux/arm", ["GOOS": "linux", "GOARCH": "arm", "GOARM": "7"], "linux/arm/v7"),
            ("linux/s390x", ["GOOS": "linux", "GOARCH": "s390x"], "linux/s390x"),
        ])
    func valid(text: String, environment: [String: String], canonical: String) throws {
        let platform = try BuildPlatform(parsing: text)
        #expect(platform.goEnvironment == environment)
        #expect(platform.description == canonical)
        #expect(platform.ociPlatform.description == canonical)
    }

    @Test(
        "unknown platforms are refused with the text and the accepted forms",
        arguments: ["windows/amd64", "linux", "linux/x86", "linux/amd64/v9", "linux/arm/v9", ""])
    func invalid(text: String) {
        #expect {
            try BuildPlatform(parsing: text)
        } throws: { error in
            let message = (error as? BerthError)?.message ?? ""
            return message.contains("'\(text)'") && message.contains("linux/arm64")
        }
    }

    @Test("arm64 matches a base child with or without the v8 variant; arm/v7 doesn't match arm/v6")
    func matching() throws {
        #expect(try BuildPlatform(parsing: "linux/arm64").matches(Platform(architecture: "arm64", os: "linux", variant: "v8")))
        #expect(try BuildPlatform(parsing: "linux/arm64").matches(Platform(architecture: "arm64", os: "linux")))
        #expect(!(try BuildPlatform(parsing: "linux/arm/v7").matches(Platform(architecture: "arm", os: "linux", variant: "v6"))))
    }
}

struct GoBuildInfoTests {
    static let moduleOutput = """
        /tmp/out/hello: go1.19.8
        \tpath\texample.com/hello
        \tmod\texample.com/hello\t(devel)\t
        \tdep\texample.com/greet\tv0.1.0
        \t=>\t../greet\t(devel)\t
        \tdep\tgithub.com/gin-gonic/gin\tv1.8.1\th1:4+fr/el88TOO3ewCmQr8cx/CtZ/umlIRIs5M4NTNjf8=
        \tbuild\t-compiler=gc
        \tbuild\t-ldflags="-s -w -X main.version=1.2.3"
        \tbuild\tCGO_ENABLED=0
        \tbuild\tvcs.revision=0123456789abcdef

        """

    @Test("go version -m of a module build: main module, deps with sums and replacements, settings")
    func module() throws {
        let info = try GoBuildInfo(parsing: Self.moduleOutput)
        #expect(info.goVersion == "go1.19.8")
        #expect(info.main == GoBuildInfo.Module(path: "example.com/hello", version: "(devel)"))
        #expect(info.dependencies.map(\.path) == ["example.com/greet", "github.com/gin-gonic/gin"])
        #expect(info.dependencies[0].replacement?.path == "../greet")
        #expect(info.dependencies[1].sum == "h1:4+fr/el88TOO3ewCmQr8cx/CtZ/umlIRIs5M4NTNjf8=")
        #expect(info.settings.first { $0.key == "-ldflags" }?.value == "\"-s -w -X main.version=1.2.3\"")
    }

    @Test("a GOPATH build has a path and settings but no modules; a non-Go file is refused")
    func gopathAndGarbage() throws {
        let info = try GoBuildInfo(parsing: "/x/gin-service: go1.19.8\n\tpath\texample.com/gin-service\n\tbuild\tGOOS=linux\n")
        #expect(info.main == nil && info.dependencies.isEmpty && info.path == "example.com/gin-service")
        #expect(throws: BerthError.self) {
            try GoBuildInfo(parsing: "/bin/ls: could not read Go build info from /bin/ls: not a Go executable\n")
        }
    }

    @Test("the SPDX document lists the application, stdlib and every module with purls; same input, same bytes")
    func spdx() throws {
        let info = try GoBuildInfo(parsing: Self.moduleOutput)
        let subject = Digest.sha256(of: Data("image".utf8))
        let document = try SPDXDocument(
            name: "registry.example/hello", version: "1.2.3", buildInfo: info, subject: subject, created: "2024-01-01T00:00:00Z")
        let again = try SPDXDocument(
            name: "registry.example/hello", version: "1.2.3", buildInfo: info, subject: subject, created: "2024-01-01T00:00:00Z")
        #expect(document.bytes == again.bytes)
        GoldenExpectation.expect(String(decoding: document.bytes, as: UTF8.self), "sbom.spdx.json")
    }
}

struct BinaryNameTests {
    @Test(
        "the binary is named after build.binary, main, or the module path — never the checkout directory",
        arguments: [
            (nil, ".", "module example.com/gin-service\n\ngo 1.19\n", "gin-service"),
            (nil, "./cmd/server", "module example.com/api\n", "server"),
            (nil, ".", "module github.com/acme/api/v2\n", "api"),
            ("svc", ".", "module example.com/x\n", "svc"),
            (nil, ".", nil, "app"),
        ] as [(String?, String, String?, String)])
    func names(binary: String?, main: String, goMod: String?, expected: String) {
        var settings = BuildSettings()
        settings.binary = binary
        settings.main = main
        #expect(settings.binaryName(goMod: goMod) == expected)
    }
}

/// Golden files of the core's tests (`Tests/BerthCoreTests/Golden`; BERTH_RECORD_GOLDEN=1 records).
enum GoldenExpectation {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden").path

    static func expect(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        switch GoldenFile.compare(actual, directory: directory, name: name) {
        case .matches: break
        case .differs(let expected):
            Issue.record(
                "golden \(name) differs:\n--- expected\n\(expected)\n--- actual\n\(actual)", sourceLocation: sourceLocation)
        case .recorded(let path):
            Issue.record("recorded \(path); run again without BERTH_RECORD_GOLDEN", sourceLocation: sourceLocation)
        case .missing(let path):
            Issue.record("golden file \(path) is missing; record it with BERTH_RECORD_GOLDEN=1", sourceLocation: sourceLocation)
        }
    }
}
