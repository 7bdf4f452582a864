import BerthCore
import Foundation
import Yams

extension ConfigurationLoader {
    /// Reads `canary.<env>.traffic`: exactly one of `nginx`, `haproxy`, `kubernetes`, each strict (unknown
    /// keys refused, values checked with `TrafficSettings`' rules), errors at file:line:column.
    ///
    /// ```yaml
    /// traffic:
    ///   nginx: {include: /etc/nginx/berth/api.conf, upstream: api, stable: [10.0.0.1:8080], canary: [10.0.0.2:8080]}
    /// ```
    static func readTraffic(_ node: ConfigNode) throws -> TrafficSettings {
        let providers = ["nginx", "haproxy", "kubernetes"]
        let entries = try node.mapping(known: providers)
        guard entries.count == 1, let (key, provider) = entries.first else {
            throw node.fail(
                "'\(node.path)' needs exactly one provider: nginx, haproxy or kubernetes"
                    + (entries.isEmpty ? "" : " (found \(entries.keys.sorted().joined(separator: " and ")))"))
        }
        switch key {
        case "nginx": return TrafficSettings(.nginx(try readNginxTraffic(provider)))
        case "haproxy": return TrafficSettings(.haproxy(try readHAProxyTraffic(provider)))
        default: return TrafficSettings(.kubernetes(try readKubernetesTraffic(provider)))
        }
    }

