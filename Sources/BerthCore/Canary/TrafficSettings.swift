/// Where `berth canary` puts its traffic split (berth.yaml `canary.<env>.traffic`): one provider and its
/// settings. Pure values; BerthTraffic's routers act on them, BerthConfig reads them, and the checks
/// below are shared by both, so a value refused on load is refused the same way when built in code.
public struct TrafficSettings: Hashable, Sendable {
    /// The provider and its settings: exactly one per environment.
    public enum Provider: Hashable, Sendable {
        case nginx(Nginx)
        case haproxy(HAProxy)
        case kubernetes(Kubernetes)
    }

    public var provider: Provider

    public init(_ provider: Provider) { self.provider = provider }

    /// The router's name as `TrafficRouter.name` spells it: `nginx`, `haproxy`, `kubernetes/ingress-nginx`,
    /// `kubernetes/httproute`.
    public var routerName: String {
        switch provider {
        case .nginx: "nginx"
        case .haproxy: "haproxy"
        case .kubernetes(let settings): "kubernetes/\(settings.mode.rawValue)"
        }
    }

    /// nginx: berth owns one include file holding three upstreams and a map; the user's `server` block
    /// does `proxy_pass http://$<upstream>_pool;`. Changes are checked (`nginx -t`) and reloaded.
    public struct Nginx: Hashable, Sendable {
        /// The file berth writes (`include:`); relative paths are resolved against the project directory.
        public var include: String
        /// The name the upstreams and the map variable derive from (`upstream:`): `api` gives
        /// `api_weighted`, `api_stable`, `api_canary` and `$api_pool`.
        public var upstream: String
        /// `host:port` of the servers running the stable version (`stable:`).
        public var stable: [String]
        /// `host:port` of the servers running the canary (`canary:`).
        public var canary: [String]
        /// Checks the whole configuration with the new include in place (`check:`).
        public var check: [String]
        /// Makes nginx load it (`reload:`).
        public var reload: [String]

        public static let defaultCheck = ["nginx", "-t"]
        public static let defaultReload = ["nginx", "-s", "reload"]

        public init(
            include: String, upstream: String, stable: [String], canary: [String], check: [String] = Nginx.defaultCheck,
            reload: [String] = Nginx.defaultReload
        ) {
            self.include = include
            self.upstream = upstream
            self.stable = stable
            self.canary = canary
            self.check = check
            self.reload = reload
        }

        /// The first thing wrong with these settings, as `'key': why`, or nil.
        public var problem: String? {
            if include.isEmpty || include.unicodeScalars.contains(where: TrafficSettings.isControl) {
                return "'include' must be a file path without control characters"
            }
            if let problem = TrafficSettings.nginxNameProblem(upstream) { return "'upstream': \(problem)" }
            if let problem = TrafficSettings.serverListProblem(
                stable: stable, canary: canary, check: TrafficSettings.addressProblem)
            {
                return problem
            }
            if let problem = TrafficSettings.commandProblem(check) { return "'check': \(problem)" }
            if let problem = TrafficSettings.commandProblem(reload) { return "'reload': \(problem)" }
            return nil
        }
    }

    /// HAProxy: weights through the runtime API (`set weight`/`get weight` on the admin socket, no
    /// reload); the header rule is an entry in a map file haproxy.cfg's `use_backend` looks the header up in.
    public struct HAProxy: Hashable, Sendable {
        /// The admin socket (`socket:`): a UNIX socket path, or `host:port` of a TCP stats socket; its
        /// `stats socket` line needs `level admin`.
        public var socket: String
        /// The backend holding both stable and canary servers (`backend:`).
        public var backend: String
        /// Server names in that backend (`stable:`, `canary:`).
        public var stable: [String]
        public var canary: [String]
        /// The map file as haproxy.cfg names it in `map(…)` (`map:`); nil: no header rule possible.
        public var map: String?
        /// The request header haproxy.cfg looks up in the map (`header:`), spelled as the canary's header rule.
        public var header: String?
        /// The backend a matching header value is sent to (`canary_backend:`).
        public var canaryBackend: String?
        /// Bound on each connection to the socket, in seconds (`timeout:`).
        public var timeoutSeconds: Int

