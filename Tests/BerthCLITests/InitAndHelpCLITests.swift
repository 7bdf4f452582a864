import BerthTestSupport
import Foundation
import Testing

@Suite("berth init, help and the layering check")
struct InitAndHelpCLITests {
    @Test("init writes berth.yaml and CI files, never overwrites without --force, and berth reads what it wrote")
    func initFiles() throws {
        let cli = try CLIHarness()
        let repo = try GitRepoBuilder()
        try repo.commit("feat: a")
        let first = try cli.run(["init"], in: repo.path, environment: repo.environment)
        #expect(first.status == 0)
        #expect(first.stdout == "wrote berth.yaml\nwrote .github/workflows/release.yml\nwrote .gitlab-ci.yml\n")
        let again = try cli.run(["init"], in: repo.path, environment: repo.environment)
        #expect(again.status == 3 && again.stderr.contains("--force"))
        #expect(try cli.run(["init", "--force"], in: repo.path, environment: repo.environment).status == 0)
        let plan = try cli.run(["plan", "--allow-dirty", "--json"], in: repo.path, environment: repo.environment)
        #expect(plan.status == 0, "\(plan.stderr)")
        let workflow = try String(contentsOfFile: repo.path + "/.github/workflows/release.yml", encoding: .utf8)
        // A shallow checkout, deepened just enough by berth, not the whole history.
        #expect(workflow.contains("berth plan --deepen --format github") && !workflow.contains("fetch-depth"))
        let gitlab = try String(contentsOfFile: repo.path + "/.gitlab-ci.yml", encoding: .utf8)
        #expect(gitlab.contains("berth plan --deepen --format gitlab") && !gitlab.contains("GIT_DEPTH"))
    }

    @Test("init --template gin scaffolds a Go module; examples/gin-service is exactly its output")
    func ginTemplate() throws {
        let cli = try CLIHarness()
        let example = GinServiceTests.example.path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-init-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let noModule = try cli.run(["init", "--template", "gin"], in: directory)
        #expect(noModule.status == 64 && noModule.stderr.contains("no go.mod"))

        try FileManager.default.copyItem(atPath: example + "/go.mod", toPath: directory + "/go.mod")
        let result = try cli.run(["init", "--template", "gin"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout
                == "wrote berth.yaml\nwrote Dockerfile\nwrote .dockerignore\nwrote internal/version/version.go\nwrote .github/workflows/release.yml\nwrote .gitlab-ci.yml\n"
        )
        for file in ["Dockerfile", ".dockerignore", "internal/version/version.go"] {
            #expect(
                try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
                    == String(contentsOfFile: "\(example)/\(file)", encoding: .utf8),
                "examples/gin-service/\(file) is not what init --template gin writes")
        }
        let yaml = try String(contentsOfFile: directory + "/berth.yaml", encoding: .utf8)
        #expect(yaml.contains("package: example.com/gin-service/internal/version"))
        let workflow = try String(contentsOfFile: directory + "/.github/workflows/release.yml", encoding: .utf8)
        #expect(workflow.contains("berth build --images"))

        // Nothing is overwritten without --force; berth reads the berth.yaml it wrote.
        try "package version\n".write(toFile: directory + "/internal/version/version.go", atomically: true, encoding: .utf8)
        let again = try cli.run(["init", "--template", "gin"], in: directory)
        #expect(again.status == 3 && again.stderr.contains("--force"))
        #expect(try String(contentsOfFile: directory + "/internal/version/version.go", encoding: .utf8) == "package version\n")
        let lint = try cli.run(["lint", "--json"], in: directory)
        #expect(lint.status == 1, "only the builder stage is unpinned: \(lint.stdout)")
        #expect(lint.stdout.contains("unpinned-from") && !lint.stdout.contains("root-user") && !lint.stdout.contains("build-arg"))
    }

