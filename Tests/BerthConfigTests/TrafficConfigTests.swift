import BerthCore
import Testing

@testable import BerthConfig

/// berth.yaml `canary.<env>.traffic`: one provider, strict keys, values checked with file:line:column.
@Suite("berth.yaml canary traffic settings")
struct TrafficConfigTests {
    static func load(_ traffic: String) throws -> TrafficSettings {
        let indented = traffic.split(separator: "\n", omittingEmptySubsequences: false).map { "      \($0)" }
            .joined(separator: "\n")
        return try ConfigurationLoader.parseTraffic(
            "canary:\n  prod:\n    traffic:\n\(indented)\n", file: "berth.yaml", at: ["canary", "prod", "traffic"])
    }

    /// Expects `traffic` refused as a one-line usage error at `position` (line counted in the whole file:
    /// the traffic block starts on line 4) holding `fragment`.
    static func expectRefused(
        _ traffic: String, at position: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(sourceLocation: sourceLocation) {
            try load(traffic)
        } throws: { error in
            guard let error = error as? BerthError else { return false }
            let ok =
                error.kind == .usage && error.message.hasPrefix("berth.yaml:" + position + ":")
                && error.message.contains(fragment) && !error.message.contains("\n")
            if !ok { print("got: \(error.message)") }
            return ok
        }
    }

