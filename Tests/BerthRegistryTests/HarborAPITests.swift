import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@testable import BerthRegistry

@Suite("Harbor's API against a scripted Harbor: scan overviews, refusals explained, tags added through the API")
struct HarborAPITests {
    static let digest = ScriptedRegistryTests.manifest.digest
    static let credentials = StaticCredentials(.basic(username: "robot$ci", password: "HARBOR-SECRET-42"))
    static let basic = "Basic " + Data("robot$ci:HARBOR-SECRET-42".utf8).base64EncodedString()
    /// Harbor's error document, as src/lib/http/error.go sends it.
    static func errors(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        .json(status, #"{"errors":[{"code":"\#(code)","message":"\#(message)"}]}"#)
    }

    static func api(_ transport: ScriptedTransport, base: String = "https://harbor.example") -> HarborAPI {
        HarborAPI(baseURL: URL(string: base)!, registryHost: "harbor.example", credentials: credentials, transport: transport)
    }

    @Test("the artifact is read with its scan overview, the repository double-encoded, Basic credentials sent")
    func artifactRequest() async throws {
        let body = #"{"digest":"\#(Self.digest)"}"#
        let transport = ScriptedTransport { _ in .json(200, body) }
        let data = try await Self.api(transport).artifact("xuel/ui/server/config-dev", reference: "1.4.0")
        #expect(String(decoding: data, as: UTF8.self) == body)
        let request = try #require(transport.recorded.first)
        #expect(
            request.url.absoluteString
                == "https://harbor.example/api/v2.0/projects/xuel/repositories/ui%252Fserver%252Fconfig-dev/artifacts/1.4.0?with_scan_overview=true&with_tag=false"
        )
        #expect(request.header("Authorization") == Self.basic)
        #expect(
            request.header("X-Accept-Vulnerabilities")?.hasPrefix("application/vnd.security.vulnerability.report; version=1.1")
                == true)
    }

    @Test("--harbor-url with a path below it is kept; a digest reference keeps its colon")
    func baseWithPath() async throws {
        let transport = ScriptedTransport { _ in .json(200, "{}") }
        _ = try await Self.api(transport, base: "https://proxy.example/harbor/").artifact(
            "lib/api", reference: Self.digest.description)
        #expect(
            transport.lines == [
                "GET proxy.example/harbor/api/v2.0/projects/lib/repositories/api/artifacts/\(Self.digest)?with_scan_overview=true&with_tag=false"
            ])
    }

    @Test(
        "Harbor's refusals are one line naming the image and what to do, without the password",
        arguments: [
            (401, "UNAUTHORIZED", "unauthorized", ImageStoreError.Kind.unauthorized, "docker login harbor.example"),
            (403, "FORBIDDEN", "forbidden", .denied, "developer role"),
            (404, "NOT_FOUND", "artifact lib/api:9.9.9 not found", .notFound, "Harbor has no harbor.example/lib/api:9.9.9"),
            (500, "UNKNOWN", "internal server error", .unavailable, "retry later"),
        ])
    func refusals(status: Int, code: String, message: String, kind: ImageStoreError.Kind, hint: String) async throws {
        let transport = ScriptedTransport { _ in Self.errors(status, code, message) }
        await #expect {
            try await Self.api(transport).artifact("lib/api", reference: "9.9.9")
        } throws: { error in
            guard let error = error as? ImageStoreError else { return false }
            return error.kind == kind && error.message.hasPrefix("GET https://harbor.example/api/v2.0/projects/lib/")
                && error.message.contains("\(status) \(code)") && error.message.contains(hint)
                && !error.message.contains("HARBOR-SECRET") && !error.message.contains("\n")
        }
    }

    @Test("a repository outside a project is refused before any request")
    func noProject() async throws {
        let transport = ScriptedTransport { _ in .json(200, "{}") }
        await #expect(throws: ImageStoreError.self) { try await Self.api(transport).artifact("api", reference: "1") }
        #expect(transport.recorded.isEmpty)
    }

    @Test("no password goes over plain http to a host that isn't loopback")
    func plainHTTP() async throws {
        let transport = ScriptedTransport { _ in .json(200, "{}") }
        await #expect {
            try await Self.api(transport, base: "http://harbor.example").artifact("lib/api", reference: "1")
        } throws: { error in "\(error)".contains("refusing to send a password") }
        #expect(transport.recorded.isEmpty)
    }

    @Test("a 412 PROJECTPOLICYVIOLATION on the manifest GET names the image and says what to do")
    func pullPolicy() async throws {
        let transport = ScriptedTransport { _ in
            Self.errors(
                412, "PROJECTPOLICYVIOLATION",
                #"current image with 3 vulnerabilities cannot be pulled due to configured policy in 'Prevent images with vulnerability severity of \"High\" or higher from running.' To continue with pull, please contact your project administrator to exempt matched vulnerabilities through configuring the CVE allowlist."#
            )
        }
        let client = RegistryClient(host: "harbor.example", transport: transport)
        await #expect {
            try await client.fetchManifest("lib/api", reference: "v1")
        } throws: { error in
            guard let error = error as? ImageStoreError else { return false }
            return error.kind == .policy
                && error.message.contains("Harbor's project policy refuses to serve harbor.example/lib/api:v1")
                && error.message.contains("CVE allowlist") && error.message.contains("berth promote retags through Harbor's API")
                && !error.message.contains("\n")
        }
    }

    @Test("a 412 PRECONDITION naming immutability on a tag PUT is a conflict (exit 3) naming the tag")
    func immutableTag() async throws {
        let transport = ScriptedTransport { _ in
            Self.errors(412, "PRECONDITION", "Failed to process request due to 'api:v1.2.0' configured as immutable.")
        }
        let client = RegistryClient(host: "harbor.example", transport: transport)
        await #expect {
            try await client.pushManifest("lib/api", reference: "v1.2.0", manifest: ScriptedRegistryTests.manifest)
        } throws: { error in
            guard let error = error as? ImageStoreError else { return false }
            return error.kind == .conflict && error.berthError.kind == .conflict
                && error.message.contains("PUT https://harbor.example/v2/lib/api/manifests/v1.2.0: 412 PRECONDITION")
                && error.message.contains("tag immutability rule protects harbor.example/lib/api:v1.2.0")
                && error.message.contains("release a new version")
        }
    }

    /// A Harbor whose pull policy refuses the image's manifest; its API adds tags. `harbor` false: the
    /// systeminfo probe gets a 404, as from a registry that isn't Harbor.
    final class PolicyHarbor: @unchecked Sendable {
        let lock = NSLock()
        var tags: [String: Digest] = [:]
        let harbor: Bool
        init(harbor: Bool, tags: [String: Digest] = [:]) {
            self.harbor = harbor
            self.tags = tags
        }

        func answer(_ request: HTTPRequest) -> HTTPResponse {
            let path = request.url.path
            if path.hasPrefix("/v2/") {
                return request.method == "HEAD"
                    ? HTTPResponse(status: 412)
                    : HarborAPITests.errors(
                        412, "PROJECTPOLICYVIOLATION",
                        "current image with 3 vulnerabilities cannot be pulled due to configured policy")
            }
            if path == "/api/v2.0/systeminfo" {
                return harbor
                    ? .json(200, #"{"auth_mode":"db_auth","primary_auth_mode":false,"self_registration":false}"#)
                    : .json(404, "404 page not found")
            }
            let prefix = "/api/v2.0/projects/lib/repositories/api/artifacts/"
            guard path.hasPrefix(prefix) else { return .json(404, "{}") }
            let rest = String(path.dropFirst(prefix.count))
            return lock.withLock {
                if request.method == "POST", rest.hasSuffix("/tags") {
                    let body = (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: String]
                    guard let name = body?["name"], let digest = Digest(String(rest.dropLast(5))) else { return .json(400, "{}") }
                    if tags[name] != nil {
                        return HarborAPITests.errors(409, "CONFLICT", "tag \(name) already exists under the repository 7")
                    }
                    tags[name] = digest
                    return HTTPResponse(status: 201)
                }
                if request.method == "DELETE", let range = rest.range(of: "/tags/") {
                    let name = String(rest[range.upperBound...])
                    guard tags[name]?.description == String(rest[..<range.lowerBound]) else { return .json(404, "{}") }
                    tags[name] = nil
                    return HTTPResponse(status: 200)
                }
                if request.method == "GET" {
                    guard let digest = Digest(rest) ?? tags[rest] else {
                        return HarborAPITests.errors(404, "NOT_FOUND", "artifact not found")
                    }
                    return .json(200, #"{"digest":"\#(digest)","tags":null}"#)
                }
                return .json(405, "{}")
            }
        }
    }

    @Test(
        "where the pull policy refuses the retag's manifest GET, the tags go on through Harbor's API and are verified through it")
    func retagThroughHarbor() async throws {
        let harbor = PolicyHarbor(harbor: true)
        let transport = ScriptedTransport { harbor.answer($0) }
        let client = RegistryClient(host: "harbor.example", credentials: Self.credentials, transport: transport)
        let writer = TagWriter(store: client, repository: "lib/api")
        #expect(try await writer.retag(["v1.2.0-dev", "dev"], digest: Self.digest) == ["v1.2.0-dev", "dev"])
        try await writer.verify(["v1.2.0-dev", "dev"], digest: Self.digest, rerun: "run it again")
        #expect(harbor.tags == ["v1.2.0-dev": Self.digest, "dev": Self.digest])
        let posts = transport.recorded.filter { $0.method == "POST" }
        #expect(
            posts.map(\.url.path)
                == Array(repeating: "/api/v2.0/projects/lib/repositories/api/artifacts/\(Self.digest)/tags", count: 2))
        #expect(posts.first.flatMap { $0.body }.map { String(decoding: $0, as: UTF8.self) } == #"{"name":"v1.2.0-dev"}"#)
        #expect(transport.lines.filter { $0.hasSuffix("/systeminfo") }.count == 1, "the probe is asked once")
    }

    @Test("a tag on another artifact is moved: removed there through the API, then added")
    func moveTag() async throws {
        let other = Digest("sha256:" + String(repeating: "9", count: 64))!
        let harbor = PolicyHarbor(harbor: true, tags: ["dev": other])
        let transport = ScriptedTransport { harbor.answer($0) }
        let client = RegistryClient(host: "harbor.example", credentials: Self.credentials, transport: transport)
        try await client.addTag("dev", to: Self.digest, in: "lib/api")
        #expect(harbor.tags == ["dev": Self.digest])
        #expect(
            transport.lines.contains("DELETE harbor.example/api/v2.0/projects/lib/repositories/api/artifacts/\(other)/tags/dev"))
    }

    @Test("a registry that isn't Harbor: the policy refusal stands, nothing is tagged")
    func notHarbor() async throws {
        let harbor = PolicyHarbor(harbor: false)
        let transport = ScriptedTransport { harbor.answer($0) }
        let client = RegistryClient(host: "harbor.example", transport: transport)
        await #expect {
            try await TagWriter(store: client, repository: "lib/api").retag(["dev"], digest: Self.digest)
        } throws: { error in (error as? ImageStoreError)?.kind == .policy }
        #expect(harbor.tags.isEmpty && !transport.recorded.contains { $0.method == "POST" })
    }
}
