import BerthCore
import BerthProcess
import Foundation

/// Splits traffic with nginx: berth writes one include (three upstreams and a map, `NginxInclude`),
/// swaps it in, runs `check` (`nginx -t`, which reads the whole configuration with the new include in
/// place) and `reload` (`nginx -s reload`: new workers take the new weights, old ones finish their
/// requests, so no request fails). A refused check or a failed reload puts the previous include back.
/// `reload` only signals nginx's master, so `apply` returns a split nginx puts in effect moments later
/// (2–4 ms on loopback, BENCHMARKS.md); there is no API in open-source nginx to wait on.
///
/// The user's nginx.conf, in its `http` block:
///
/// ```nginx
/// include /etc/nginx/berth/api.conf;          # traffic.nginx.include
/// server {
///     listen 80;
///     location / { proxy_pass http://$api_pool; }   # traffic.nginx.upstream: api
/// }
/// ```
public struct NginxRouter: TrafficRouter {
    /// nginx takes any positive weight; berth stays within 1...1000 so weights stay readable.
    public static let maxWeight = 1000

    public let settings: TrafficSettings.Nginx
    /// The include's absolute path.
    public let includePath: String

    public var name: String { "nginx" }

    /// `directory` resolves a relative `include` (the project's directory). Throws a usage error for
    /// settings nginx could misread (see `TrafficSettings.Nginx.problem`).
    public init(settings: TrafficSettings.Nginx, directory: String) throws {
        if let problem = settings.problem {
            throw BerthError(.usage, "traffic.nginx \(problem); fix it in berth.yaml")
        }
        self.settings = settings
        includePath = ManagedFile.resolve(settings.include, in: directory)
    }

    var file: ManagedFile { ManagedFile(path: includePath, role: "nginx include") }

    /// The weights `apply` writes for `percent`.
    public func weights(_ percent: Int) -> ServerWeights {
        ServerWeights.plan(
            percent: percent, stableServers: settings.stable.count, canaryServers: settings.canary.count,
            maxWeight: Self.maxWeight)
    }

    public func effectiveWeight(_ requested: Int) -> Int { weights(requested).canaryPercent }

    /// The include `apply` writes for `split`, for a first deployment: nginx.conf can name the include
    /// only once it exists. The recorded weight is the effective one.
    public func render(_ split: TrafficSplit) throws -> String {
        if let problem = TrafficSettings(.nginx(settings)).headerProblem(split.header) {
            throw BerthError(.usage, "nginx can't route \(problem)")
        }
        let weights = weights(split.canaryWeight)
        return NginxInclude.render(
            TrafficSplit(canaryWeight: weights.canaryPercent, header: split.header), weights: weights, settings: settings)
    }

    public func apply(_ split: TrafficSplit) async throws -> TrafficSplit {
        let text = try render(split)
        let previous = try file.read()
        try file.write(text)
        let check = try runRestoring(previous, settings.check, setting: "traffic.nginx.check")
        guard check.status == 0 else {
            try file.restore(previous)
            throw BerthError(
                .failure,
                "\(settings.check.joined(separator: " ")) refused the new include '\(includePath)' (the previous one is back in place): \(ToolCommand.oneLine(check)); fix traffic.nginx in berth.yaml or the nginx configuration around the include"
            )
        }
        let reload = try runRestoring(previous, settings.reload, setting: "traffic.nginx.reload")
        guard reload.status == 0 else {
            try file.restore(previous)
            throw BerthError(
                .failure,
                "\(settings.reload.joined(separator: " ")) failed (the previous include is back in place): \(ToolCommand.oneLine(reload)); check that nginx runs and berth may signal it"
            )
        }
        guard let now = try await current() else {
            throw BerthError(
                .failure, "nginx include '\(includePath)' vanished after berth wrote it; check what else writes there")
        }
        return now
    }

    /// Runs a command; when it can't even start, puts the previous include back before throwing.
    private func runRestoring(_ previous: String?, _ command: [String], setting: String) throws
        -> ProcessOutput
    {
        do { return try ToolCommand.run(command, setting: setting) } catch {
            try file.restore(previous)
            throw error
        }
    }

    /// The split the include carries; nil when there is no include yet. Throws when the include's
    /// weights or map disagree with its recorded split (edited by hand).
    public func current() async throws -> TrafficSplit? {
        guard let text = try file.read() else { return nil }
        let include = try NginxInclude.parse(text, path: includePath)
        guard let recorded = include.recorded else {
            throw BerthError(
                .failure,
                "nginx include '\(includePath)' has no '# berth-traffic-split:' line, so berth didn't write it; move it aside and run berth canary again"
            )
        }
        switch include.carried(upstream: settings.upstream) {
        case .failure(let why):
            throw BerthError(
                .failure,
                "nginx include '\(includePath)' was edited by hand: \(why.why); remove it and run berth canary again to rewrite it from the ledger"
            )
        case .success(let carried):
            guard carried == recorded else {
                throw BerthError(
                    .failure,
                    "nginx include '\(includePath)' was edited by hand: its upstreams and map carry \(Self.describe(carried)) but its berth-traffic-split line records \(Self.describe(recorded)); remove it and run berth canary again to rewrite it from the ledger"
                )
            }
            return carried
        }
    }

    static func describe(_ split: TrafficSplit) -> String {
        "\(split.canaryWeight) %" + (split.header.map { " and \($0.name): \($0.value)" } ?? "")
    }
}
