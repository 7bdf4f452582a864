/// A builder that runs the project's Dockerfile when a team keeps one: berth composes its command line
/// with the plan's tags, labels and build args and the flags that make the result reproducible.
public enum DockerfileDriver: String, Sendable, CaseIterable {
    case buildah, podman, docker

    /// What to run, in order: the build, then one push per reference (docker pushes as it builds).
    public struct Invocation: Hashable, Sendable {
        public let commands: [[String]]
    }

    /// The build's facts, from the plan.
    public struct Inputs: Hashable, Sendable {
        public var dockerfile: String
        public var context: String
        /// Full references (`registry/repo:tag`), the first one built, all pushed.
        public var references: [String]
        public var labels: [(key: String, value: String)]
        public var buildArgs: [(key: String, value: String)]
        public var platforms: [String]
        /// SOURCE_DATE_EPOCH: image and file times.
        public var sourceDateEpoch: Int64
        /// Push over plain HTTP / without TLS verification (loopback registries, `--insecure`).
        public var insecureRegistry: Bool

        public init(
            dockerfile: String, context: String, references: [String], labels: [(key: String, value: String)],
            buildArgs: [(key: String, value: String)], platforms: [String], sourceDateEpoch: Int64, insecureRegistry: Bool
        ) {
            self.dockerfile = dockerfile
            self.context = context
            self.references = references
            self.labels = labels
            self.buildArgs = buildArgs
            self.platforms = platforms
            self.sourceDateEpoch = sourceDateEpoch
            self.insecureRegistry = insecureRegistry
        }

        public static func == (lhs: Inputs, rhs: Inputs) -> Bool {
            lhs.dockerfile == rhs.dockerfile && lhs.context == rhs.context && lhs.references == rhs.references
                && lhs.labels.map { "\($0.key)=\($0.value)" } == rhs.labels.map { "\($0.key)=\($0.value)" }
                && lhs.buildArgs.map { "\($0.key)=\($0.value)" } == rhs.buildArgs.map { "\($0.key)=\($0.value)" }
                && lhs.platforms == rhs.platforms && lhs.sourceDateEpoch == rhs.sourceDateEpoch
                && lhs.insecureRegistry == rhs.insecureRegistry
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(references) }
    }

    /// The commands for `inputs`; never a shell line, so no value needs quoting. Every value is joined to
    /// its flag (`--tag=…`) and positional arguments follow `--`, so no value is ever read as an option.
    public func invocation(_ inputs: Inputs) -> Invocation {
        guard let first = inputs.references.first else { return Invocation(commands: []) }
        var common: [String] = ["--file=\(inputs.dockerfile)"]
        if !inputs.platforms.isEmpty { common += ["--platform=\(inputs.platforms.joined(separator: ","))"] }
        for label in inputs.labels { common += ["--label=\(label.key)=\(label.value)"] }
        for argument in inputs.buildArgs { common += ["--build-arg=\(argument.key)=\(argument.value)"] }
        common += ["--build-arg=SOURCE_DATE_EPOCH=\(inputs.sourceDateEpoch)"]
        let multiPlatform = inputs.platforms.count > 1

        switch self {
        case .buildah, .podman:
            // One layer (no cache layers that differ between machines), fixed timestamps, no builder
            // version label; several platforms go into a manifest list.
            var build = [
                rawValue, "build", "--layers=false", "--timestamp=\(inputs.sourceDateEpoch)", "--identity-label=false",
            ]
            build += common
            build += multiPlatform ? ["--manifest=\(first)"] : inputs.references.map { "--tag=\($0)" }
            build += ["--", inputs.context]
            let tls = inputs.insecureRegistry ? ["--tls-verify=false"] : []
            let pushes = inputs.references.map { reference in
                multiPlatform
                    ? [rawValue, "manifest", "push", "--all"] + tls + ["--", first, "docker://\(reference)"]
                    : [rawValue, "push"] + tls + ["--", reference, "docker://\(reference)"]
            }
            return Invocation(commands: [build] + pushes)
        case .docker:
            // BuildKit: SOURCE_DATE_EPOCH for the config, rewrite-timestamp for the files, no provenance
            // attestation (it carries the build's time and host), pushed as it is built.
            var build = ["docker", "buildx", "build"] + common
            build += inputs.references.map { "--tag=\($0)" }
            build += ["--provenance=false", "--output=type=image,push=true,rewrite-timestamp=true"]
            if inputs.insecureRegistry { build[build.count - 1] += ",registry.insecure=true" }
            build += ["--", inputs.context]
            return Invocation(commands: [build])
        }
    }
}
