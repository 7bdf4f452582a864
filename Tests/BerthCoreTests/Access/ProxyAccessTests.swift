import BerthCore
import Testing

@Suite("trusted proxies: address ranges and roles from users and groups")
struct ProxyAccessTests {
    @Test(
        "ranges hold the addresses they should and no others",
        arguments: [
            ("10.0.0.5", "10.0.0.5", true), ("10.0.0.5", "10.0.0.6", false), ("10.1.0.0/16", "10.1.255.7", true),
            ("10.1.0.0/16", "10.2.0.1", false), ("10.0.0.0/8", "11.0.0.1", false), ("192.168.4.0/23", "192.168.5.255", true),
            ("192.168.4.0/23", "192.168.6.0", false), ("127.0.0.1", "::ffff:127.0.0.1", true),
            ("10.0.0.0/8", "::ffff:10.2.3.4", true),
            ("::1", "::1", true), ("::1", "127.0.0.1", false), ("fd00::/8", "fd12:3456::1", true), ("fd00::/8", "fe80::1", false),
            ("2001:db8::/32", "2001:db8:ffff::1", true), ("2001:db8::/32", "2001:db9::1", false), ("10.0.0.5", "", false),
            ("10.0.0.5", "x10.0.0.5", false), ("10.0.0.5", "10.0.0.5.evil", false), ("0.0.0.0/0", "203.0.113.9", true),
        ])
    func contains(range: String, address: String, expected: Bool) throws {
        let parsed = try #require(NetworkRange(range))
        #expect(parsed.contains(address) == expected)
    }

    @Test(
        "what is not an address or CIDR block, or has host bits past its prefix, is refused",
        arguments: [
            "", "10.0.0", "10.0.0.256", "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/-1", "::1/129",
            "[::1]", "fe80::1%eth0", "proxy.example", "10.0.0.0/8/8", "localhost", "1.2.3.4 ",
        ])
    func refused(text: String) {
        #expect(NetworkRange(text) == nil)
    }

    @Test("descriptions read back; /0 is everything")
    func descriptions() throws {
        #expect(NetworkRange("10.1.0.0/16")?.description == "10.1.0.0/16")
        #expect(NetworkRange("10.0.0.5")?.description == "10.0.0.5")
        #expect(NetworkRange("fd00::/8")?.description == "fd00:0:0:0:0:0:0:0/8")
        #expect(NetworkRange("0.0.0.0/0")?.isEverything == true && NetworkRange("::/0")?.isEverything == true)
        #expect(NetworkRange("10.0.0.0/8")?.isEverything == false)
        let proxy = ProxyAccess(trusted: [try #require(NetworkRange("10.0.0.5"))])
        #expect(proxy.trusts("10.0.0.5") && !proxy.trusts("10.0.0.6") && !proxy.trusts(nil))
    }

    static let proxy = ProxyAccess(
        trusted: [], groupsHeader: "X-Forwarded-Groups",
        grants: [
            .init(.group("dev"), role: .approver), .init(.group("platform"), role: .promoter, environment: "prod"),
            .init(.group("sre"), role: .promoter), .init(.user("carol"), role: .viewer),
            .init(.user("root@example.com"), role: .admin),
        ])

    @Test("a user's own line decides alone; else the highest group role, unscoped before scoped; else the unmapped role")
    func roles() {
        let proxy = Self.proxy
        #expect(proxy.identity(user: "carol", groups: ["sre"]) == ProxyIdentity(name: "carol", role: .viewer, environment: nil))
        #expect(proxy.identity(user: "root@example.com", groups: [])?.role == .admin)
        #expect(proxy.identity(user: "dan", groups: ["dev"]) == ProxyIdentity(name: "dan", role: .approver, environment: nil))
        #expect(
            proxy.identity(user: "dan", groups: ["dev", "platform"])
                == ProxyIdentity(name: "dan", role: .promoter, environment: "prod"))
        #expect(
            proxy.identity(user: "dan", groups: ["platform", "sre"])
                == ProxyIdentity(name: "dan", role: .promoter, environment: nil))
        #expect(
            proxy.identity(user: "eve", groups: ["Dev", "devs"]) == ProxyIdentity(name: "eve", role: .viewer, environment: nil))
        var refusing = proxy
        refusing.unmappedRole = nil
        #expect(refusing.identity(user: "eve", groups: []) == nil)
        #expect(refusing.identity(user: "dan", groups: ["dev"])?.role == .approver)
    }

    @Test("user names, groups and header names: what berth records and reads")
    func names() {
        for good in ["alice", "alice@example.com", "a.b_c+d-e:f", "1234567890", String(repeating: "a", count: 128)] {
            #expect(ProxyAccess.isValidUser(good), "\(good)")
        }
        for bad in ["", "a b", "<script>", "alice\n", "ålice", "a\"b", String(repeating: "a", count: 129)] {
            #expect(!ProxyAccess.isValidUser(bad), "\(bad)")
        }
        #expect(ProxyAccess.groups("dev, platform ,, /sre") == ["dev", "platform", "/sre"])
        #expect(ProxyAccess.groups(nil).isEmpty)
        #expect(ProxyAccess.groups(Array(repeating: "g", count: 1000).joined(separator: ",")).count == 256)
        #expect(ProxyAccess.isValidHeaderName("X-Forwarded-User") && ProxyAccess.isValidHeaderName("X-Auth-Request-Email"))
        for bad in ["", "Authorization", "cookie", "Host", "X Forwarded", "X-User:", "Origin"] {
            #expect(!ProxyAccess.isValidHeaderName(bad), "\(bad)")
        }
    }
}
