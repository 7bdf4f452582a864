import BerthCore
import Testing

@testable import BerthTraffic

/// What each provider can deliver for a requested percent: integer weights per server (nginx up to
/// 1000, HAProxy up to 256) give the exact share of the chosen weights, rounded to a whole percent;
/// ingress-nginx and HTTPRoute take any whole percent.
@Suite("effective weights per provider")
struct EffectiveWeightTests {
    static let haproxy = TrafficSettings.HAProxy(socket: "/run/haproxy.sock", backend: "api", stable: ["s1"], canary: ["c1"])
    static let nginx = TrafficSettings.Nginx(
        include: "/tmp/berth.conf", upstream: "api", stable: ["127.0.0.1:1"], canary: ["127.0.0.1:2"])

    static func servers(_ prefix: String, _ count: Int) -> [String] { (1...count).map { "\(prefix)\($0)" } }
    static func addresses(_ first: Int, _ count: Int) -> [String] { (0..<count).map { "127.0.0.1:\(first + $0)" } }

    static func haproxy(stable: Int, canary: Int) throws -> HAProxyRouter {
        var settings = haproxy
        settings.stable = servers("s", stable)
        settings.canary = servers("c", canary)
        return try HAProxyRouter(settings: settings)
    }

    static func nginx(stable: Int, canary: Int) throws -> NginxRouter {
        var settings = nginx
        settings.stable = addresses(10000, stable)
        settings.canary = addresses(20000, canary)
        return try NginxRouter(settings: settings, directory: "/tmp")
    }

    @Test("one server a side: every percent 0...100 is exact, on nginx and HAProxy")
    func oneServerEachSide() throws {
        let haproxy = try Self.haproxy(stable: 1, canary: 1)
        let nginx = try Self.nginx(stable: 1, canary: 1)
        for percent in 0...100 {
            #expect(haproxy.effectiveWeight(percent) == percent)
            #expect(nginx.effectiveWeight(percent) == percent)
        }
    }

    @Test(
        "HAProxy (0–256 per server): the weights chosen and the share they give",
        arguments: [
            // stable servers, canary servers, requested, stable weight, canary weight, effective
            (1, 1, 10, 90, 10, 10), (2, 1, 10, 45, 10, 10), (3, 1, 5, 38, 6, 5), (2, 2, 50, 25, 25, 50),
            (3, 2, 33, 134, 99, 33), (7, 3, 1, 212, 5, 1), (200, 1, 1, 99, 200, 1), (1, 1, 0, 100, 0, 0),
            (4, 1, 0, 25, 0, 0), (1, 3, 100, 0, 33, 100),
            // Out of reach: 50 stable servers and one canary give the canary at most 256 / (256 + 50).
            (50, 1, 99, 1, 256, 84), (300, 1, 50, 1, 256, 46), (1, 300, 1, 256, 1, 54),
        ])
    func haproxyTable(stable: Int, canary: Int, requested: Int, stableWeight: Int, canaryWeight: Int, effective: Int) throws {
        let router = try Self.haproxy(stable: stable, canary: canary)
        let weights = router.weights(requested)
        #expect(weights.stable == stableWeight && weights.canary == canaryWeight, "\(weights)")
        #expect(router.effectiveWeight(requested) == effective)
    }

    @Test(
        "nginx (1–1000 per server) reaches further with many servers",
        arguments: [
            (50, 1, 99, 1, 1000, 95), (300, 1, 50, 1, 300, 50), (1, 300, 1, 1000, 1, 23), (2, 1, 10, 45, 10, 10),
            (1, 1, 100, 0, 100, 100),
        ])
    func nginxTable(stable: Int, canary: Int, requested: Int, stableWeight: Int, canaryWeight: Int, effective: Int) throws {
        let router = try Self.nginx(stable: stable, canary: canary)
        let weights = router.weights(requested)
        #expect(weights.stable == stableWeight && weights.canary == canaryWeight, "\(weights)")
        #expect(router.effectiveWeight(requested) == effective)
    }

    @Test("ingress-nginx and HTTPRoute are exact; out-of-range requests are clamped to 0...100")
    func kubernetesExact() throws {
        for mode in TrafficSettings.Kubernetes.Mode.allCases {
            let router = try KubernetesRouter(
                settings: TrafficSettings.Kubernetes(
                    mode: mode, manifest: "k8s/canary.yaml", name: "api-canary", canary: .init(service: "api-canary", port: 80),
                    stable: mode == .httpRoute ? .init(service: "api", port: 80) : nil,
                    gateway: mode == .httpRoute ? "gateway" : nil),
                directory: "/tmp")
            for percent in 0...100 { #expect(router.effectiveWeight(percent) == percent) }
            #expect(router.effectiveWeight(-5) == 0 && router.effectiveWeight(120) == 100)
        }
    }

    @Test("the rounded share: half up, nil for nothing at all")
    func rounding() {
        #expect(ServerWeights.percent(part: 1, total: 8) == 13)  // 12.5
        #expect(ServerWeights.percent(part: 1, total: 3) == 33)
        #expect(ServerWeights.percent(part: 2, total: 3) == 67)
        #expect(ServerWeights.percent(part: 0, total: 5) == 0)
        #expect(ServerWeights.percent(part: 0, total: 0) == nil)
    }
}
