import BerthCore
import BerthTestSupport
import Foundation
import Testing

@testable import BerthTraffic

/// HAProxyRouter against a real HAProxy 2.6 on 127.0.0.1 (backends: one nginx, two ports), changed at
/// runtime through its admin socket, never reloaded.
@Suite("HAProxy router on a real haproxy", .requires(.haproxy, .nginx), .serialized)
struct HAProxyRouterTests {
    /// Two stable server entries and one canary in backend `api`; `api_canary` for the header rule,
    /// looked up in `canary.map` by X-Version.
    final class Lab: @unchecked Sendable {
        let backends: NginxServer
        let haproxy: HAProxyServer
        var mapPath: String { "\(haproxy.directory)/canary.map" }

        init(tcpSocket: Bool = false) throws {
            backends = try NginxServer.backends()
            let stable = backends.ports[0]
            let canary = backends.ports[1]
            do {
                haproxy = try HAProxyServer(tcpSocket: tcpSocket) { directory, ports in
                    FileManager.default.createFile(atPath: "\(directory)/canary.map", contents: Data())
                    return """
                        frontend fe_api
                          bind 127.0.0.1:\(ports[0])
                          use_backend %[req.hdr(X-Version),map(\(directory)/canary.map,api)]
                          default_backend api
                        backend api
                          balance roundrobin
                          server s1 127.0.0.1:\(stable) weight 100
                          server s2 127.0.0.1:\(stable) weight 100
                          server c1 127.0.0.1:\(canary) weight 0
                        backend api_canary
                          server c1 127.0.0.1:\(canary)
                        """
                }
            } catch {
                backends.stop()
                throw error
            }
        }

        func settings(socket: String? = nil) -> TrafficSettings.HAProxy {
            TrafficSettings.HAProxy(
                socket: socket ?? haproxy.socket, backend: "api", stable: ["s1", "s2"], canary: ["c1"], map: mapPath,
                header: "X-Version", canaryBackend: "api_canary")
        }

        func router() throws -> HAProxyRouter { try HAProxyRouter(settings: settings()) }

        func stop() {
            haproxy.stop()
            backends.stop()
        }
    }

    @Test("weights 0, 10, 50 and 100 split requests as asked; the servers carry the planned weights")
    func weights() async throws {
        let lab = try Lab()
        defer { lab.stop() }
        let router = try lab.router()
        #expect(try await router.current() == TrafficSplit(canaryWeight: 0), "haproxy.cfg's weights: all on stable")
        for weight in [10, 50, 100, 0] {
            #expect(try await router.apply(TrafficSplit(canaryWeight: weight)) == TrafficSplit(canaryWeight: weight))
            let planned = router.weights(weight)
            #expect(try router.readWeights() == ["s1": planned.stable, "s2": planned.stable, "c1": planned.canary])
            let tally = LoopbackHTTP.tally(port: lab.haproxy.port, count: 200)
            #expect((tally["stable"] ?? 0) + (tally["canary"] ?? 0) == 200, "\(tally)")
            #expect(NginxLab.near(tally["canary"] ?? 0, of: 200, percent: weight), "weight \(weight): \(tally)")
        }
    }

