import BerthCore
import BerthTestSupport
import BerthTraffic
import Foundation
import Testing

/// Two backends ("stable" and "canary", each a port of one nginx) and a front nginx whose server
/// block proxies to `$api_pool`, with berth's include written before it starts and an access log of
/// `$status $upstream_addr` per request.
final class NginxLab: @unchecked Sendable {
    let backends: NginxServer
    let front: NginxServer
    let settings: TrafficSettings.Nginx

    var stableAddresses: [String] { backends.ports.dropLast().map { "127.0.0.1:\($0)" } }
    var canaryAddress: String { "127.0.0.1:\(backends.ports.last!)" }
    var port: Int { front.port }
    var includePath: String { "\(front.directory)/berth/api.conf" }

    /// `stableServers` stable backends (one port each, all answering "stable") and one canary.
    init(stableServers: Int = 1) throws {
        backends = try NginxServer.backends(Array(repeating: "stable", count: stableServers) + ["canary"])
        let distinct = backends.ports.dropLast().map { "127.0.0.1:\($0)" }
        let canary = ["127.0.0.1:\(backends.ports.last!)"]
        var initial = TrafficSettings.Nginx(include: "berth/api.conf", upstream: "api", stable: distinct, canary: canary)
        do {
            front = try NginxServer { directory, ports in
                let router = try NginxRouter(settings: initial, directory: directory)
                try FileManager.default.createDirectory(atPath: "\(directory)/berth", withIntermediateDirectories: true)
                try Data(try router.render(.stable).utf8).write(to: URL(fileURLWithPath: router.includePath))
                return """
                      log_format berth '$status $upstream_addr';
                      include \(directory)/berth/api.conf;
                      server {
                        listen 127.0.0.1:\(ports[0]);
                        access_log \(directory)/logs/access.log berth;
                        location / { proxy_pass http://$api_pool; }
                      }
                    """
            }
        } catch {
            backends.stop()
            throw error
        }
        initial.include = "\(front.directory)/berth/api.conf"
        initial.check = front.command(["-t"])
        initial.reload = front.command(["-s", "reload"])
        settings = initial
    }

    func router(_ change: (inout TrafficSettings.Nginx) -> Void = { _ in }) throws -> NginxRouter {
        var settings = settings
        change(&settings)
        return try NginxRouter(settings: settings, directory: front.directory)
    }

    /// Applies `split` and waits until nginx's reload is done (new workers in, old ones gone), so the
    /// requests that follow meet the new configuration.
    @discardableResult
    func apply(_ router: NginxRouter, _ split: TrafficSplit) async throws -> TrafficSplit {
        let old = front.workers
        let applied = try await router.apply(split)
        try front.waitForReload(replacing: old)
        return applied
    }

    func stop() {
        front.stop()
        backends.stop()
    }

    /// Whether `count` of `total` is within four standard deviations (and one request) of `percent`.
    static func near(_ count: Int, of total: Int, percent: Int) -> Bool {
        let p = Double(percent) / 100
        let sigma = (Double(total) * p * (1 - p)).squareRoot()
        return abs(Double(count) - Double(total) * p) <= 4 * sigma + 1
    }
}