        public init(
            socket: String, backend: String, stable: [String], canary: [String], map: String? = nil, header: String? = nil,
            canaryBackend: String? = nil, timeoutSeconds: Int = 5
        ) {
            self.socket = socket
            self.backend = backend
            self.stable = stable
            self.canary = canary
            self.map = map
            self.header = header
            self.canaryBackend = canaryBackend
            self.timeoutSeconds = timeoutSeconds
        }

        /// The first thing wrong with these settings, as `'key': why`, or nil.
        public var problem: String? {
            if let problem = TrafficSettings.socketProblem(socket) { return "'socket': \(problem)" }
            if let problem = TrafficSettings.haproxyNameProblem(backend) { return "'backend': \(problem)" }
            if let problem = TrafficSettings.serverListProblem(
                stable: stable, canary: canary, check: TrafficSettings.haproxyNameProblem)
            {
                return problem
            }
            if let map, let problem = TrafficSettings.mapPathProblem(map) { return "'map': \(problem)" }
            if let header, let problem = TrafficSettings.headerNameProblem(header) { return "'header': \(problem)" }
            if let canaryBackend, let problem = TrafficSettings.haproxyNameProblem(canaryBackend) {
                return "'canary_backend': \(problem)"
            }
            if (map != nil) != (header != nil) || (map != nil) != (canaryBackend != nil) {
                return "'map', 'header' and 'canary_backend' go together: give all three for a header rule, or none"
            }
            if !(1...300).contains(timeoutSeconds) { return "'timeout' must be seconds from 1 to 300" }
            return nil
        }
    }

    /// Kubernetes, manifests only (GitOps): berth writes the canary Ingress (ingress-nginx annotations)
    /// or an HTTPRoute (Gateway API weights) into a file in the repository; `apply` also runs kubectl.
    public struct Kubernetes: Hashable, Sendable {
        public enum Mode: String, Hashable, Sendable, CaseIterable {
            /// A canary Ingress beside the stable one (which berth leaves alone).
            case ingressNginx = "ingress-nginx"
            /// A Gateway API HTTPRoute with weighted backendRefs.
            case httpRoute = "httproute"
        }

        /// A Service and its port (`name:port` in berth.yaml).
        public struct Backend: Hashable, Sendable, CustomStringConvertible {
            public var service: String
            public var port: Int

            public init(service: String, port: Int) {
                self.service = service
                self.port = port
            }

            /// `api:8080`, or nil when it isn't a Service name and a port.
            public init?(parsing text: String) {
                guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                    (1...65535).contains(port), KubernetesName.isValid(String(text[..<colon]), subdomain: false)
                else { return nil }
                self.init(service: String(text[..<colon]), port: port)
            }

            public var description: String { "\(service):\(port)" }
        }

        public var mode: Mode
        /// The manifest berth writes (`manifest:`), relative to the project directory.
        public var manifest: String
        /// `metadata.name` of the canary Ingress or the HTTPRoute (`name:`).
        public var name: String
        /// `metadata.namespace` and kubectl's `--namespace=` (`namespace:`).
        public var namespace: String?
        /// The host the rule matches (`host:`); nil: any host.
        public var host: String?
        /// The path prefix the rule matches (`path:`).
        public var path: String
        /// The canary's Service (`canary:`).
        public var canary: Backend
        /// The stable Service (`stable:`); httproute only (the stable Ingress already names it).
        public var stable: Backend?
        /// `spec.ingressClassName` (`ingress_class:`); ingress-nginx only.
        public var ingressClass: String
        /// The Gateway the HTTPRoute attaches to (`gateway:`, `gateway_namespace:`); httproute only.
        public var gateway: String?
        public var gatewayNamespace: String?
        /// Also `kubectl --context=CONTEXT apply --filename=MANIFEST` after writing it (`apply:`, `context:`).
        public var apply: Bool
        public var context: String?