    @Test("the header rule is the map's one entry: matching requests always reach the canary")
    func headerRule() async throws {
        let lab = try Lab()
        defer { lab.stop() }
        let router = try lab.router()
        let split = TrafficSplit(canaryWeight: 0, header: HeaderRoute(name: "X-Version", value: "beta"))
        #expect(try await router.apply(split) == split)
        #expect(try router.readMap(lab.mapPath).map { "\($0.key) \($0.value)" } == ["beta api_canary"])
        #expect(LoopbackHTTP.tally(port: lab.haproxy.port, count: 50, headers: ["X-Version": "beta"]) == ["canary": 50])
        #expect(LoopbackHTTP.tally(port: lab.haproxy.port, count: 50, headers: ["X-Version": "gamma"]) == ["stable": 50])
        let moved = TrafficSplit(canaryWeight: 20, header: HeaderRoute(name: "X-Version", value: "rc"))
        #expect(try await router.apply(moved) == moved)
        #expect(try router.readMap(lab.mapPath).map { "\($0.key) \($0.value)" } == ["rc api_canary"])
        #expect(LoopbackHTTP.tally(port: lab.haproxy.port, count: 30, headers: ["X-Version": "rc"]) == ["canary": 30])
        #expect(try await router.apply(TrafficSplit(canaryWeight: 0)) == TrafficSplit(canaryWeight: 0))
        #expect(try router.readMap(lab.mapPath).isEmpty)
        #expect(LoopbackHTTP.tally(port: lab.haproxy.port, count: 30, headers: ["X-Version": "rc"]) == ["stable": 30])
    }

    @Test("a fresh router reads what the servers carry, also after a weight set by hand")
    func readBack() async throws {
        let lab = try Lab()
        defer { lab.stop() }
        let split = TrafficSplit(canaryWeight: 25, header: HeaderRoute(name: "X-Version", value: "beta"))
        _ = try await lab.router().apply(split)
        #expect(try await lab.router().current() == split)
        // Someone sets the canary's weight by hand: 36 + 36 on stable against 100 is 58 %.
        #expect(try lab.router().weights(25) == ServerWeights(stable: 36, canary: 24, stableServers: 2, canaryServers: 1))
        #expect(try HAProxySocket(address: lab.haproxy.socket).ask("set weight api/c1 100") == "")
        #expect(try await lab.router().current() == TrafficSplit(canaryWeight: 58, header: split.header))
    }

    @Test("a TCP stats socket (host:port) works as the UNIX one does")
    func tcpSocket() async throws {
        let lab = try Lab(tcpSocket: true)
        defer { lab.stop() }
        let router = try HAProxyRouter(settings: lab.settings(socket: lab.haproxy.tcpSocket))
        #expect(try await router.apply(TrafficSplit(canaryWeight: 30)) == TrafficSplit(canaryWeight: 30))
        #expect(try await lab.router().current() == TrafficSplit(canaryWeight: 30))
    }

    @Test("weight changes under load fail no request")
    func noFailures() async throws {
        let lab = try Lab()
        defer { lab.stop() }
        let router = try lab.router()
        let load = LoadLoop(port: lab.haproxy.port)
        for weight in [100, 0, 50, 100, 0, 30] {
            _ = try await router.apply(TrafficSplit(canaryWeight: weight))
            try await Task.sleep(for: .milliseconds(100))
        }
        let seen = load.stop()
        #expect(seen.errors.isEmpty && seen.statuses.keys.sorted() == [200], "\(seen.statuses) \(seen.errors.prefix(3))")
        #expect(load.total >= 50)
    }

    @Test("a server haproxy.cfg doesn't have is refused before any weight changes")
    func unknownServer() async throws {
        let lab = try Lab()
        defer { lab.stop() }
        _ = try await lab.router().apply(TrafficSplit(canaryWeight: 10))
        var settings = lab.settings()
        settings.canary = ["c1", "c9"]
        let error = await #expect(throws: BerthError.self) {
            try await HAProxyRouter(settings: settings).apply(TrafficSplit(canaryWeight: 50))
        }
        #expect(
            error?.message.contains("haproxy refused 'get weight api/c9': No such server.") == true, "\(error?.message ?? "")")
        #expect(try await lab.router().current() == TrafficSplit(canaryWeight: 10))
    }

    @Test("a map haproxy.cfg doesn't load is refused, naming the map")
    func unknownMap() async throws {
        let lab = try Lab()
        defer { lab.stop() }
        var settings = lab.settings()
        settings.map = "/etc/haproxy/other.map"
        let error = await #expect(throws: BerthError.self) {
            try await HAProxyRouter(settings: settings).apply(TrafficSplit(canaryWeight: 50))
        }
        #expect(error?.message.contains("Unknown map identifier") == true, "\(error?.message ?? "")")
        #expect(try await lab.router().current() == TrafficSplit(canaryWeight: 0), "nothing changed")
    }
}

