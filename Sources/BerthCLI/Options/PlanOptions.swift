import ArgumentParser

/// Options of the commands that decide a version from git (`plan`, `version`, `tags`, `labels`, `check`).
struct PlanOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Branch whose channel applies (for a detached HEAD outside CI).", valueName: "NAME"))
    var branch: String?

    @Option(
        name: .customLong("default-branch"),
        help: ArgumentHelp("The releasing branch (default: config, CI, origin/HEAD, main).", valueName: "NAME"))
    var defaultBranch: String?

    @Option(
        name: .customLong("tag-prefix"),
        help: ArgumentHelp("Prefix of release tags in git (default v; monorepo: api/v).", valueName: "PREFIX"))
    var tagPrefix: String?

    @Option(help: ArgumentHelp("Count only commits touching DIR (monorepos).", valueName: "DIR"))
    var path: String?

    @Flag(name: .customLong("allow-dirty"), help: "Plan even with uncommitted changes to tracked files.")
    var allowDirty = false

    @Flag(
        name: .customLong("final-channel"),
        help:
            "Release finals on this branch even when pre-releases above the last final are on its history: the next final is computed above them (default: continue their pre-release line; berth.yaml version.prerelease_line)."
    )
    var finalChannel = false

    @Option(name: .customLong("tag"), help: ArgumentHelp("A docker/metadata-action tags: line (repeatable).", valueName: "LINE"))
    var tagRules: [String] = []

    @Option(
        name: .customLong("flavor"), help: ArgumentHelp("A docker/metadata-action flavor: line (repeatable).", valueName: "LINE"))
    var flavorRules: [String] = []

    @Option(
        name: [.customLong("label"), .customLong("labels")],
        help: ArgumentHelp(
            "A docker/metadata-action labels: line or the whole multi-line input (repeatable); with --tag/--flavor rules.",
            valueName: "LINE"))
    var labelLines: [String] = []

    @Option(
        name: [.customLong("annotation"), .customLong("annotations")],
        help: ArgumentHelp(
            "A docker/metadata-action annotations: line or the whole multi-line input (repeatable); with --tag/--flavor rules. Levels: DOCKER_METADATA_ANNOTATIONS_LEVELS (default manifest).",
            valueName: "LINE"))
    var annotationLines: [String] = []

    @Flag(
        name: .customLong("metadata-action-exact"),
        help:
            "With --tag/--flavor rules: docker/metadata-action's tags byte for byte, without berth's repairs (a tag starting with - or . or over 128 characters is then refused, as the push would fail)."
    )
    var metadataActionExact = false

    @Option(
        help: ArgumentHelp(
            "Image names, comma- or newline-separated (repeatable); with --tag/--flavor rules, metadata-action images: lines (name=NAME,enable=false).",
            valueName: "NAMES"))
    var images: [String] = []

    @Option(help: ArgumentHelp("The clock for {{date}} in tag rules: RFC 3339 or seconds since the epoch.", valueName: "TIME"))
    var now: String?

    @Flag(
        name: .customLong("created-now"),
        help: "Stamp org.opencontainers.image.created with the clock instead of SOURCE_DATE_EPOCH or the commit time.")
    var createdNow = false

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp("Environment whose naming rule applies (dev, staging, prod…).", valueName: "NAME"))
    var environment: String?

    @Flag(help: "Don't ask the git remote for existing tags.")
    var offline = false

    @Flag(
        inversion: .prefixedNo,
        help:
            "In a shallow clone, first fetch just enough history and tags from the git remote to plan (growing git fetch steps) instead of refusing (default: berth.yaml version.deepen)."
    )
    var deepen: Bool?

    @Flag(help: "Also check the planned tags in the registry of each image name.")
    var registry = false

    @Option(
        help: ArgumentHelp(
            "The built image's digest, for --registry: a tag already at it is a re-run, not a conflict.", valueName: "DIGEST"))
    var digest: String?
}
