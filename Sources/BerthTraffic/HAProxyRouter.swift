import BerthCore
import Foundation

/// Splits traffic with HAProxy's runtime API, without a reload: `set weight` on every server of one
/// backend (0–256 each; the stable side shares 100 − p, the canary side p, see `ServerWeights`), and
/// the header rule as the one entry of a map file haproxy.cfg looks the header up in (replaced whole
/// with `prepare map` / `add map @version` / `commit map`, so a request never sees it half-written).
/// `current()` reads `get weight` of every server and `show map`: what HAProxy carries, not what berth
/// last asked for.
///
/// haproxy.cfg (the map file must exist, empty, when HAProxy starts; berth changes it in memory only):
///
/// ```haproxy
/// global
///     stats socket /run/haproxy/admin.sock mode 600 level admin   # traffic.haproxy.socket
/// frontend fe_api
///     bind :80
///     use_backend %[req.hdr(X-Version),map(/etc/haproxy/berth-api.map,api)]   # header, map; other values: backend
///     default_backend api                  # requests without the header
/// backend api                          # traffic.haproxy.backend: stable and canary servers, weighted
///     balance roundrobin
///     server s1 10.0.0.1:8080 weight 100   # traffic.haproxy.stable: [s1]
///     server c1 10.0.0.2:8080 weight 0     # traffic.haproxy.canary: [c1]
/// backend api_canary                   # traffic.haproxy.canary_backend: where the header goes
///     server c1 10.0.0.2:8080
/// ```
///
/// Runtime changes live in HAProxy's memory: a restart or reload goes back to haproxy.cfg's weights and
/// the map file's content, which `current()` then reports, and the canary service puts its split back.
public struct HAProxyRouter: TrafficRouter {
    /// HAProxy's largest weight.
    public static let maxWeight = 256

    public let settings: TrafficSettings.HAProxy
    public let socket: HAProxySocket

    public var name: String { "haproxy" }

    /// Throws a usage error for settings the runtime API could misread (see `TrafficSettings.HAProxy.problem`).
    public init(settings: TrafficSettings.HAProxy) throws {
        if let problem = settings.problem {
            throw BerthError(.usage, "traffic.haproxy \(problem); fix it in berth.yaml")
        }
        self.settings = settings
        socket = HAProxySocket(address: settings.socket, timeoutSeconds: settings.timeoutSeconds)
    }

    /// The weights `apply` sets for `percent`.
    public func weights(_ percent: Int) -> ServerWeights {
        ServerWeights.plan(
            percent: percent, stableServers: settings.stable.count, canaryServers: settings.canary.count,
            maxWeight: Self.maxWeight)
    }

    public func effectiveWeight(_ requested: Int) -> Int { weights(requested).canaryPercent }

    public func apply(_ split: TrafficSplit) async throws -> TrafficSplit {
        if let problem = TrafficSettings(.haproxy(settings)).headerProblem(split.header) {
            throw BerthError(.usage, "haproxy can't route \(problem)")
        }
        // Read everything first: a wrong server or map name fails before anything changes.
        let before = try readWeights()
        let entries = try settings.map.map { try readMap($0) }
        let plan = weights(split.canaryWeight)
        var wanted: [String: Int] = [:]
        for server in settings.stable { wanted[server] = plan.stable }
        for server in settings.canary { wanted[server] = plan.canary }
        // Raise before lowering, so the backend never has every server at 0 in between.
        let changes = (settings.stable + settings.canary).filter { wanted[$0] != before[$0] }
            .sorted { (wanted[$0]! > before[$0]!) && !(wanted[$1]! > before[$1]!) }
        var done: [String] = []
        do {
            for server in changes {
                try setWeight(server, wanted[server]!)
                done.append(server)
            }
            if let map = settings.map, let backend = settings.canaryBackend {
                let desired = split.header.map { [$0.value: backend] } ?? [:]
                let present = (entries ?? []).map { "\($0.key) \($0.value)" }.sorted()
                if present != desired.map({ "\($0.key) \($0.value)" }).sorted() {
                    try replaceMap(map, with: desired)
                }
            }
        } catch {
            // Put back what was changed, best effort, so the previous split keeps serving.
            for server in done.reversed() { try? setWeight(server, before[server]!) }
            throw error
        }
        return try readSplit()
    }