/// HAProxyRouter without HAProxy: the socket's failures and the settings' rules.
@Suite("HAProxy router: socket failures and settings")
struct HAProxySettingsTests {
    static let settings = TrafficSettings.HAProxy(
        socket: "/tmp/berth-no-such-dir/admin.sock", backend: "api", stable: ["s1"], canary: ["c1"], map: "/etc/haproxy/c.map",
        header: "X-Version", canaryBackend: "api_canary")

    @Test("a missing admin socket is one clear line: what to put in haproxy.cfg")
    func missingSocket() async throws {
        let router = try HAProxyRouter(settings: Self.settings)
        for attempt in [true, false] {
            let error = await #expect(throws: BerthError.self) {
                if attempt { _ = try await router.apply(.stable) } else { _ = try await router.current() }
            }
            #expect(
                error?.message
                    == "haproxy admin socket '/tmp/berth-no-such-dir/admin.sock' doesn't exist (No such file or directory): start haproxy with 'stats socket /tmp/berth-no-such-dir/admin.sock level admin' in its global section, or fix traffic.haproxy.socket"
            )
        }
    }

    @Test("nothing listening on a TCP socket says so")
    func refusedSocket() async throws {
        let refusing = try RefusingPort()
        var settings = Self.settings
        settings.socket = refusing.host
        let error = await #expect(throws: BerthError.self) { try await HAProxyRouter(settings: settings).current() }
        #expect(
            error?.message.hasPrefix("nothing answers on haproxy admin socket '\(refusing.host)'") == true,
            "\(error?.message ?? "")")
    }

    @Test("a header rule needs the map, and the header haproxy.cfg reads, spelled the same")
    func headerNeedsMap() async throws {
        var settings = Self.settings
        settings.map = nil
        settings.header = nil
        settings.canaryBackend = nil
        let noMap = await #expect(throws: BerthError.self) {
            try await HAProxyRouter(settings: settings).apply(
                TrafficSplit(canaryWeight: 0, header: HeaderRoute(name: "X-Version", value: "b")))
        }
        #expect(noMap?.kind == .usage && noMap?.message.contains("has no 'map', 'header' and 'canary_backend'") == true)
        let otherName = await #expect(throws: BerthError.self) {
            try await HAProxyRouter(settings: Self.settings).apply(
                TrafficSplit(canaryWeight: 0, header: HeaderRoute(name: "x-version", value: "b")))
        }
        #expect(otherName?.message.contains("traffic.haproxy.header is 'X-Version'") == true)
    }

    @Test(
        "settings the runtime API could misread are refused",
        arguments: [
            { (s: inout TrafficSettings.HAProxy) in s.backend = "api; disable server api/s1" },
            { (s: inout TrafficSettings.HAProxy) in s.stable = ["s1 100"] },
            { (s: inout TrafficSettings.HAProxy) in s.stable = [] },
            { (s: inout TrafficSettings.HAProxy) in s.map = "/etc/a map" },
            { (s: inout TrafficSettings.HAProxy) in s.canaryBackend = nil },
            { (s: inout TrafficSettings.HAProxy) in s.socket = "/" + String(repeating: "a", count: 120) },
            { (s: inout TrafficSettings.HAProxy) in s.timeoutSeconds = 0 },
        ] as [@Sendable (inout TrafficSettings.HAProxy) -> Void])
    func unsafeSettings(change: @Sendable (inout TrafficSettings.HAProxy) -> Void) {
        var settings = Self.settings
        change(&settings)
        #expect(throws: BerthError.self) { try HAProxyRouter(settings: settings) }
    }
}
