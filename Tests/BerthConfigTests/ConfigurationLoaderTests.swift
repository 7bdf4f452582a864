import BerthConfig
import BerthCore
import Testing

@Suite("berth.yaml")
struct ConfigurationLoaderTests {
    @Test("an empty file is the defaults")
    func empty() throws {
        #expect(try ConfigurationLoader.parse("", file: "berth.yaml") == BerthConfiguration())
        #expect(try ConfigurationLoader.parse("# nothing\n", file: "berth.yaml") == BerthConfiguration())
    }

    @Test("every section is read")
    func full() throws {
        let config = try ConfigurationLoader.parse(
            """
            version:
              tag_prefix: api/v
              initial: 1.0.0
              path: services/api
              bumps: {feat: minor, fix: patch, perf: patch, docs: none}
              breaking_below_1: major
              default_branch: trunk
              channels:
                - branch: next
                  prerelease: beta
            image:
              names: [ghcr.io/acme/api]
              tag_prefix: ""
              build_metadata: drop
              templates:
                release: ["{{version}}", latest]
                channels:
                  beta: ["{{version}}"]
              metadata_action:
                tags: |
                  type=semver,pattern={{version}}
                  type=sha
                flavor: [latest=false]
            environments:
              - name: prod
                require_final: true
                pattern: '^\\d+\\.\\d+\\.\\d+$'
            labels:
              title: api
              licenses: MIT
            go:
              package: github.com/acme/api/internal/version
              strip: false
            git:
              remote: upstream
            """, file: "berth.yaml")
        #expect(config.version.tagPrefix == "api/v")
        #expect(config.version.initialVersion.description == "1.0.0")
        #expect(config.version.path == "services/api")
        #expect(config.version.bumps == ["feat": .minor, "fix": .patch, "perf": .patch, "docs": nil])
        #expect(config.version.breakingBumpBelowOne == .major)
        #expect(config.defaultBranch == "trunk")
        #expect(config.version.channels == [ChannelRule(branch: "next", prerelease: "beta")])
        #expect(config.images == ["ghcr.io/acme/api"])
        #expect(config.tags.prefix == "")
        #expect(config.tags.buildMetadata == .drop)
        #expect(config.tags.templates.release == ["{{version}}", "latest"])
        #expect(config.tags.channelTemplates["beta"] == ["{{version}}"])
        #expect(config.metadataTags == ["type=semver,pattern={{version}}", "type=sha"])
        #expect(config.metadataFlavor == ["latest=false"])
        #expect(config.environments == [EnvironmentPolicy(name: "prod", pattern: #"^\d+\.\d+\.\d+$"#, requireFinal: true)])
        #expect(config.project.title == "api" && config.project.licenses == "MIT")
        #expect(config.ldflags.package == "github.com/acme/api/internal/version" && !config.ldflags.strip)
        #expect(config.remote == "upstream")
    }

    @Test(
        "unknown keys and wrong types name file:line:column",
        arguments: [
            ("version:\n  tag_prefx: v\n", "berth.yaml:2:3", "unknown key 'version.tag_prefx'"),
            ("image:\n  names: ghcr.io/acme/api\n", "berth.yaml:2:10", "'image.names' must be a list"),
            ("version:\n  initial: one\n", "berth.yaml:2:12", "SemVer"),
            ("version:\n  bumps:\n    feat: huge\n", "berth.yaml:3:11", "major, minor, patch or none"),
            ("environments:\n  - name: prod\n    require_final: maybe\n", "berth.yaml:3:20", "true or false"),
            ("environments:\n  - name: prod\n    pattern: '(['\n", "berth.yaml:3:14", "regular expression"),
            ("colour: blue\n", "berth.yaml:1:1", "unknown key 'colour'"),
            ("- a\n- b\n", "berth.yaml:1:1", "mapping"),
            ("version:\n  channels:\n    - prerelease: x\n", "berth.yaml:3:7", "needs a 'branch'"),
        ])
    func errors(yaml: String, position: String, fragment: String) {
        #expect {
            try ConfigurationLoader.parse(yaml, file: "berth.yaml")
        } throws: { error in
            guard let error = error as? BerthError else { return false }
            return error.kind == .usage && error.message.hasPrefix(position) && error.message.contains(fragment)
                && !error.message.contains("\n")
        }
    }

    @Test("broken YAML is a one-line usage error naming the file")
    func brokenYAML() {
        #expect {
            try ConfigurationLoader.parse("version: [unclosed\n", file: "/x/berth.yaml")
        } throws: { error in
            (error as? BerthError).map {
                $0.kind == .usage && $0.message.hasPrefix("/x/berth.yaml") && !$0.message.contains("\n")
            } ?? false
        }
    }

    @Test("the file berth init writes parses to the defaults")
    func initTemplateIsDefaults() throws {
        // The template lives in BerthCLI; its defaults are restated here so a drift fails one of the two tests.
        let yaml = """
            version:
              tag_prefix: v
              initial: 0.1.0
              bumps: {feat: minor, fix: patch}
              breaking_below_1: minor
              channels:
                - {branch: develop, prerelease: dev}
                - {branch: release/*, prerelease: rc}
                - {branch: rc/*, prerelease: rc}
            """
        #expect(try ConfigurationLoader.parse(yaml, file: "berth.yaml") == BerthConfiguration())
    }
}
