/// What an access token may do on `berth serve`; each role may do what the roles before it may.
public enum AccessRole: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    /// Reads the board, the history and the API.
    case viewer
    /// Also approves a digest for an environment (`berth approve`).
    case approver
    /// Also promotes and rolls back.
    case promoter
    /// Also manages tokens.
    case admin

    public static func < (lhs: AccessRole, rhs: AccessRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Reads `text` (`viewer`, `approver`, `promoter`, `admin`), else a usage error listing the roles.
    public static func parse(_ text: String) throws(BerthError) -> AccessRole {
        guard let role = AccessRole(rawValue: text) else {
            throw BerthError(
                .usage,
                "--role '\(AccessToken.echoed(text))' is not a role: use one of \(allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return role
    }
}
