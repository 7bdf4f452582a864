import Foundation

/// How berth proves itself to Prometheus (or the proxy in front of it): HTTP Basic or a bearer token,
/// sent as `Authorization`. Its descriptions and mirror never show the secret, so printing or dumping a
/// source can't leak it.
public enum PrometheusAuthorization: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    case basic(username: String, password: String)
    case bearer(token: String)

    /// The `Authorization` header's value.
    var headerValue: String {
        switch self {
        case .basic(let username, let password): "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case .bearer(let token): "Bearer " + token
        }
    }

    /// What's wrong with it as a header value (a line break, an empty token, a colon in a user name).
    var problem: String? {
        switch self {
        case .basic(let username, let password):
            if username.isEmpty { return "the Basic user name is empty" }
            if username.contains(":") { return "a Basic user name can't contain ':'" }
            if (username + password).contains(where: \.isNewline) { return "the Basic credentials contain a line break" }
        case .bearer(let token):
            if token.isEmpty { return "the bearer token is empty" }
            if token.contains(where: { $0.isNewline || $0 == " " }) { return "the bearer token contains a space or line break" }
        }
        return nil
    }

    public var description: String {
        switch self {
        case .basic(let username, _): "basic(username: \(username), password: ***)"
        case .bearer: "bearer(token: ***)"
        }
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror { Mirror(self, children: ["authorization": description]) }
}
