import BerthCore
import BerthOCI

extension ConfigurationLoader {
    /// `server: {webhooks: {receivers: [...], max_body_bytes, coalesce, reconcile}, anonymous_read, proxy}`.
    static func readServer(_ node: ConfigNode, into configuration: inout BerthConfiguration) throws {
        let server = try node.mapping(known: ["webhooks", "anonymous_read", "proxy"])
        configuration.serverAccess = try readServerAccess(
            server, environments: configuration.environments.map(\.name))
        configuration.webhooks = try readWebhooks(server)
    }

    /// `server.webhooks`.
    static func readWebhooks(_ server: [String: ConfigNode]) throws -> WebhookConfiguration {
        var config = WebhookConfiguration()
        guard let webhooks = server["webhooks"] else { return config }
        let entries = try webhooks.mapping(known: ["receivers", "max_body_bytes", "coalesce", "reconcile"])
        if let bytes = entries["max_body_bytes"] {
            guard let value = Int(try bytes.string()), (1024...(64 << 20)).contains(value) else {
                throw bytes.fail("'\(bytes.path)' is a number of bytes from 1024 to 67108864 (64 MiB)")
            }
            config.maxBodyBytes = value
        }
        if let coalesce = entries["coalesce"] {
            guard let seconds = DurationText.seconds(try coalesce.string()), seconds <= 300 else {
                throw coalesce.fail("'\(coalesce.path)' is a duration up to 5m (2s, 500ms)")
            }
            config.coalesceSeconds = seconds
        }
        if let reconcile = entries["reconcile"] {
            let text = try reconcile.string()
            if text == "off" {
                config.reconcileSeconds = nil
            } else {
                guard let seconds = DurationText.seconds(text), seconds >= 10 else {
                    throw reconcile.fail("'\(reconcile.path)' is a duration of at least 10s (5m, 1h), or off")
                }
                config.reconcileSeconds = seconds
            }
        }
        var names = Set<String>()
        for item in try entries["receivers"]?.sequence() ?? [] {
            // Told apart from other unknown keys so the message says why; it never repeats the value.
            if case .mapping(let raw) = item.node,
                let key = raw.keys.first(where: { Self.inlineSecretKeys.contains($0.string ?? "") })
            {
                throw ConfigNode(node: key, file: item.file, path: "\(item.path).\(key.string ?? "")").fail(
                    "'\(item.path).\(key.string ?? "")': berth.yaml never holds a secret; name where it is with secret_env: NAME or secret_file: PATH"
                )
            }
            let fields = try item.mapping(known: ["name", "type", "secret_env", "secret_file", "registry"])
            guard let nameNode = fields["name"] else { throw item.fail("'\(item.path)' needs a 'name' (the URL's last segment)") }
            let name = try nameNode.string()
            guard WebhookConfiguration.Receiver.isValidName(name) else {
                throw nameNode.fail("'\(nameNode.path)': '\(name.prefix(60))' is lower-case letters, digits and '-', at most 40")
            }
            guard names.insert(name).inserted else {
                throw nameNode.fail("'\(nameNode.path)': a second receiver named '\(name)'")
            }
            guard let typeNode = fields["type"] else {
                throw item.fail("'\(item.path)' needs a 'type': distribution, harbor or github")
            }
            let source = try typeNode.choice(WebhookPayload.Source.self, WebhookPayload.Source.allCases)
            let secret: WebhookConfiguration.SecretSource
            switch (fields["secret_env"], fields["secret_file"]) {
            case (let env?, nil):
                let variable = try env.string()
                // A value that is no variable's name may be the secret itself: say so without repeating it.
                guard Self.isVariableName(variable) else {
                    throw env.fail(
                        "'\(env.path)' is the name of an environment variable (BERTH_DISTRIBUTION_AUTH), not the secret itself")
                }
                secret = .environment(variable)
            case (nil, let file?):
                let path = try file.string()
                guard !path.isEmpty else { throw file.fail("'\(file.path)' is the path of a file holding the secret") }
                secret = .file(path)
            case (_?, _?): throw item.fail("'\(item.path)': secret_env or secret_file, not both")
            case (nil, nil):
                throw item.fail(
                    "'\(item.path)' needs secret_env: NAME or secret_file: PATH (the Authorization value, or GitHub's webhook secret); never the secret itself"
                )
            }
            var registry: String?
            if let host = fields["registry"] {
                let text = try host.string()
                guard (try? ImageReference(parsing: "\(text)/x")).map({ $0.store == .registry(text) }) == true else {
                    throw host.fail("'\(host.path)': '\(text.prefix(60))' is not a registry host (registry.example:5000)")
                }
                registry = text
            }
            config.receivers.append(.init(name: name, source: source, secret: secret, registry: registry))
        }
        return config
    }

    /// Keys a secret would be written under, in a receiver; refused.
    static let inlineSecretKeys = ["secret", "token", "password", "authorization", "auth", "header", "headers"]

    /// `[A-Za-z_][A-Za-z0-9_]*`, at most 255 characters.
    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 255 else { return false }
        func letter(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) || ("a"..."z").contains(c) || c == "_" }
        return letter(first) && text.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }
}
