import BerthConfig
import BerthCore
import Testing

/// berth.yaml's `server.webhooks`: what is read, and what is refused in one line naming the key and its
/// position, a secret never repeated.
@Suite("berth.yaml server.webhooks")
struct WebhookConfigTests {
    /// One receiver written as a flow mapping on line 4, from column 10.
    static func receiver(_ fields: String) -> String {
        "server:\n  webhooks:\n    receivers:\n      - {\(fields)}\n"
    }

    static func webhooks(_ line: String) -> String { "server:\n  webhooks:\n    \(line)\n" }

    @Test("every key is read; the defaults are 1 MiB, 2s and 5m")
    func reads() throws {
        #expect(try ConfigurationLoader.parse("", file: "berth.yaml").webhooks == WebhookConfiguration())
        let defaults = WebhookConfiguration()
        #expect(defaults.maxBodyBytes == 1_048_576 && defaults.coalesceSeconds == 2 && defaults.reconcileSeconds == 300)
        let config = try ConfigurationLoader.parse(
            """
            server:
              webhooks:
                max_body_bytes: 67108864
                coalesce: 5m
                reconcile: 10s
                receivers:
                  - name: distribution
                    type: distribution
                    secret_env: BERTH_DISTRIBUTION_AUTH
                    registry: registry.example:5000
                  - {name: harbor-1, type: harbor, secret_file: /run/secrets/harbor}
                  - {name: gh, type: github, secret_env: _GH_SECRET_2}

            """, file: "berth.yaml"
        ).webhooks
        #expect(config.maxBodyBytes == 64 << 20 && config.coalesceSeconds == 300 && config.reconcileSeconds == 10)
        #expect(
            config.receivers == [
                .init(
                    name: "distribution", source: .distribution, secret: .environment("BERTH_DISTRIBUTION_AUTH"),
                    registry: "registry.example:5000"),
                .init(name: "harbor-1", source: .harbor, secret: .file("/run/secrets/harbor")),
                .init(name: "gh", source: .github, secret: .environment("_GH_SECRET_2")),
            ])
        let smallest = try ConfigurationLoader.parse(
            "server:\n  webhooks:\n    max_body_bytes: 1024\n    coalesce: 500ms\n    reconcile: off\n", file: "berth.yaml"
        ).webhooks
        #expect(smallest.maxBodyBytes == 1024 && smallest.coalesceSeconds == 0.5 && smallest.reconcileSeconds == nil)
    }

    @Test(
        "what can't be a receiver is refused at its position, naming the key",
        arguments: [
            (
                receiver("name: hub, type: gitlab, secret_env: HUB_SECRET"), "berth.yaml:4:27",
                "'server.webhooks.receivers[0].type' must be one of distribution, harbor, github, found 'gitlab'"
            ),
            (receiver("name: hub, secret_env: HUB_SECRET"), "berth.yaml:4:9", "'server.webhooks.receivers[0]' needs a 'type'"),
            (receiver("type: github, secret_env: HUB_SECRET"), "berth.yaml:4:9", "'server.webhooks.receivers[0]' needs a 'name'"),
            (
                receiver("name: Hub_1, type: github, secret_env: HUB_SECRET"), "berth.yaml:4:16",
                "'server.webhooks.receivers[0].name': 'Hub_1' is lower-case letters"
            ),
            (
                receiver("name: hub, type: github"), "berth.yaml:4:9",
                "'server.webhooks.receivers[0]' needs secret_env: NAME or secret_file: PATH"
            ),
            (
                receiver("name: hub, type: github, secret_env: A, secret_file: /run/s"), "berth.yaml:4:9",
                "'server.webhooks.receivers[0]': secret_env or secret_file, not both"
            ),
            (
                receiver("name: hub, type: github, secret_file: ''"), "berth.yaml:4:48",
                "'server.webhooks.receivers[0].secret_file' is the path of a file"
            ),
            (
                receiver("name: hub, type: harbor, secret_env: HARBOR_AUTH, registry: https://harbor.example"),
                "berth.yaml:4:70", "'server.webhooks.receivers[0].registry': 'https://harbor.example' is not a registry host"
            ),
            (
                receiver("name: hub, type: github, secret_env: HUB_SECRET, retries: 3"), "berth.yaml:4:59",
                "unknown key 'server.webhooks.receivers[0].retries'"
            ),
            (
                "server:\n  webhooks:\n    receivers:\n      - {name: a, type: github, secret_env: A}\n      - {name: a, type: harbor, secret_env: B}\n",
                "berth.yaml:5:16", "'server.webhooks.receivers[1].name': a second receiver named 'a'"
            ),
            (webhooks("receivers: {name: a}"), "berth.yaml:3:16", "'server.webhooks.receivers' must be a list"),
            (
                webhooks("max_body_bytes: 1023"), "berth.yaml:3:21",
                "'server.webhooks.max_body_bytes' is a number of bytes from 1024"
            ),
            (webhooks("max_body_bytes: 67108865"), "berth.yaml:3:21", "to 67108864 (64 MiB)"),
            (webhooks("max_body_bytes: 1MiB"), "berth.yaml:3:21", "'server.webhooks.max_body_bytes' is a number of bytes"),
            (webhooks("coalesce: 6m"), "berth.yaml:3:15", "'server.webhooks.coalesce' is a duration up to 5m"),
            (webhooks("coalesce: soon"), "berth.yaml:3:15", "'server.webhooks.coalesce' is a duration up to 5m"),
            (webhooks("reconcile: 9s"), "berth.yaml:3:16", "'server.webhooks.reconcile' is a duration of at least 10s"),
            (webhooks("reconcile: never"), "berth.yaml:3:16", "or off"),
            (webhooks("retries: 3"), "berth.yaml:3:5", "unknown key 'server.webhooks.retries'"),
            ("server:\n  listen: 0.0.0.0:8080\n", "berth.yaml:2:3", "unknown key 'server.listen'"),
        ])
    func refused(yaml: String, position: String, fragment: String) {
        ValidationTests.expectRefused(yaml, at: position, fragment)
    }

    @Test(
        "a secret written into berth.yaml is refused, pointing at secret_env and secret_file, and never repeated",
        arguments: [
            ("name: hub, type: github, secret: hunter2-x9", "berth.yaml:4:35", "'server.webhooks.receivers[0].secret'"),
            ("name: hub, type: github, token: hunter2-x9", "berth.yaml:4:35", "'server.webhooks.receivers[0].token'"),
            (
                "name: hub, type: distribution, authorization: 'Bearer hunter2-x9'", "berth.yaml:4:41",
                "'server.webhooks.receivers[0].authorization'"
            ),
            (
                "name: hub, type: harbor, headers: {Authorization: 'Basic hunter2-x9'}", "berth.yaml:4:35",
                "'server.webhooks.receivers[0].headers'"
            ),
            (
                "name: hub, type: distribution, secret_env: 'Bearer hunter2-x9'", "berth.yaml:4:53",
                "'server.webhooks.receivers[0].secret_env' is the name of an environment variable"
            ),
            (
                "name: hub, type: github, secret_env: hunter2-x9", "berth.yaml:4:47",
                "'server.webhooks.receivers[0].secret_env' is the name of an environment variable"
            ),
        ])
    func inlineSecret(fields: String, position: String, fragment: String) {
        let yaml = Self.receiver(fields)
        ValidationTests.expectRefused(yaml, at: position, fragment)
        #expect {
            try ConfigurationLoader.parse(yaml, file: "berth.yaml")
        } throws: { error in
            let message = (error as? BerthError)?.message ?? ""
            return !message.contains("hunter2") && (message.contains("secret_env") || message.contains("secret_file"))
        }
    }
}
