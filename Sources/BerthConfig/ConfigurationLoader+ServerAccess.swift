import BerthCore

extension ConfigurationLoader {
    /// `server.anonymous_read` and `server.proxy: {trusted, user_header, groups_header, unmapped, roles}`.
    static func readServerAccess(_ entries: [String: ConfigNode], environments: [String]) throws -> ServerAccessConfiguration {
        var access = ServerAccessConfiguration()
        if let anonymous = entries["anonymous_read"] { access.anonymousRead = try anonymous.bool() }
        guard let node = entries["proxy"] else { return access }
        let fields = try node.mapping(known: ["trusted", "user_header", "groups_header", "unmapped", "roles"])
        var proxy = ProxyAccess()
        for item in try fields["trusted"]?.sequence() ?? [] {
            let text = try item.string()
            guard let range = NetworkRange(text) else {
                throw item.fail(
                    "'\(item.path)': '\(text.prefix(60))' is not an address or CIDR block (10.0.0.5, 10.1.0.0/16, fd00::/8, host bits clear)"
                )
            }
            guard !range.isEverything else {
                throw item.fail(
                    "'\(item.path)': \(text) trusts every address, so anyone could say who they are; name the proxy's")
            }
            proxy.trusted.append(range)
        }
        for key in ["user_header", "groups_header"] {
            guard let header = fields[key] else { continue }
            let name = try header.string()
            guard ProxyAccess.isValidHeaderName(name) else {
                throw header.fail(
                    "'\(header.path)': '\(name.prefix(60))' is not a header berth may read identities from (such as X-Forwarded-User)"
                )
            }
            if key == "user_header" { proxy.userHeader = name } else { proxy.groupsHeader = name }
        }
        if let unmapped = fields["unmapped"] {
            let text = try unmapped.string()
            switch text {
            case "refuse": proxy.unmappedRole = nil
            default:
                guard let role = AccessRole(rawValue: text) else {
                    throw unmapped.fail("'\(unmapped.path)' is refuse or a role (viewer, approver, promoter, admin)")
                }
                proxy.unmappedRole = role
            }
        }
        for item in try fields["roles"]?.sequence() ?? [] {
            let grant = try item.mapping(known: ["user", "group", "role", "env"])
            let subject: ProxyAccess.Grant.Subject
            switch (grant["user"], grant["group"]) {
            case (let user?, nil):
                let name = try user.string()
                guard ProxyAccess.isValidUser(name) else {
                    throw user.fail(
                        "'\(user.path)': '\(name.prefix(60))' is 1 to 128 letters, digits, '.', '_', '@', '+', '-' or ':'")
                }
                subject = .user(name)
            case (nil, let group?):
                let name = try group.string()
                guard ProxyAccess.groups(name) == [name] else {
                    throw group.fail("'\(group.path)': '\(name.prefix(60))' is one group name: no commas, at most 256 bytes")
                }
                subject = .group(name)
            case (_?, _?): throw item.fail("'\(item.path)': user or group, not both")
            case (nil, nil): throw item.fail("'\(item.path)' needs user: NAME or group: NAME")
            }
            guard let roleNode = grant["role"] else {
                throw item.fail("'\(item.path)' needs a role: viewer, approver, promoter or admin")
            }
            let role = try roleNode.choice(AccessRole.self, AccessRole.allCases)
            var environment: String?
            if let env = grant["env"] {
                let name = try env.string()
                guard environments.contains(name) else {
                    throw env.fail(
                        "'\(env.path)': '\(name.prefix(60))' is not an environment: use one of \(environments.joined(separator: ", "))"
                    )
                }
                environment = name
            }
            proxy.grants.append(.init(subject, role: role, environment: environment))
        }
        access.proxy = proxy
        return access
    }
}