    @Test(
        "help for every command matches its golden file",
        arguments: [
            [], ["plan"], ["version"], ["tags"], ["labels"], ["check"], ["semver"], ["semver", "bump"], ["init"], ["registry"],
            ["registry", "cp"], ["registry", "sync"], ["build"], ["release"], ["gate"], ["approve"], ["promote"], ["rollback"],
            ["prune"], ["status"],
            ["history"], ["diff"], ["canary"], ["canary", "run"], ["serve"], ["token"], ["token", "create"],
        ])
    func help(command: [String]) throws {
        let result = try CLIHarness().run(["help"] + command, in: "/", environment: ["COLUMNS": "100"])
        #expect(result.status == 0)
        CLIHarness.expectGolden(result.stdout, "help\(command.map { "-" + $0 }.joined()).txt")
    }

    @Test(
        "scripts/check-layering.sh fails when an import crosses a layer, the core does I/O or the CLI writes to a store, the ledger or git"
    )
    func layeringScript() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/check-layering.sh").path
        // A Sources tree of its own, so the rules are proved whatever state the real tree is in.
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("layering-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tree) }
        func write(_ file: String, _ source: String) throws {
            let url = tree.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try source.write(to: url, atomically: true, encoding: .utf8)
        }
        // Clean: the array's append in the CLI, the banned names in comments, the adapters' own imports.
        try write("BerthOCI/Reference.swift", "import Foundation\n\npublic struct Reference { public let tag: String }\n")
        try write(
            "BerthCore/Planner.swift",
            """
            import BerthOCI
            import Foundation

            /// Date.now is passed in; the core never reads it, nor Data(contentsOf:).
            // String(contentsOfFile:) neither.
            public func plan(now: Date) -> Date { now }

            """)
        try write(
            "BerthCLI/StatusCommand.swift",
            """
            import BerthCore
            import BerthDeploy
            import Foundation

            func table(_ tags: [String]) -> [String] {
                var rows: [String] = []
                for x in tags { rows.append(x) }
                // try await ledger.append(event) is the lifecycle service's to call.
                return rows
            }

            """)
        try write("BerthDeploy/Kubectl.swift", "import AsyncHTTPClient\nimport BerthCore\nimport BerthProcess\n")
        let clean = try Shell.run("/bin/bash", [script, tree.path])
        #expect(clean.status == 0 && clean.stdout == "layering: ok\n", "\(clean.stderr)")

        let violations: [(file: String, line: String, message: String)] = [
            ("BerthCore/Leak.swift", "import BerthGit", "BerthCore/Leak.swift:2: BerthCore may not import BerthGit"),
            ("BerthCLI/Spawn.swift", "import BerthProcess", "BerthCLI/Spawn.swift:2: BerthCLI may not import BerthProcess"),
            ("BerthCore/Leak.swift", "let leak = ProcessInfo.processInfo.environment", "the pure core does no I/O"),
            (
                "BerthCore/Clock.swift", "let now = Date.now",
                "BerthCore/Clock.swift:2:let now = Date.now: the pure core does no I/O"
            ),
            (
                "BerthOCI/Blob.swift", "let blob = try Data(contentsOf: url)",
                "BerthOCI/Blob.swift:2:let blob = try Data(contentsOf: url): the pure core does no I/O"
            ),
            (
                "BerthCLI/ReleaseCommand.swift", "try await store.pushManifest(repository, reference: tag, manifest: document)",
                "BerthCLI/ReleaseCommand.swift:2: BerthCLI calls a store/ledger/git write (pushManifest); call a core lifecycle service instead"
            ),
            (
                "BerthCLI/GateCommand.swift", "try await ledger.append(event)",
                "BerthCLI/GateCommand.swift:2: BerthCLI calls a store/ledger/git write (ledger.append); call a core lifecycle service instead"
            ),
            (
                "BerthCLI/TagCommand.swift", "try git.createAnnotatedTag(name, at: commit, message: message)",
                "BerthCLI/TagCommand.swift:2: BerthCLI calls a store/ledger/git write (createAnnotatedTag); call a core lifecycle service instead"
            ),
        ]
        for violation in violations {
            try write(violation.file, "import Foundation\n\(violation.line)\n")
            let crossed = try Shell.run("/bin/bash", [script, tree.path])
            #expect(crossed.status == 1 && crossed.stderr.contains(violation.message), "\(violation.line): \(crossed.stderr)")
            try FileManager.default.removeItem(at: tree.appendingPathComponent(violation.file))
        }
    }
}
