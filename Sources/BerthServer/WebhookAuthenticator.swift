import BerthCore
import Crypto
import Foundation

/// Whether a delivery comes from the configured sender, decided before its body is parsed: the exact
/// `Authorization` value (Distribution, Harbor), or GitHub's `X-Hub-Signature-256`, an HMAC-SHA256 of the
/// raw body under the webhook's secret. Both compared in constant time.
enum WebhookAuthenticator {
    /// Distribution and Harbor send a configured header; nil: it matches, else why not (no secret in it).
    static func checkHeader(_ presented: String?, receiver: WebhookReceiver) -> String? {
        guard let presented else { return "no Authorization header" }
        return AccessToken.constantTimeEqual(presented, receiver.secret) ? nil : "the Authorization header doesn't match"
    }

    /// GitHub's signature over `body`; nil: it matches, else why not.
    static func checkSignature(_ presented: String?, body: Data, secret: String) -> String? {
        guard let presented, presented.hasPrefix("sha256=") else { return "no X-Hub-Signature-256: sha256=<hex>" }
        return AccessToken.constantTimeEqual(presented.lowercased(), signature(of: body, secret: secret))
            ? nil : "X-Hub-Signature-256 doesn't match the body"
    }

    /// `sha256=<hex>` as GitHub computes it.
    static func signature(of body: Data, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
