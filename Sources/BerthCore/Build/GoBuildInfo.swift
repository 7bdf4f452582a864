/// What a Go binary says about itself (`go version -m`): the Go version, the main module, its
/// dependencies with versions and sums, and the build settings. Parsed from the command's text.
public struct GoBuildInfo: Hashable, Sendable {
    /// A module and, when replaced, what replaced it.
    public struct Module: Hashable, Sendable {
        public var path: String
        public var version: String
        public var sum: String?
        public var replacement: Replacement?

        public init(path: String, version: String, sum: String? = nil, replacement: Replacement? = nil) {
            self.path = path
            self.version = version
            self.sum = sum
            self.replacement = replacement
        }
    }

    public struct Replacement: Hashable, Sendable {
        public var path: String
        public var version: String
        public var sum: String?
    }

    public var goVersion: String
    /// The main package's import path.
    public var path: String?
    /// The main module; absent for a GOPATH-mode build, which records no modules.
    public var main: Module?
    public var dependencies: [Module] = []
    public var settings: [(key: String, value: String)] = []

    public static func == (lhs: GoBuildInfo, rhs: GoBuildInfo) -> Bool {
        lhs.goVersion == rhs.goVersion && lhs.path == rhs.path && lhs.main == rhs.main && lhs.dependencies == rhs.dependencies
            && lhs.settings.map { "\($0.key)=\($0.value)" } == rhs.settings.map { "\($0.key)=\($0.value)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(goVersion)
        hasher.combine(path)
        hasher.combine(dependencies)
    }

    /// Parses the output of `go version -m FILE`; throws when it isn't that (e.g. not a Go binary).
    public init(parsing text: String) throws(BerthError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let first = lines.first, let colon = first.range(of: ": go", options: .backwards) else {
            throw BerthError(
                .badInput, "'go version -m' printed no Go version: the file isn't a Go binary built with module support")
        }
        goVersion = String(first[first.index(after: colon.lowerBound)...]).trimmingCharacters(in: .whitespaces)
        for line in lines.dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
            guard let kind = fields.first else { continue }
            switch kind {
            case "path" where fields.count >= 2:
                path = fields[1]
            case "mod" where fields.count >= 3:
                main = Module(path: fields[1], version: fields[2], sum: fields.count > 3 ? fields[3] : nil)
            case "dep" where fields.count >= 3:
                dependencies.append(Module(path: fields[1], version: fields[2], sum: fields.count > 3 ? fields[3] : nil))
            case "=>" where fields.count >= 3 && !dependencies.isEmpty:
                dependencies[dependencies.count - 1].replacement = Replacement(
                    path: fields[1], version: fields[2], sum: fields.count > 3 ? fields[3] : nil)
            case "build" where fields.count >= 2:
                let setting = fields[1...].joined(separator: "\t")
                if let equals = setting.firstIndex(of: "=") {
                    settings.append((String(setting[..<equals]), String(setting[setting.index(after: equals)...])))
                }
            default:
                continue
            }
        }
    }
}