        public init(
            mode: Mode, manifest: String, name: String, namespace: String? = nil, host: String? = nil, path: String = "/",
            canary: Backend, stable: Backend? = nil, ingressClass: String = "nginx", gateway: String? = nil,
            gatewayNamespace: String? = nil, apply: Bool = false, context: String? = nil
        ) {
            self.mode = mode
            self.manifest = manifest
            self.name = name
            self.namespace = namespace
            self.host = host
            self.path = path
            self.canary = canary
            self.stable = stable
            self.ingressClass = ingressClass
            self.gateway = gateway
            self.gatewayNamespace = gatewayNamespace
            self.apply = apply
            self.context = context
        }

        /// The first thing wrong with these settings, as `'key': why`, or nil.
        public var problem: String? {
            if manifest.isEmpty || !TrafficSettings.staysInside(manifest)
                || manifest.unicodeScalars.contains(where: TrafficSettings.isControl)
            {
                return "'manifest' must be a path inside the repository, such as deploy/prod/api-canary.yaml"
            }
            if !KubernetesName.isValid(name, subdomain: true) { return "'name' must be a Kubernetes name, not '\(name)'" }
            if let namespace, !KubernetesName.isValid(namespace, subdomain: false) {
                return "'namespace' must be a Kubernetes name, not '\(namespace)'"
            }
            if let host, let problem = TrafficSettings.hostProblem(host) { return "'host': \(problem)" }
            if let problem = TrafficSettings.pathProblem(path) { return "'path': \(problem)" }
            for (key, backend) in [("canary", canary), ("stable", stable)] {
                guard let backend else { continue }
                if Backend(parsing: backend.description) != backend {
                    return "'\(key)' must be a Service name and a port, such as api:8080"
                }
            }
            switch mode {
            case .ingressNginx:
                if stable != nil { return "'stable' is for httproute; the stable Ingress of ingress-nginx already names it" }
                if gateway != nil || gatewayNamespace != nil { return "'gateway' is for httproute, not ingress-nginx" }
                if !KubernetesName.isValid(ingressClass, subdomain: true) {
                    return "'ingress_class' must be an IngressClass name, not '\(ingressClass)'"
                }
            case .httpRoute:
                guard let stable else { return "httproute needs 'stable', the stable Service and port, such as api:8080" }
                if stable.service == canary.service { return "'stable' and 'canary' must be different Services" }
                guard let gateway else { return "httproute needs 'gateway', the Gateway the route attaches to" }
                if !KubernetesName.isValid(gateway, subdomain: true) { return "'gateway' must be a Kubernetes name" }
                if let gatewayNamespace, !KubernetesName.isValid(gatewayNamespace, subdomain: false) {
                    return "'gateway_namespace' must be a Kubernetes name"
                }
            }
            if apply {
                guard let context else { return "'apply: true' needs 'context', the kubeconfig context kubectl applies to" }
                if let problem = TrafficSettings.contextProblem(context) { return "'context': \(problem)" }
            }
            return nil
        }
    }

    // MARK: - Checks shared by the loader and the routers

    /// The first thing wrong with the settings, as `'key': why` (keys under the provider), or nil.
    public var problem: String? {
        switch provider {
        case .nginx(let settings): settings.problem.map { "nginx \($0)" }
        case .haproxy(let settings): settings.problem.map { "haproxy \($0)" }
        case .kubernetes(let settings): settings.problem.map { "kubernetes \($0)" }
        }
    }

