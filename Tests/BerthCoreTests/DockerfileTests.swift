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

    /// A Dockerfile with heredocs: the instructions it must read, and the bodies each one owns.
    struct HeredocCase: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let keywords: [String]
        /// Per instruction with heredocs, by its line: each heredoc's name and body.
        let bodies: [Int: [(String, [String])]]
        var testDescription: String { name }
    }

    static let heredocCases: [HeredocCase] = [
        HeredocCase(
            name: "RUN <<EOF: FROM and USER in the body are not instructions",
            text: "FROM alpine\nRUN <<EOF\nFROM evil\nUSER root\nEOF\nUSER 65532\n",
            keywords: ["FROM", "RUN", "USER"], bodies: [2: [("EOF", ["FROM evil", "USER root"])]]),
        HeredocCase(
            name: "<<-EOF closes on a tab-indented line",
            text: "FROM alpine\nRUN <<-EOF\n\tUSER root\n\tEOF\nUSER 65532\n",
            keywords: ["FROM", "RUN", "USER"], bodies: [2: [("EOF", ["\tUSER root"])]]),
        HeredocCase(
            name: "quoted <<\"EOF\" and <<'EOF'",
            text: "FROM alpine\nRUN <<\"EOF\"\nFROM evil\nEOF\nRUN <<'END' sh\nUSER root\nEND\n",
            keywords: ["FROM", "RUN", "RUN"], bodies: [2: [("EOF", ["FROM evil"])], 5: [("END", ["USER root"])]]),
        HeredocCase(
            name: "several heredocs on one line, read in order",
            text: "FROM alpine\nRUN <<ONE bash && <<-TWO sh\nUSER root\nONE\nFROM evil\n\tTWO\nUSER 65532\n",
            keywords: ["FROM", "RUN", "USER"], bodies: [2: [("ONE", ["USER root"]), ("TWO", ["FROM evil"])]]),
        HeredocCase(
            name: "COPY <<EOF /file and ADD with a file descriptor",
            text: "FROM alpine\nCOPY <<EOF /etc/app.conf\nUSER root\nEOF\nADD 0<<CONF /etc/other\nFROM x\nCONF\n",
            keywords: ["FROM", "COPY", "ADD"], bodies: [2: [("EOF", ["USER root"])], 5: [("CONF", ["FROM x"])]]),
        HeredocCase(
            name: "comments, blanks and a near-miss close stay in the body",
            text: "FROM alpine\nRUN <<EOF\n# USER root\n\n EOF\nEOF \nEOF\nUSER 1000\n",
            keywords: ["FROM", "RUN", "USER"], bodies: [2: [("EOF", ["# USER root", "", " EOF", "EOF "])]]),
        HeredocCase(
            name: "a marker after a continuation opens the body after the instruction's last line",
            text: "FROM alpine\nRUN \\\n  <<EOF bash\nUSER root\nEOF\n",
            keywords: ["FROM", "RUN"], bodies: [2: [("EOF", ["USER root"])]]),
        HeredocCase(
            name: "quoted markers, here-strings and other instructions open no heredoc",
            text: "FROM alpine\nRUN echo \"<<EOF\" '<<EOF'\nRUN cat <<<EOF\nLABEL note=<<EOF\nUSER 1000\n",
            keywords: ["FROM", "RUN", "RUN", "LABEL", "USER"], bodies: [:]),
    ]

    @Test("heredoc bodies belong to their instruction, never read as instructions", arguments: heredocCases)
    func heredocs(_ example: HeredocCase) throws {
        let dockerfile = try Dockerfile(parsing: example.text)
        #expect(dockerfile.instructions.map(\.keyword) == example.keywords)
        let found = dockerfile.instructions.filter { !$0.heredocs.isEmpty }
        #expect(found.map(\.line) == example.bodies.keys.sorted())
        for instruction in found {
            let expected = example.bodies[instruction.line] ?? []
            #expect(instruction.heredocs.map(\.name) == expected.map(\.0))
            #expect(instruction.heredocs.map(\.body) == expected.map(\.1))
        }
        #expect(dockerfile.stages.count == example.keywords.filter { $0 == "FROM" }.count)
    }

    @Test("a heredoc's marker says whether it is quoted and where its body starts")
    func heredocDetails() throws {
        let dockerfile = try Dockerfile(parsing: "FROM alpine\nRUN <<A <<\"B\" <<-'C'\na\nA\nb\nB\nc\nC\n")
        let heredocs = try #require(dockerfile.instructions.last?.heredocs)
        #expect(heredocs.map(\.quoted) == [false, true, true])
        #expect(heredocs.map(\.stripsTabs) == [false, false, true])
        #expect(heredocs.map(\.line) == [3, 5, 7])
    }

    @Test(
        "a heredoc never closed is a bad-input error naming the instruction's line and the marker",
        arguments: [
            "FROM alpine\nRUN <<EOF\necho hi\n", "FROM alpine\nRUN <<A <<B\nA\nB \n", "FROM alpine\nCOPY <<-EOF /x\n  EOF\n",
        ])
    func unclosedHeredoc(text: String) {
        #expect {
            try Dockerfile(parsing: text, file: "Containerfile")
        } throws: { error in
            guard let error = error as? BerthError else { return false }
            return error.kind == .badInput && error.message.hasPrefix("Containerfile:2: the heredoc '<<")
                && error.message.contains("never closed")
        }
    }

    @Test("lint: a heredoc's USER root and FROM are not the final stage's; its $VERSION is a use")
    func lintHeredocs() throws {
        let pinned = "alpine:3.20@sha256:\(String(repeating: "d", count: 64))"
        let safe = """
            FROM \(pinned)
            ARG VERSION
            ARG VCS_REF
            ARG BUILD_DATE
            RUN <<EOF
            FROM evil
            USER root
            EOF
            COPY <<-'CONF' /etc/app.conf
            \tUSER 0
            \tCONF
            USER 65532:65532
            """
        let dockerfile = try Dockerfile(parsing: safe)
        #expect(DockerfileLinter.lint(dockerfile, hasDockerignore: true).isEmpty)
        #expect(try DockerfilePinner.unpinned(dockerfile).isEmpty)
        #expect(dockerfile.stages.map(\.line) == [1])

        let rootOnly = "FROM \(pinned)\nARG VCS_REF\nARG BUILD_DATE\nRUN <<EOF\nUSER 65532\necho $VERSION\nEOF\n"
        let findings = DockerfileLinter.lint(try Dockerfile(parsing: rootOnly), hasDockerignore: true)
        #expect(findings.map(\.rule) == ["non-root-user", "metadata-args"])
        #expect(findings[0].message.contains("no USER") && findings[0].line == 1)
        #expect(findings[1].line == 4 && findings[1].message.contains("VERSION is used but not declared"))
    }
}