    @Test("nginx: the four keys it needs, check and reload by default")
    func nginx() throws {
        let settings = try Self.load(
            "nginx:\n  include: /etc/nginx/berth/api.conf\n  upstream: api\n  stable: [10.0.0.1:8080, 10.0.0.2:8080]\n  canary: [10.0.0.3:8080]"
        )
        #expect(
            settings
                == TrafficSettings(
                    .nginx(
                        .init(
                            include: "/etc/nginx/berth/api.conf", upstream: "api", stable: ["10.0.0.1:8080", "10.0.0.2:8080"],
                            canary: ["10.0.0.3:8080"]))))
        guard case .nginx(let nginx) = settings.provider else { return }
        #expect(nginx.check == ["nginx", "-t"] && nginx.reload == ["nginx", "-s", "reload"])
        #expect(settings.routerName == "nginx")
        let custom = try Self.load(
            "nginx:\n  include: berth/api.conf\n  upstream: api\n  stable: ['[::1]:8080']\n  canary: [canary.internal:80]\n  check: [/usr/sbin/nginx, -t, -c, /srv/nginx.conf]\n  reload: [systemctl, reload, nginx]"
        )
        guard case .nginx(let other) = custom.provider else { return }
        #expect(
            other.check == ["/usr/sbin/nginx", "-t", "-c", "/srv/nginx.conf"] && other.reload == ["systemctl", "reload", "nginx"])
    }

    @Test("haproxy: socket, backend and servers; map, header and canary_backend together; timeout 5 by default")
    func haproxy() throws {
        let settings = try Self.load(
            "haproxy:\n  socket: /run/haproxy/admin.sock\n  backend: api\n  stable: [s1, s2]\n  canary: [c1]\n  map: /etc/haproxy/berth-api.map\n  header: X-Version\n  canary_backend: api_canary"
        )
        #expect(
            settings
                == TrafficSettings(
                    .haproxy(
                        .init(
                            socket: "/run/haproxy/admin.sock", backend: "api", stable: ["s1", "s2"], canary: ["c1"],
                            map: "/etc/haproxy/berth-api.map", header: "X-Version", canaryBackend: "api_canary", timeoutSeconds: 5
                        ))))
        let tcp = try Self.load(
            "haproxy:\n  socket: 127.0.0.1:9999\n  backend: api\n  stable: [s1]\n  canary: [c1]\n  timeout: 2")
        guard case .haproxy(let other) = tcp.provider else { return }
        #expect(other.socket == "127.0.0.1:9999" && other.timeoutSeconds == 2 && other.map == nil)
    }

    @Test("kubernetes: ingress-nginx and httproute with their own keys and defaults")
    func kubernetes() throws {
        let ingress = try Self.load(
            "kubernetes:\n  mode: ingress-nginx\n  manifest: deploy/prod/api-canary.yaml\n  name: api-canary\n  namespace: prod\n  host: api.example.com\n  canary: api-canary:8080"
        )
        #expect(
            ingress
                == TrafficSettings(
                    .kubernetes(
                        .init(
                            mode: .ingressNginx, manifest: "deploy/prod/api-canary.yaml", name: "api-canary", namespace: "prod",
                            host: "api.example.com", path: "/", canary: .init(service: "api-canary", port: 8080),
                            ingressClass: "nginx"))))
        #expect(ingress.routerName == "kubernetes/ingress-nginx")
        let route = try Self.load(
            "kubernetes:\n  mode: httproute\n  manifest: deploy/prod/route.yaml\n  name: api\n  path: /api\n  stable: api:80\n  canary: api-canary:80\n  gateway: public\n  gateway_namespace: infra\n  apply: true\n  context: prod-cluster"
        )
        guard case .kubernetes(let settings) = route.provider else { return }
        #expect(settings.stable == .init(service: "api", port: 80) && settings.gateway == "public")
        #expect(settings.gatewayNamespace == "infra" && settings.apply && settings.context == "prod-cluster")
        #expect(route.routerName == "kubernetes/httproute")
    }

    @Test("exactly one provider")
    func oneProvider() {
        Self.expectRefused(
            "nginx: {}\nhaproxy: {}", at: "4:7",
            "'canary.prod.traffic' needs exactly one provider: nginx, haproxy or kubernetes (found haproxy and nginx)")
        Self.expectRefused("{}", at: "4:7", "needs exactly one provider")
        Self.expectRefused(
            "envoy: {}", at: "4:7", "unknown key 'canary.prod.traffic.envoy' (known here: nginx, haproxy, kubernetes)")
    }

    @Test(
        "unknown keys and bad values are refused where they stand",
        arguments: [
            (
                "nginx:\n  include: a.conf\n  upstream: api\n  stable: [10.0.0.1:80]\n  canary: [10.0.0.2:80]\n  weight: 5",
                "9:9",
                "unknown key 'canary.prod.traffic.nginx.weight'"
            ),
            (
                "nginx:\n  upstream: api\n  stable: [10.0.0.1:80]\n  canary: [10.0.0.2:80]", "5:9",
                "'canary.prod.traffic.nginx' needs 'include'"
            ),
            (
                "nginx:\n  include: a.conf\n  upstream: api-v2\n  stable: [10.0.0.1:80]\n  canary: [10.0.0.2:80]", "6:19",
                "'canary.prod.traffic.nginx.upstream': 'api-v2' must be letters, digits and '_'"
            ),
            (
                "nginx:\n  include: a.conf\n  upstream: api\n  stable: [10.0.0.1]\n  canary: [10.0.0.2:80]", "7:18",
                "'canary.prod.traffic.nginx.stable[0]': '10.0.0.1' is not host:port"
            ),
            (
                "nginx:\n  include: a.conf\n  upstream: api\n  stable: []\n  canary: [10.0.0.2:80]", "7:17",
                "'canary.prod.traffic.nginx.stable' is an empty list"
            ),
            (
                "nginx:\n  include: a.conf\n  upstream: api\n  stable: [10.0.0.1:80]\n  canary: [10.0.0.3:80, 10.0.0.1:80]",
                "8:31",
                "'10.0.0.1:80' is in both stable and canary"
            ),
            (
                "nginx:\n  include: a.conf\n  upstream: api\n  stable: [10.0.0.1:80]\n  canary: [10.0.0.2:80]\n  check: []",
                "9:16",
                "'canary.prod.traffic.nginx.check' needs a program"
            ),
            (
                "haproxy:\n  socket: /run/h.sock\n  backend: api\n  stable: [s1]\n  canary: [c1]\n  map: /etc/h.map", "9:14",
                "has map but not header, canary_backend"
            ),
            (
                "haproxy:\n  socket: /run/h.sock\n  backend: 'api; shutdown'\n  stable: [s1]\n  canary: [c1]", "6:18",
                "must be an HAProxy name"
            ),
            (
                "haproxy:\n  socket: admin.sock\n  backend: api\n  stable: [s1]\n  canary: [c1]", "5:17",
                "must be a UNIX socket path"
            ),
            (
                "haproxy:\n  socket: /run/h.sock\n  backend: api\n  stable: [s1]\n  canary: [c1]\n  timeout: 0", "9:18",
                "must be seconds from 1 to 300"
            ),
            (
                "kubernetes:\n  mode: istio\n  manifest: a.yaml\n  name: api\n  canary: api:80", "5:15",
                "must be one of ingress-nginx, httproute, found 'istio'"
            ),
            (
                "kubernetes:\n  mode: ingress-nginx\n  manifest: ../a.yaml\n  name: api\n  canary: api:80", "6:19",
                "leads out of the repository"
            ),
            (
                "kubernetes:\n  mode: ingress-nginx\n  manifest: a.yaml\n  name: api\n  canary: api:80\n  stable: api-old:80",
                "9:17",
                "is for mode httproute"
            ),
            (
                "kubernetes:\n  mode: httproute\n  manifest: a.yaml\n  name: api\n  canary: api-c:80\n  stable: api:80", "5:9",
                "needs 'gateway'"
            ),
            (
                "kubernetes:\n  mode: ingress-nginx\n  manifest: a.yaml\n  name: api\n  canary: api:http", "8:17",
                "must be a Service name and port"
            ),
            (
                "kubernetes:\n  mode: ingress-nginx\n  manifest: a.yaml\n  name: api\n  canary: api:80\n  apply: true", "9:16",
                "is true but there is no 'context'"
            ),
            (
                "kubernetes:\n  mode: ingress-nginx\n  manifest: a.yaml\n  name: api\n  canary: api:80\n  path: api", "9:15",
                "must be a path starting with '/'"
            ),
        ])
    func refused(yaml: String, position: String, fragment: String) {
        Self.expectRefused(yaml, at: position, fragment)
    }

    @Test("a header rule HAProxy can't carry is named before a canary starts")
    func headerProblem() throws {
        let settings = try Self.load(
            "haproxy:\n  socket: /run/h.sock\n  backend: api\n  stable: [s1]\n  canary: [c1]\n  map: /etc/h.map\n  header: X-Version\n  canary_backend: api_canary"
        )
        #expect(settings.headerProblem(HeaderRoute(name: "X-Version", value: "beta")) == nil)
        #expect(settings.headerProblem(HeaderRoute(name: "X-Canary", value: "beta"))?.contains("spell both the same") == true)
        #expect(settings.headerProblem(HeaderRoute(name: "X-Version", value: "two words")) != nil)
        #expect(settings.headerProblem(nil) == nil)
    }
}