    public func current() async throws -> TrafficSplit? { try readSplit() }

    // MARK: - Runtime API

    func readSplit() throws -> TrafficSplit {
        let weights = try readWeights()
        let canary = settings.canary.map { weights[$0]! }.reduce(0, +)
        let total = canary + settings.stable.map { weights[$0]! }.reduce(0, +)
        guard let percent = ServerWeights.percent(part: canary, total: total) else {
            throw BerthError(
                .failure,
                "haproxy backend '\(settings.backend)' carries no traffic: every server in traffic.haproxy.stable and canary has weight 0; set a weight (berth canary abort puts everything on stable)"
            )
        }
        var header: HeaderRoute?
        if let map = settings.map, let name = settings.header, let backend = settings.canaryBackend {
            let routed = try readMap(map).filter { $0.value == backend }
            guard routed.count <= 1 else {
                throw BerthError(
                    .failure,
                    "haproxy map '\(map)' sends \(routed.count) header values to \(backend) but berth writes one; the map is berth's alone: remove the others (del map) or run berth canary again"
                )
            }
            header = routed.first.map { HeaderRoute(name: name, value: $0.key) }
        }
        return TrafficSplit(canaryWeight: percent, header: header)
    }

    /// `get weight` for every configured server.
    func readWeights() throws -> [String: Int] {
        var weights: [String: Int] = [:]
        for server in settings.stable + settings.canary {
            let answer = try socket.ask("get weight \(settings.backend)/\(server)")
            // "100 (initial 100)"
            guard let first = answer.split(separator: " ").first, let weight = Int(first) else {
                throw refusal("get weight \(settings.backend)/\(server)", answer)
            }
            weights[server] = weight
        }
        return weights
    }

    func setWeight(_ server: String, _ weight: Int) throws {
        let command = "set weight \(settings.backend)/\(server) \(weight)"
        let answer = try socket.ask(command)
        guard answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw refusal(command, answer) }
    }

    /// `show map FILE` as (key, value) pairs.
    func readMap(_ map: String) throws -> [(key: String, value: String)] {
        let answer = try socket.ask("show map \(map)")
        var entries: [(key: String, value: String)] = []
        for line in answer.split(whereSeparator: \.isNewline) {
            // "0x55d1c8a0b0 beta api_canary"
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count == 3, fields[0].hasPrefix("0x") else { throw refusal("show map \(map)", answer) }
            entries.append((String(fields[1]), String(fields[2])))
        }
        return entries
    }

    /// Replaces the map's entries in one step: a new version, filled, then committed.
    func replaceMap(_ map: String, with entries: [String: String]) throws {
        let prepared = try socket.ask("prepare map \(map)")
        // "New version created: 3"
        guard prepared.hasPrefix("New version created:"),
            let version = Int(prepared.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "")
        else { throw refusal("prepare map \(map)", prepared) }
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
            let command = "add map @\(version) \(map) \(key) \(value)"
            let answer = try socket.ask(command)
            guard answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw refusal(command, answer) }
        }
        let commit = "commit map @\(version) \(map)"
        let answer = try socket.ask(commit)
        guard answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw refusal(commit, answer) }
    }

    /// HAProxy's own words for a refused command, and what to do about the usual ones.
    func refusal(_ command: String, _ answer: String) -> BerthError {
        let said = ToolCommand.bounded(answer.split(whereSeparator: \.isNewline).first.map(String.init) ?? "no answer")
        let hint: String
        if said.hasPrefix("No such backend") || said.hasPrefix("No such server") {
            hint = "name the backend and servers as haproxy.cfg does (traffic.haproxy.backend, stable, canary)"
        } else if said.hasPrefix("Unknown map") {
            hint = "haproxy.cfg must load the map with that exact path, in map(\(settings.map ?? "…"),…) (traffic.haproxy.map)"
        } else if said.contains("ermission denied") || said.hasPrefix("Unknown command") {
            hint = "the stats socket needs 'level admin'"
        } else {
            hint = "check haproxy.cfg and traffic.haproxy"
        }
        return BerthError(.failure, "haproxy refused '\(command)': \(said); \(hint)")
    }
}
