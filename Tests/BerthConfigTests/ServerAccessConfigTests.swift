import BerthConfig
import BerthCore
import Testing

/// berth.yaml's `server.anonymous_read` and `server.proxy`.
@Suite("berth.yaml server.anonymous_read and server.proxy")
struct ServerAccessConfigTests {
    @Test("off and absent by default; every key is read")
    func reads() throws {
        let none = try ConfigurationLoader.parse("", file: "berth.yaml").serverAccess
        #expect(none == ServerAccessConfiguration() && none.anonymousRead == false && none.proxy == nil)
        let config = try ConfigurationLoader.parse(
            """
            environments: [{name: dev}, {name: prod}]
            server:
              anonymous_read: true
              proxy:
                trusted: [10.0.0.5, 10.1.0.0/16, "fd00::/8"]
                user_header: X-Auth-Request-Email
                groups_header: X-Forwarded-Groups
                unmapped: refuse
                roles:
                  - {user: alice@example.com, role: admin}
                  - {group: platform, role: promoter, env: prod}

            """, file: "berth.yaml"
        ).serverAccess
        #expect(config.anonymousRead)
        let proxy = try #require(config.proxy)
        #expect(proxy.trusted.map(\.description) == ["10.0.0.5", "10.1.0.0/16", "fd00:0:0:0:0:0:0:0/8"])
        #expect(proxy.userHeader == "X-Auth-Request-Email" && proxy.groupsHeader == "X-Forwarded-Groups")
        #expect(proxy.unmappedRole == nil)
        #expect(
            proxy.grants == [
                .init(.user("alice@example.com"), role: .admin), .init(.group("platform"), role: .promoter, environment: "prod"),
            ])
        let defaults = try #require(
            try ConfigurationLoader.parse("server:\n  proxy:\n    trusted: [127.0.0.1]\n", file: "berth.yaml").serverAccess.proxy)
        #expect(defaults.userHeader == "X-Forwarded-User" && defaults.groupsHeader == nil && defaults.unmappedRole == .viewer)
    }

    @Test(
        "refusals name the key and its position in one line",
        arguments: [
            ("server:\n  proxy:\n    trusted: [10.0.0.1/8]\n", "berth.yaml:3:", "server.proxy.trusted[0]"),
            ("server:\n  proxy:\n    trusted: [0.0.0.0/0]\n", "berth.yaml:3:", "trusts every address"),
            ("server:\n  proxy:\n    user_header: Authorization\n", "berth.yaml:3:", "server.proxy.user_header"),
            ("server:\n  proxy:\n    unmapped: root\n", "berth.yaml:3:", "refuse or a role"),
            (
                "server:\n  proxy:\n    roles:\n      - {user: a, group: b, role: admin}\n", "berth.yaml:4:",
                "user or group, not both"
            ),
            ("server:\n  proxy:\n    roles:\n      - {user: a}\n", "berth.yaml:4:", "needs a role"),
            ("server:\n  proxy:\n    roles:\n      - {user: 'a b', role: admin}\n", "berth.yaml:4:", "'a b'"),
            ("server:\n  proxy:\n    roles:\n      - {group: 'a,b', role: admin}\n", "berth.yaml:4:", "one group name"),
            ("server:\n  proxy:\n    roles:\n      - {user: a, role: admin, env: qa}\n", "berth.yaml:4:", "not an environment"),
            ("server:\n  proxy:\n    roles:\n      - {user: a, role: root}\n", "berth.yaml:4:", "root"),
            ("server:\n  proxy:\n    secret: x\n", "berth.yaml:3:", "secret"),
            ("server:\n  anonymous_read: maybe\n", "berth.yaml:2:", "anonymous_read"),
        ])
    func refusals(yaml: String, position: String, says: String) {
        do {
            _ = try ConfigurationLoader.parse(yaml, file: "berth.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            let message = "\(error)"
            #expect(message.contains(position), "\(message)")
            #expect(message.contains(says), "\(message)")
            #expect(!message.contains("\n"))
        }
    }
}
