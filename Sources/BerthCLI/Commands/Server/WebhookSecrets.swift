import BerthCore
import BerthServer
import Foundation

/// Reads the receivers' secrets named in berth.yaml (an environment variable or a file) for `berth serve`.
/// A missing or empty secret refuses to start, naming where it looked, never a value.
enum WebhookSecrets {
    static func settings(_ configuration: BerthConfiguration, environment: [String: String]) throws -> WebhookSettings {
        let webhooks = configuration.webhooks
        let receivers = try webhooks.receivers.map { receiver in
            WebhookReceiver(
                name: receiver.name, source: receiver.source, secret: try secret(receiver, environment: environment),
                registry: receiver.registry)
        }
        return WebhookSettings(
            receivers: receivers, maxBodyBytes: webhooks.maxBodyBytes, coalesceSeconds: webhooks.coalesceSeconds,
            reconcileSeconds: receivers.isEmpty ? nil : webhooks.reconcileSeconds, policy: configuration.gates)
    }

    static func secret(_ receiver: WebhookConfiguration.Receiver, environment: [String: String]) throws -> String {
        let value: String?
        switch receiver.secret {
        case .environment(let name): value = environment[name]
        case .file(let path):
            value = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
        // A file's trailing newline is not part of the secret.
        guard let text = value?.trimmingCharacters(in: .newlines), !text.isEmpty else {
            throw BerthError(
                .usage,
                "webhook receiver '\(receiver.name)': no secret in the \(receiver.secret); set it (the Authorization value the registry sends, or GitHub's webhook secret)"
            )
        }
        return text
    }
}