    /// Parses a whole berth.yaml text and reads `traffic` at `path` (dotted keys, such as
    /// `canary.prod.traffic`): for tests, until the canary section calls `readTraffic` itself.
    static func parseTraffic(_ text: String, file: String, at path: [String]) throws -> TrafficSettings {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw BerthError(.usage, "\(file): not valid YAML: \(describe(error)); fix the syntax")
        }
        guard let root else { throw BerthError(.usage, "\(file): empty document") }
        var node = ConfigNode(node: root, file: file, path: "")
        for key in path {
            let childPath = node.path.isEmpty ? key : "\(node.path).\(key)"
            guard let child = try node.freeMapping().first(where: { $0.0 == key })?.1 else {
                throw node.fail("'\(childPath)' is missing")
            }
            node = ConfigNode(node: child.node, file: file, path: childPath)
        }
        return try readTraffic(node)
    }

    static func readNginxTraffic(_ node: ConfigNode) throws -> TrafficSettings.Nginx {
        let fields = try node.mapping(known: ["include", "upstream", "stable", "canary", "check", "reload"])
        let include = try required(fields, "include", in: node, example: "/etc/nginx/berth/api.conf").string()
        if include.isEmpty || include.unicodeScalars.contains(where: isControl) {
            throw fields["include"]!.fail("'\(fields["include"]!.path)' must be a file path without control characters")
        }
        let upstreamNode = try required(fields, "upstream", in: node, example: "api")
        let upstream = try checked(upstreamNode, TrafficSettings.nginxNameProblem)
        let stable = try servers(fields, "stable", in: node, example: "[10.0.0.1:8080]", TrafficSettings.addressProblem)
        let canary = try servers(fields, "canary", in: node, example: "[10.0.0.2:8080]", TrafficSettings.addressProblem)
        try refuseOverlap(stable, canary, fields)
        var settings = TrafficSettings.Nginx(include: include, upstream: upstream, stable: stable, canary: canary)
        for key in ["check", "reload"] {
            guard let field = fields[key] else { continue }
            let command = try field.strings()
            if let problem = TrafficSettings.commandProblem(command) { throw field.fail("'\(field.path)' \(problem)") }
            if key == "check" { settings.check = command } else { settings.reload = command }
        }
        return settings
    }

    static func readHAProxyTraffic(_ node: ConfigNode) throws -> TrafficSettings.HAProxy {
        let fields = try node.mapping(known: [
            "socket", "backend", "stable", "canary", "map", "header", "canary_backend", "timeout",
        ])
        let socket = try checked(
            try required(fields, "socket", in: node, example: "/run/haproxy/admin.sock"), TrafficSettings.socketProblem)
        let backend = try checked(try required(fields, "backend", in: node, example: "api"), TrafficSettings.haproxyNameProblem)
        let stable = try servers(fields, "stable", in: node, example: "[s1]", TrafficSettings.haproxyNameProblem)
        let canary = try servers(fields, "canary", in: node, example: "[c1]", TrafficSettings.haproxyNameProblem)
        try refuseOverlap(stable, canary, fields)
        var settings = TrafficSettings.HAProxy(socket: socket, backend: backend, stable: stable, canary: canary)
        settings.map = try fields["map"].map { try checked($0, TrafficSettings.mapPathProblem) }
        settings.header = try fields["header"].map { try checked($0, TrafficSettings.headerNameProblem) }
        settings.canaryBackend = try fields["canary_backend"].map { try checked($0, TrafficSettings.haproxyNameProblem) }
        let group = ["map", "header", "canary_backend"]
        let given = group.filter { fields[$0] != nil }
        if !given.isEmpty && given.count != group.count {
            let missing = group.filter { fields[$0] == nil }
            throw fields[given[0]]!.fail(
                "'\(node.path)' has \(given.joined(separator: ", ")) but not \(missing.joined(separator: ", ")): a header rule needs the map file, the header haproxy.cfg looks up and the backend it leads to"
            )
        }
        if let timeout = fields["timeout"] {
            guard let seconds = Int(try timeout.string()), (1...300).contains(seconds) else {
                throw timeout.fail("'\(timeout.path)' must be seconds from 1 to 300")
            }
            settings.timeoutSeconds = seconds
        }
        return settings
    }

    static func readKubernetesTraffic(_ node: ConfigNode) throws -> TrafficSettings.Kubernetes {
        let fields = try node.mapping(known: [
            "mode", "manifest", "name", "namespace", "host", "path", "canary", "stable", "ingress_class", "gateway",
            "gateway_namespace", "apply", "context",
        ])
        let modeNode = try required(fields, "mode", in: node, example: "ingress-nginx")
        let mode = try modeNode.choice(TrafficSettings.Kubernetes.Mode.self, TrafficSettings.Kubernetes.Mode.allCases)
        let manifestNode = try required(fields, "manifest", in: node, example: "deploy/prod/api-canary.yaml")
        let manifest = try manifestNode.string()
        if let problem = repositoryPathProblem(manifest, example: "deploy/prod/api-canary.yaml") {
            throw manifestNode.fail("'\(manifestNode.path)': '\(manifest)' \(problem)")
        }
        if manifest.isEmpty { throw manifestNode.fail("'\(manifestNode.path)' is empty: name the manifest file berth writes") }
        func name(_ node: ConfigNode, subdomain: Bool) throws -> String {
            let text = try node.string()
            guard KubernetesName.isValid(text, subdomain: subdomain) else {
                throw node.fail(
                    "'\(node.path)' must be a Kubernetes name (lower-case letters, digits and '-'\(subdomain ? ", '.'" : ""), starting and ending with a letter or digit), not '\(text)'"
                )
            }
            return text
        }
        func backend(_ node: ConfigNode) throws -> TrafficSettings.Kubernetes.Backend {
            let text = try node.string()
            guard let backend = TrafficSettings.Kubernetes.Backend(parsing: text) else {
                throw node.fail("'\(node.path)' must be a Service name and port, such as api-canary:8080, not '\(text)'")
            }
            return backend
        }
        let canaryNode = try required(fields, "canary", in: node, example: "api-canary:8080")
        var settings = TrafficSettings.Kubernetes(
            mode: mode, manifest: manifest,
            name: try name(try required(fields, "name", in: node, example: "api-canary"), subdomain: true),
            canary: try backend(canaryNode))
        settings.namespace = try fields["namespace"].map { try name($0, subdomain: false) }
        settings.host = try fields["host"].map { try checked($0, TrafficSettings.hostProblem) }
        if let path = fields["path"] { settings.path = try checked(path, TrafficSettings.pathProblem) }
        switch mode {
        case .ingressNginx:
            for key in ["stable", "gateway", "gateway_namespace"] {
                if let field = fields[key] {
                    throw field.fail(
                        "'\(field.path)' is for mode httproute; ingress-nginx's canary Ingress sits beside the stable one, which berth leaves alone"
                    )
                }
            }
            if let ingressClass = fields["ingress_class"] { settings.ingressClass = try name(ingressClass, subdomain: true) }
        case .httpRoute:
            if let field = fields["ingress_class"] {
                throw field.fail("'\(field.path)' is for mode ingress-nginx, not httproute")
            }
            let stableNode = try required(fields, "stable", in: node, example: "api:8080")
            settings.stable = try backend(stableNode)
            if settings.stable?.service == settings.canary.service {
                throw stableNode.fail("'\(stableNode.path)' and 'canary' name the same Service; the canary needs its own")
            }
            settings.gateway = try name(try required(fields, "gateway", in: node, example: "public-gateway"), subdomain: true)
            settings.gatewayNamespace = try fields["gateway_namespace"].map { try name($0, subdomain: false) }
        }
        if let apply = fields["apply"] { settings.apply = try apply.bool() }
        if let context = fields["context"] {
            let text = try context.string()
            if let problem = TrafficSettings.contextProblem(text) { throw context.fail("'\(context.path)' \(problem)") }
            settings.context = text
        }
        if settings.apply && settings.context == nil {
            throw fields["apply"]!.fail(
                "'\(fields["apply"]!.path)' is true but there is no 'context': name the kubeconfig context kubectl applies to")
        }
        // Everything above was checked key by key; this is the same rule set, so the two can't drift apart.
        if let problem = settings.problem { throw node.fail("'\(node.path)' \(problem)") }
        return settings
    }

    // MARK: - Helpers

    private static func required(_ fields: [String: ConfigNode], _ key: String, in node: ConfigNode, example: String) throws
        -> ConfigNode
    {
        guard let field = fields[key] else { throw node.fail("'\(node.path)' needs '\(key)', such as \(key): \(example)") }
        return field
    }

    /// The string, after `problem` found nothing wrong with it.
    private static func checked(_ node: ConfigNode, _ problem: (String) -> String?) throws -> String {
        let text = try node.string()
        if let why = problem(text) { throw node.fail("'\(node.path)': \(why)") }
        return text
    }

    /// A non-empty list of distinct servers, each checked.
    private static func servers(
        _ fields: [String: ConfigNode], _ key: String, in node: ConfigNode, example: String, _ problem: (String) -> String?
    ) throws -> [String] {
        let field = try required(fields, key, in: node, example: example)
        let items = try field.sequence()
        guard !items.isEmpty else { throw field.fail("'\(field.path)' is an empty list: name at least one server") }
        var seen: Set<String> = []
        return try items.map { item in
            let text = try checked(item, problem)
            guard seen.insert(text).inserted else { throw item.fail("'\(item.path)': '\(text)' is listed twice") }
            return text
        }
    }

    private static func refuseOverlap(_ stable: [String], _ canary: [String], _ fields: [String: ConfigNode]) throws {
        guard let index = canary.firstIndex(where: stable.contains) else { return }
        let item = try fields["canary"]!.sequence()[index]
        throw item.fail("'\(item.path)': '\(canary[index])' is in both stable and canary; a server runs one version")
    }
}
