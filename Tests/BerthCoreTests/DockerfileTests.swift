import BerthCore
import BerthOCI
import Testing

@Suite("Dockerfile parsing, lint and pin")
struct DockerfileTests {
    static let good = """
        # syntax=docker/dockerfile:1
        FROM --platform=$BUILDPLATFORM golang:1.22@sha256:\(String(repeating: "a", count: 64)) AS build
        WORKDIR /src
        RUN go build \\
            # a comment inside a continuation
            -o /out/app .
        FROM gcr.io/distroless/static:nonroot@sha256:\(String(repeating: "b", count: 64))
        ARG VERSION
        ARG VCS_REF
        ARG BUILD_DATE
        LABEL org.opencontainers.image.version=$VERSION
        COPY --from=build /out/app /app
        USER 65532:65532
        ENTRYPOINT ["/app"]
        """

    @Test("instructions, continuations, comments and stages")
    func parse() throws {
        let dockerfile = try Dockerfile(parsing: Self.good)
        #expect(
            dockerfile.instructions.map(\.keyword) == [
                "FROM", "WORKDIR", "RUN", "FROM", "ARG", "ARG", "ARG", "LABEL", "COPY", "USER", "ENTRYPOINT",
            ])
        #expect(dockerfile.instructions[2].arguments == "go build -o /out/app .")
        #expect(dockerfile.stages.map(\.name) == ["build", nil])
        #expect(dockerfile.stages.map(\.line) == [2, 7])
        #expect(dockerfile.stages[0].flags == ["--platform=$BUILDPLATFORM"])
    }

    @Test("the escape directive changes the continuation character")
    func escapeDirective() throws {
        let dockerfile = try Dockerfile(parsing: "# escape=`\nFROM mcr.microsoft.com/windows:ltsc2022\nRUN dir `\n  c:\\\n")
        #expect(dockerfile.instructions.last?.arguments == "dir c:\\")
    }

    @Test("a line that isn't an instruction is a bad-input error naming the line")
    func badLine() {
        #expect {
            try Dockerfile(parsing: "FROM alpine\n=== oops\n", file: "Containerfile")
        } throws: { error in
            (error as? BerthError)?.message.hasPrefix("Containerfile:2:") == true
        }
    }

    @Test("a good Dockerfile with a .dockerignore has no findings")
    func clean() throws {
        #expect(DockerfileLinter.lint(try Dockerfile(parsing: Self.good), hasDockerignore: true).isEmpty)
    }

    @Test("every rule fires with its line and a fix")
    func findings() throws {
        let text = """
            FROM golang:1.22 AS build
            RUN go build -o /app .
            FROM alpine
            LABEL version=$VERSION
            COPY --from=build /app /app
            USER root
            """
        let findings = DockerfileLinter.lint(try Dockerfile(parsing: text), hasDockerignore: false)
        #expect(
            findings.map(\.rule) == [
                "unpinned-from", "unpinned-from", "dockerignore", "non-root-user", "metadata-args", "metadata-args",
                "metadata-args",
            ])
        #expect(findings[0].line == 1 && findings[0].message.contains("not pinned by digest"))
        #expect(findings[1].line == 3 && findings[1].message.contains("latest"))
        #expect(findings[3].line == 6)
        let version = try #require(findings.first { $0.message.contains("VERSION") })
        #expect(version.line == 4 && version.message.contains("used but not declared"))
        #expect(findings.allSatisfy { !$0.fix.isEmpty })
    }

    @Test("pin rewrites only the FROM images, keeping flags, names and every other byte")
    func pin() throws {
        let text =
            "# base\nFROM --platform=linux/amd64 golang:1.22 AS build\nRUN true\nFROM build AS test\nFROM scratch\nFROM alpine\n"
        let dockerfile = try Dockerfile(parsing: text)
        let unpinned = try DockerfilePinner.unpinned(dockerfile)
        #expect(unpinned.map(\.line) == [2, 6])
        let digest = try #require(Digest("sha256:" + String(repeating: "c", count: 64)))
        let pinned = DockerfilePinner.pin(dockerfile, digests: [2: ("golang:1.22", digest), 6: ("alpine", digest)])
        #expect(
            pinned
                == "# base\nFROM --platform=linux/amd64 golang:1.22@\(digest) AS build\nRUN true\nFROM build AS test\nFROM scratch\nFROM alpine:latest@\(digest)\n"
        )
        #expect(try DockerfilePinner.unpinned(try Dockerfile(parsing: pinned)).isEmpty)
    }
}
