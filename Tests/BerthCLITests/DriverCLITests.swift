import BerthTestSupport
import Foundation
import Testing

/// `berth build --driver`: the composed command line, and a real buildah run when buildah is installed.
@Suite("berth build --driver")
struct DriverCLITests {
    static let dockerfile = """
        FROM scratch
        ARG VERSION=dev
        ARG VCS_REF=none
        ARG BUILD_DATE=unknown
        LABEL org.opencontainers.image.version=$VERSION org.opencontainers.image.revision=$VCS_REF org.opencontainers.image.created=$BUILD_DATE
        COPY hello /app/hello
        USER 65532:65532
        ENTRYPOINT ["/app/hello"]

        """

    static func project() throws -> GitRepoBuilder {
        let repo = try GitRepoBuilder()
        try Self.dockerfile.write(toFile: repo.path + "/Dockerfile", atomically: true, encoding: .utf8)
        try ".git\n".write(toFile: repo.path + "/.dockerignore", atomically: true, encoding: .utf8)
        try repo.commit("feat: hello", file: "hello", content: "#!/bin/sh\necho hello\n")
        return repo
    }

    @Test("--dry-run prints the buildah commands: tags, labels, build args, fixed timestamp, one layer, no TLS for loopback")
    func dryRun() throws {
        let cli = try CLIHarness()
        let repo = try Self.project()
        let head = try repo.git("rev-parse", "HEAD")
        let result = try cli.run(
            ["build", "--driver", "buildah", "--dry-run", "--images", "127.0.0.1:5000/hello"], in: repo.path,
            environment: repo.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let created = "2024-01-01T00:01:00Z"
        #expect(
            lines.first
                == "(cd \(repo.path) && buildah build --layers=false --timestamp=1704067260 --identity-label=false --file=Dockerfile --label=org.opencontainers.image.created=\(created) --label=org.opencontainers.image.ref.name=v0.1.0 --label=org.opencontainers.image.revision=\(head) --label=org.opencontainers.image.version=0.1.0 --build-arg=BUILD_DATE=\(created) --build-arg=VCS_REF=\(head) --build-arg=VERSION=0.1.0 --build-arg=SOURCE_DATE_EPOCH=1704067260 --tag=127.0.0.1:5000/hello:v0.1.0 --tag=127.0.0.1:5000/hello:v0.1 --tag=127.0.0.1:5000/hello:latest --tag=127.0.0.1:5000/hello:sha-\(head.prefix(7)) -- .)"
        )
        #expect(
            lines.dropFirst().first
                == "(cd \(repo.path) && buildah push --tls-verify=false -- 127.0.0.1:5000/hello:v0.1.0 docker://127.0.0.1:5000/hello:v0.1.0)"
        )
        #expect(lines.count == 5)
    }

    @Test(
        "buildah builds the Dockerfile with berth's facts and pushes every tag; a rebuild from empty storage gives the same digest",
        .requires(.buildah, .dockerRegistry)
    )
    func buildahRun() throws {
        let cli = try CLIHarness()
        let registry = try RegistryServer()
        defer { registry.stop() }
        let repo = try Self.project()
        let head = try repo.git("rev-parse", "HEAD")
        let image = "\(registry.host)/hello"
        var digests: [String] = []
        for run in 0..<2 {
            // Fresh containers storage each time (vfs, chroot: no daemon, no privileges beyond root).
            let storage = repo.path + "/../storage-\(run)"
            try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
            try """
            [storage]
            driver = "vfs"
            graphroot = "\(storage)/root"
            runroot = "\(storage)/run"

            """.write(toFile: storage + "/storage.conf", atomically: true, encoding: .utf8)
            var environment = repo.environment
            environment["CONTAINERS_STORAGE_CONF"] = storage + "/storage.conf"
            environment["BUILDAH_ISOLATION"] = "chroot"
            let build = try cli.run(["build", "--driver", "buildah", "--images", image], in: repo.path, environment: environment)
            try #require(build.status == 0, "\(build.stderr)")
            #expect(build.stdout.split(separator: "\n").count == 4)
            let inspect = try cli.run(
                ["registry", "inspect", "--json", "\(image):v0.1.0"], in: repo.path, environment: repo.environment)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
            let labels = document["labels"] as? [String: String]
            #expect(labels?["org.opencontainers.image.revision"] == head)
            #expect(labels?["org.opencontainers.image.version"] == "0.1.0")
            #expect(document["created"] as? String == "2024-01-01T00:01:00Z")
            let digest = try #require(document["digest"] as? String)
            for tag in ["v0.1", "latest", "sha-\(head.prefix(7))"] {
                let resolved = try cli.run(
                    ["registry", "digest", "\(image):\(tag)"], in: repo.path, environment: repo.environment)
                #expect(resolved.stdout == digest + "\n")
            }
            digests.append(digest)
            try? FileManager.default.removeItem(atPath: storage)
        }
        #expect(digests[0] == digests[1])
    }
}
