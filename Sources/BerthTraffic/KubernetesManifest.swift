import BerthCore

/// The manifests `KubernetesRouter` writes, and the split read back from one.
enum KubernetesManifest {
    static let annotationPrefix = "nginx.ingress.kubernetes.io/"

    static func render(_ split: TrafficSplit, settings: TrafficSettings.Kubernetes) -> String {
        switch settings.mode {
        case .ingressNginx: ingress(split, settings)
        case .httpRoute: httpRoute(split, settings)
        }
    }

    /// The canary Ingress: same host and path as the stable one (which berth leaves alone), the canary
    /// Service as backend, and ingress-nginx's canary annotations.
    static func ingress(_ split: TrafficSplit, _ settings: TrafficSettings.Kubernetes) -> String {
        var text = """
            # Written by berth canary (traffic.kubernetes, ingress-nginx) on every weight change: the canary
            # Ingress beside the stable one, which berth leaves alone. Edits to the annotations are read back.
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: \(settings.name)

            """
        if let namespace = settings.namespace { text += "  namespace: \(namespace)\n" }
        text += "  annotations:\n"
        text += "    \(annotationPrefix)canary: \"true\"\n"
        text += "    \(annotationPrefix)canary-weight: \"\(split.canaryWeight)\"\n"
        if let header = split.header {
            text += "    \(annotationPrefix)canary-by-header: \"\(header.name)\"\n"
            text += "    \(annotationPrefix)canary-by-header-value: \"\(header.value)\"\n"
        }
        text += "spec:\n  ingressClassName: \(settings.ingressClass)\n  rules:\n"
        text += settings.host.map { "    - host: \"\($0)\"\n      http:\n" } ?? "    - http:\n"
        text += """
                    paths:
                      - path: "\(settings.path)"
                        pathType: Prefix
                        backend:
                          service:
                            name: \(settings.canary.service)
                            port:
                              number: \(settings.canary.port)

            """
        return text
    }

    /// A Gateway API HTTPRoute: a rule matching the header that goes to the canary alone (a rule with a
    /// header match wins over one without), and the weighted rule for everything else.
    static func httpRoute(_ split: TrafficSplit, _ settings: TrafficSettings.Kubernetes) -> String {
        let stable = settings.stable ?? settings.canary
        var text = """
            # Written by berth canary (traffic.kubernetes, httproute) on every weight change. Edits to the
            # weights are read back.
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata:
              name: \(settings.name)

            """
        if let namespace = settings.namespace { text += "  namespace: \(namespace)\n" }
        text += "spec:\n  parentRefs:\n    - name: \(settings.gateway ?? "")\n"
        if let namespace = settings.gatewayNamespace { text += "      namespace: \(namespace)\n" }
        if let host = settings.host { text += "  hostnames:\n    - \"\(host)\"\n" }
        var lines = ["  rules:"]
        let match = [
            "    - matches:", "        - path:", "            type: PathPrefix", "            value: \"\(settings.path)\"",
        ]
        if let header = split.header {
            lines += match
            lines += [
                "          headers:", "            - type: Exact", "              name: \(header.name)",
                "              value: \"\(header.value)\"", "      backendRefs:", "        - name: \(settings.canary.service)",
                "          port: \(settings.canary.port)",
            ]
        }
        lines += match
        lines += [
            "      backendRefs:", "        - name: \(stable.service)", "          port: \(stable.port)",
            "          weight: \(100 - split.canaryWeight)", "        - name: \(settings.canary.service)",
            "          port: \(settings.canary.port)", "          weight: \(split.canaryWeight)",
        ]
        text += lines.joined(separator: "\n") + "\n"
        return text
    }

    /// The split a manifest carries, or why it can't be read as one berth manages.
    static func read(_ text: String, settings: TrafficSettings.Kubernetes) -> Result<TrafficSplit, Unreadable> {
        let document: ManifestYAML
        do { document = try ManifestYAML.parse(text) } catch { return .failure(Unreadable(stringLiteral: "\(error)")) }
        switch settings.mode {
        case .ingressNginx: return readIngress(document)
        case .httpRoute: return readRoute(document, settings: settings)
        }
    }

