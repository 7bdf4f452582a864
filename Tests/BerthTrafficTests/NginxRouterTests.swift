import BerthCore
import BerthTestSupport
import Foundation
import Testing

@testable import BerthTraffic

/// NginxRouter against a real nginx on 127.0.0.1 (two backends, a front proxy reloading berth's include).
@Suite("nginx router on a real nginx", .requires(.nginx), .serialized)
struct NginxRouterTests {
    @Test("weights 0, 10, 50 and 100 split requests as asked (two stable servers, one canary)")
    func weights() async throws {
        let lab = try NginxLab(stableServers: 2)
        defer { lab.stop() }
        let router = try lab.router()
        for weight in [0, 10, 50, 100] {
            let applied = try await lab.apply(router, TrafficSplit(canaryWeight: weight))
            #expect(applied == TrafficSplit(canaryWeight: weight))
            let tally = LoopbackHTTP.tally(port: lab.port, count: 200)
            let canary = tally["canary"] ?? 0
            #expect((tally["stable"] ?? 0) + canary == 200, "every request answered by a version: \(tally)")
            #expect(NginxLab.near(canary, of: 200, percent: weight), "weight \(weight): \(tally)")
        }
    }

    @Test("requests with the header always reach the canary; the others follow the weight")
    func headerRule() async throws {
        let lab = try NginxLab()
        defer { lab.stop() }
        let router = try lab.router()
        let split = TrafficSplit(canaryWeight: 0, header: HeaderRoute(name: "X-Version", value: "beta"))
        #expect(try await lab.apply(router, split) == split)
        #expect(LoopbackHTTP.tally(port: lab.port, count: 50, headers: ["X-Version": "beta"]) == ["canary": 50])
        #expect(LoopbackHTTP.tally(port: lab.port, count: 50, headers: ["X-Version": "gamma"]) == ["stable": 50])
        #expect(LoopbackHTTP.tally(port: lab.port, count: 50) == ["stable": 50])
        // Without a header rule the map has only its default: the header no longer matters.
        #expect(try await lab.apply(router, TrafficSplit(canaryWeight: 0)) == TrafficSplit(canaryWeight: 0))
        #expect(LoopbackHTTP.tally(port: lab.port, count: 50, headers: ["X-Version": "beta"]) == ["stable": 50])
    }

    @Test("a fresh router reads back what was applied (how a resumed canary reconciles)")
    func readBack() async throws {
        let lab = try NginxLab()
        defer { lab.stop() }
        #expect(try await lab.router().current() == .stable, "the include written before nginx started")
        for split in [
            TrafficSplit(canaryWeight: 25, header: HeaderRoute(name: "X-Version", value: "beta")),
            TrafficSplit(canaryWeight: 100),
        ] {
            _ = try await lab.router().apply(split)
            #expect(try await lab.router().current() == split)
        }
    }

    @Test("weight changes under load fail no request (nginx's access log shows only 200)")
    func gracefulReload() async throws {
        let lab = try NginxLab()
        defer { lab.stop() }
        let router = try lab.router()
        let load = LoadLoop(port: lab.port)
        for weight in [10, 30, 50, 70, 90, 50, 0] {
            _ = try await router.apply(TrafficSplit(canaryWeight: weight))
            try await Task.sleep(for: .milliseconds(150))
        }
        let seen = load.stop()
        #expect(seen.errors.isEmpty, "client-side failures: \(seen.errors.prefix(3))")
        #expect(seen.statuses.keys.sorted() == [200], "\(seen.statuses)")
        let lines = lab.front.logLines("logs/access.log")
        #expect(lines.count >= 100, "enough requests ran across the reloads: \(lines.count)")
        let bad = lines.filter { !$0.hasPrefix("200 ") }
        #expect(bad.isEmpty, "non-2xx in nginx's access log: \(bad.prefix(5))")
        let upstreams = Set(lines.compactMap { $0.split(separator: " ").last.map(String.init) })
        #expect(upstreams == Set(lab.stableAddresses + [lab.canaryAddress]), "both versions served during the changes")
    }

    @Test("a refused nginx -t puts the previous include back and throws nginx's one line")
    func refusedCheck() async throws {
        let lab = try NginxLab()
        defer { lab.stop() }
        try await lab.apply(lab.router(), TrafficSplit(canaryWeight: 30))
        let before = try String(contentsOfFile: lab.includePath, encoding: .utf8)
        // Renamed in berth.yaml but not in nginx.conf: nginx.conf still proxies to $api_pool.
        let renamed = try lab.router { $0.upstream = "api2" }
        let error = await #expect(throws: BerthError.self) {
            try await renamed.apply(TrafficSplit(canaryWeight: 50))
        }
        #expect(error?.message.contains("unknown \"api_pool\" variable") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("the previous one is back in place") == true)
        #expect(error?.message.contains("\n") == false)
        #expect(try String(contentsOfFile: lab.includePath, encoding: .utf8) == before)
        #expect(try await lab.router().current() == TrafficSplit(canaryWeight: 30))
        let tally = LoopbackHTTP.tally(port: lab.port, count: 100)
        #expect(NginxLab.near(tally["canary"] ?? 0, of: 100, percent: 30), "still 30 %: \(tally)")
    }
}