    /// Why this provider can't carry `header` (the canary's header rule), or nil. HAProxy reads one header
    /// fixed in haproxy.cfg, so the rule must name it exactly as `header:` does; every provider needs a
    /// name and a value it can write safely.
    public func headerProblem(_ header: HeaderRoute?) -> String? {
        guard let header else { return nil }
        if let problem = Self.headerNameProblem(header.name) { return "header '\(Self.quoted(header.name))': \(problem)" }
        if let problem = Self.headerValueProblem(header.value) {
            return "header value '\(Self.quoted(header.value))': \(problem)"
        }
        if case .haproxy(let settings) = provider {
            guard let name = settings.header else {
                return
                    "the canary routes header \(header.name) but traffic.haproxy has no 'map', 'header' and 'canary_backend' for it"
            }
            if name != header.name {
                return
                    "the canary routes header '\(header.name)' but traffic.haproxy.header is '\(name)': haproxy.cfg reads one header, spell both the same"
            }
        }
        return nil
    }

    /// An HTTP header name nginx, HAProxy and Kubernetes all read: letters, digits and `-` (nginx drops
    /// headers with `_` by default).
    public static func headerNameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= 64, name.first != "-",
            name.unicodeScalars.allSatisfy({ $0.isASCII && (isAlphanumeric($0) || $0 == "-") })
        else { return "a header name is letters, digits and '-' (at most 64), such as X-Version" }
        return nil
    }

    /// A header value every provider can write without quoting: letters, digits and `. _ - : / + = @`,
    /// at most 128. (nginx reads `~…` as a regular expression and `default` as its keyword.)
    public static func headerValueProblem(_ value: String) -> String? {
        let allowed = Set("._-:/+=@".unicodeScalars)
        guard !value.isEmpty, value.utf8.count <= 128,
            value.unicodeScalars.allSatisfy({ $0.isASCII && (isAlphanumeric($0) || allowed.contains($0)) })
        else { return "a header value is letters, digits and . _ - : / + = @ (at most 128), such as beta" }
        if ["default", "hostnames", "include", "volatile"].contains(value.lowercased()) {
            return "'\(value)' is a keyword in nginx's map; choose another value"
        }
        return nil
    }

    /// `host:port` (host a name, an IPv4 address or `[IPv6]`), or why not.
    public static func addressProblem(_ address: String) -> String? {
        let why = "'\(quoted(address))' is not host:port, such as 10.0.0.5:8080"
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (1...65535).contains(port)
        else { return why }
        let host = address[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") && host.count > 2 {
            return host.dropFirst().dropLast().unicodeScalars.allSatisfy({ $0.properties.isASCIIHexDigit || $0 == ":" })
                ? nil : why
        }
        guard !host.isEmpty, host.first != "-",
            host.unicodeScalars.allSatisfy({ $0.isASCII && (isAlphanumeric($0) || $0 == "-" || $0 == ".") })
        else { return why }
        return nil
    }

    /// nginx upstream and variable names: letters, digits and `_`, not starting with a digit.
    public static func nginxNameProblem(_ name: String) -> String? {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first), name.utf8.count <= 64,
            name.unicodeScalars.allSatisfy({ $0.isASCII && (isAlphanumeric($0) || $0 == "_") })
        else { return "'\(quoted(name))' must be letters, digits and '_' (not starting with a digit), such as api" }
        return nil
    }

    /// HAProxy backend and server names as its runtime API takes them unquoted.
    public static func haproxyNameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= 64, name.first != "-", name.first != "#", name.first != "@",
            name.unicodeScalars.allSatisfy({ $0.isASCII && (isAlphanumeric($0) || "-_.:".unicodeScalars.contains($0)) })
        else { return "'\(quoted(name))' must be an HAProxy name: letters, digits, '-', '_', '.', ':'" }
        return nil
    }

    /// A UNIX socket path (108 bytes at most) or `host:port`.
    public static func socketProblem(_ socket: String) -> String? {
        if socket.contains("/") {
            guard socket.utf8.count < 108, !socket.contains(" "), !socket.unicodeScalars.contains(where: isControl) else {
                return "'\(quoted(socket))' must be a UNIX socket path shorter than 108 bytes, without spaces"
            }
            return nil
        }
        return addressProblem(socket).map { _ in
            "'\(quoted(socket))' must be a UNIX socket path (/run/haproxy/admin.sock) or host:port of a TCP stats socket"
        }
    }

    /// A map file as the runtime API names it: one word, no `;` (which separates commands).
    public static func mapPathProblem(_ path: String) -> String? {
        guard !path.isEmpty, !path.hasPrefix("#"), !path.hasPrefix("@"),
            !path.unicodeScalars.contains(where: {
                isControl($0) || $0 == " " || $0 == ";" || $0 == "\\" || $0 == "\"" || $0 == "'"
            })
        else { return "'\(quoted(path))' must be the map file's path as haproxy.cfg names it, without spaces, quotes or ';'" }
        return nil
    }

    /// A host an Ingress rule or an HTTPRoute takes: a DNS name, optionally `*.` first.
    public static func hostProblem(_ host: String) -> String? {
        let name = host.hasPrefix("*.") ? String(host.dropFirst(2)) : host
        guard KubernetesName.isValid(name, subdomain: true) else {
            return "'\(quoted(host))' must be a lower-case DNS name such as api.example.com"
        }
        return nil
    }

    /// A URL path prefix, written unquoted into YAML and nginx-free.
    public static func pathProblem(_ path: String) -> String? {
        let allowed = Set("/._-~%".unicodeScalars)
        guard path.hasPrefix("/"), path.utf8.count <= 256,
            path.unicodeScalars.allSatisfy({ $0.isASCII && (isAlphanumeric($0) || allowed.contains($0)) })
        else { return "'\(quoted(path))' must be a path starting with '/' (letters, digits, / . _ - ~ %)" }
        return nil
    }

    /// A kubeconfig context: not empty, no leading `-`, no control characters (as deploy.<env>.kubectl_context).
    public static func contextProblem(_ context: String) -> String? {
        guard !context.isEmpty, !context.hasPrefix("-"), !context.unicodeScalars.contains(where: isControl) else {
            return "must be a kubeconfig context name (not empty, no leading '-', no control characters)"
        }
        return nil
    }

    /// An argument vector: a program and its arguments, without control characters.
    public static func commandProblem(_ command: [String]) -> String? {
        guard let program = command.first, !program.isEmpty else { return "needs a program, such as [nginx, -t]" }
        if command.contains(where: { $0.unicodeScalars.contains(where: isControl) }) {
            return "an argument holds a control character"
        }
        return nil
    }

    /// Both lists non-empty, each entry valid, none twice, none on both sides.
    static func serverListProblem(stable: [String], canary: [String], check: (String) -> String?) -> String? {
        for (key, list) in [("stable", stable), ("canary", canary)] {
            if list.isEmpty { return "'\(key)' needs at least one server" }
            for entry in list { if let problem = check(entry) { return "'\(key)': \(problem)" } }
            if Set(list).count != list.count { return "'\(key)' names a server twice" }
        }
        if let both = stable.first(where: canary.contains) {
            return "'\(quoted(both))' is in both 'stable' and 'canary'; a server runs one version"
        }
        return nil
    }

    /// A relative path that never leads above where it starts (`a/../b` does not; `../a` and `/a` do).
    public static func staysInside(_ path: String) -> Bool {
        if path.hasPrefix("/") || path.hasPrefix("\\") { return false }
        var depth = 0
        for component in path.split(separator: "/") {
            if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
            if depth < 0 { return false }
        }
        return true
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// An input echoed in a message: bounded, control characters escaped, so it can't forge a line.
    static func quoted(_ text: String) -> String {
        let escaped = text.unicodeScalars.map { isControl($0) ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return escaped.count > 80 ? String(escaped.prefix(80)) + "…" : escaped
    }
}