    static func readIngress(_ document: ManifestYAML) -> Result<TrafficSplit, Unreadable> {
        guard document["kind"]?.string == "Ingress" else { return .failure("it isn't an Ingress") }
        let annotations = document["metadata"]?["annotations"]
        func annotation(_ name: String) -> String? { annotations?[annotationPrefix + name]?.string }
        guard annotation("canary") == "true" else {
            return .failure("it lacks the annotation \(annotationPrefix)canary: \"true\"")
        }
        // ingress-nginx's defaults: weight 0 of a total of 100.
        guard let weight = Int(annotation("canary-weight") ?? "0"), let total = Int(annotation("canary-weight-total") ?? "100"),
            weight >= 0, total > 0, weight <= total
        else { return .failure("its canary-weight or canary-weight-total isn't a whole number from 0 to the total") }
        var header: HeaderRoute?
        switch (annotation("canary-by-header"), annotation("canary-by-header-value")) {
        case (nil, nil): break
        case (let name?, let value?): header = HeaderRoute(name: name, value: value)
        case (_?, nil):
            return .failure(
                "canary-by-header without canary-by-header-value ('always'/'never' routing) isn't a split berth writes")
        case (nil, _?): return .failure("canary-by-header-value without canary-by-header")
        }
        if annotation("canary-by-header-pattern") != nil || annotation("canary-by-cookie") != nil {
            return .failure("it routes by a header pattern or a cookie, which berth doesn't write")
        }
        return .success(TrafficSplit(canaryWeight: ServerWeights.percent(part: weight, total: total) ?? 0, header: header))
    }

    static func readRoute(_ document: ManifestYAML, settings: TrafficSettings.Kubernetes) -> Result<TrafficSplit, Unreadable> {
        guard document["kind"]?.string == "HTTPRoute" else { return .failure("it isn't an HTTPRoute") }
        let canaryName = settings.canary.service
        let stableName = settings.stable?.service ?? ""
        var weighted: (stable: Int, canary: Int)?
        var header: HeaderRoute?
        for rule in document["spec"]?["rules"]?.items ?? [] {
            let headers = (rule["matches"]?.items ?? []).flatMap { $0["headers"]?.items ?? [] }
            var refs: [(name: String, weight: Int)] = []
            for ref in rule["backendRefs"]?.items ?? [] {
                guard let name = ref["name"]?.string, let weight = Int(ref["weight"]?.string ?? "1"), weight >= 0 else {
                    return .failure("a backendRef lacks a name or has a weight that isn't a whole number")
                }
                refs.append((name, weight))
            }
            if headers.isEmpty {
                guard weighted == nil else { return .failure("it has two rules without a header match") }
                let canary = refs.filter { $0.name == canaryName }.map(\.weight).reduce(0, +)
                let stable = refs.filter { $0.name == stableName }.map(\.weight).reduce(0, +)
                guard refs.allSatisfy({ $0.name == canaryName || $0.name == stableName }) else {
                    return .failure("its weighted rule names a Service other than \(stableName) and \(canaryName)")
                }
                weighted = (stable, canary)
            } else {
                guard headers.count == 1, let name = headers[0]["name"]?.string, let value = headers[0]["value"]?.string,
                    (headers[0]["type"]?.string ?? "Exact") == "Exact", header == nil
                else { return .failure("its header rule isn't one exact header match") }
                guard !refs.isEmpty, refs.allSatisfy({ $0.name == canaryName }) else {
                    return .failure("its header rule doesn't send to \(canaryName) alone")
                }
                header = HeaderRoute(name: name, value: value)
            }
        }
        guard let weighted else { return .failure("it has no rule without a header match (the weighted one)") }
        guard let percent = ServerWeights.percent(part: weighted.canary, total: weighted.stable + weighted.canary) else {
            return .failure("both backendRefs have weight 0")
        }
        return .success(TrafficSplit(canaryWeight: percent, header: header))
    }
}