/// NginxRouter's file handling without nginx: `check` and `reload` are stand-ins.
@Suite("nginx include: writing, reading back, hand edits")
struct NginxIncludeTests {
    static func settings(_ directory: String, reload: [String] = ["/bin/true"]) -> TrafficSettings.Nginx {
        TrafficSettings.Nginx(
            include: "\(directory)/api.conf", upstream: "api", stable: ["10.0.0.1:8080", "10.0.0.2:8080"],
            canary: ["10.0.0.3:8080"], check: ["/bin/true"], reload: reload)
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-include-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("the include for 10 % and a header rule, and for 100 % without one (golden)")
    func golden() throws {
        let router = try NginxRouter(settings: Self.settings("/etc/nginx/berth"), directory: "/")
        let cases: [(String, TrafficSplit)] = [
            ("nginx-10-header.conf", TrafficSplit(canaryWeight: 10, header: HeaderRoute(name: "X-Version", value: "beta"))),
            ("nginx-100.conf", TrafficSplit(canaryWeight: 100)),
        ]
        for (name, split) in cases {
            let outcome = GoldenFile.compare(try router.render(split), directory: Golden.directory, name: name)
            #expect(outcome == .matches, "\(name): \(outcome)")
        }
    }

    @Test("no include yet reads as nil; a written one reads back; the temp file is gone")
    func readBack() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let router = try NginxRouter(settings: Self.settings(directory), directory: directory)
        #expect(try await router.current() == nil)
        let split = TrafficSplit(canaryWeight: 40, header: HeaderRoute(name: "X-Canary", value: "yes"))
        #expect(try await router.apply(split) == split)
        #expect(try await router.current() == split)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["api.conf"])
    }

    @Test(
        "an include edited by hand is refused, naming the file",
        arguments: [
            ("weight=45;", "weight=20;", "carry 20 %"),  // stable servers 45 each, canary 10 → 10 %
            ("\"beta\" api_canary;", "\"gamma\" api_canary;", "X-Version: beta"),
            ("upstream api_canary {", "upstream api_other {", "lacks the upstreams"),
        ])
    func handEdited(find: String, replace: String, fragment: String) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let router = try NginxRouter(settings: Self.settings(directory), directory: directory)
        _ = try await router.apply(TrafficSplit(canaryWeight: 10, header: HeaderRoute(name: "X-Version", value: "beta")))
        let path = "\(directory)/api.conf"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(find))
        try Data(text.replacingOccurrences(of: find, with: replace).utf8).write(to: URL(fileURLWithPath: path))
        let error = await #expect(throws: BerthError.self) { try await router.current() }
        #expect(error?.message.contains("'\(path)' was edited by hand") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }

    @Test("an include berth didn't write is refused")
    func foreignInclude() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("upstream api_weighted { server 10.0.0.1:8080; }\n".utf8).write(
            to: URL(fileURLWithPath: "\(directory)/api.conf"))
        let router = try NginxRouter(settings: Self.settings(directory), directory: directory)
        let error = await #expect(throws: BerthError.self) { try await router.current() }
        #expect(error?.message.contains("berth didn't write it") == true)
    }

    @Test("a failed reload puts the previous include back (and a missing file stays missing)")
    func failedReload() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let failing = try NginxRouter(settings: Self.settings(directory, reload: ["/bin/false"]), directory: directory)
        let first = await #expect(throws: BerthError.self) { try await failing.apply(TrafficSplit(canaryWeight: 10)) }
        #expect(first?.message.contains("failed (the previous include is back in place)") == true)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/api.conf"))
        _ = try await NginxRouter(settings: Self.settings(directory), directory: directory).apply(TrafficSplit(canaryWeight: 20))
        await #expect(throws: BerthError.self) { try await failing.apply(TrafficSplit(canaryWeight: 60)) }
        #expect(try await failing.current() == TrafficSplit(canaryWeight: 20))
    }

    @Test("a program that isn't installed is named, with where berth looked")
    func missingProgram() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var settings = Self.settings(directory)
        settings.check = ["no-such-nginx-binary", "-t"]
        let error = await #expect(throws: BerthError.self) {
            try await NginxRouter(settings: settings, directory: directory).apply(TrafficSplit(canaryWeight: 10))
        }
        #expect(error?.message.contains("can't find 'no-such-nginx-binary' (traffic.nginx.check)") == true)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/api.conf"))
    }

    @Test(
        "header rules nginx could misread are refused before anything is written",
        arguments: [
            HeaderRoute(name: "X_Version", value: "beta"), HeaderRoute(name: "X-Version", value: "default"),
            HeaderRoute(name: "X-Version", value: "~.*"), HeaderRoute(name: "X-Version", value: "a\"; }"),
            HeaderRoute(name: "X-Version", value: ""),
        ])
    func unsafeHeader(header: HeaderRoute) async throws {
        let router = try NginxRouter(settings: Self.settings("/nonexistent"), directory: "/")
        let error = await #expect(throws: BerthError.self) {
            try await router.apply(TrafficSplit(canaryWeight: 10, header: header))
        }
        #expect(error?.kind == .usage)
    }

    @Test("settings nginx could misread are refused when the router is made")
    func unsafeSettings() {
        var settings = Self.settings("/tmp")
        settings.stable = ["10.0.0.1:8080; include /etc/passwd"]
        #expect(throws: BerthError.self) { try NginxRouter(settings: settings, directory: "/") }
        settings = Self.settings("/tmp")
        settings.upstream = "api-v2"
        #expect(throws: BerthError.self) { try NginxRouter(settings: settings, directory: "/") }
        settings = Self.settings("/tmp")
        settings.canary = settings.stable
        #expect(throws: BerthError.self) { try NginxRouter(settings: settings, directory: "/") }
    }
}

enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
}
