import BerthCore
import Foundation
import Testing

@testable import BerthRegistry

@Suite("docker config.json: an auth that isn't base64 of user:password is an error, never ignored")
struct DockerConfigAuthTests {
    /// A `DOCKER_CONFIG` directory whose config.json has one `auths` entry for `key`.
    static func config(key: String, entry: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("docker-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(#"{"auths":{"\#(key)":\#(entry)}}"#.utf8).write(to: dir.appendingPathComponent("config.json"))
        return dir
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    struct Broken: Sendable, CustomTestStringConvertible {
        let name: String
        let auth: String
        let reason: String
        var testDescription: String { name }
    }

    static let brokenCases: [Broken] = [
        Broken(name: "not base64", auth: "s3cr3t-not-base64!", reason: "not valid base64"),
        Broken(name: "truncated base64", auth: String(base64("me:s3cr3t-pw").dropLast()), reason: "not valid base64"),
        Broken(name: "base64 of a token without ':'", auth: base64("s3cr3t-token-only"), reason: "no ':'"),
    ]

    @Test("the error names the key and the file, not the value, and is bad input (exit 65)", arguments: brokenCases)
    func brokenAuth(_ example: Broken) throws {
        let dir = try Self.config(key: "https://registry.example:5000/v1/", entry: #"{"auth":"\#(example.auth)"}"#)
        defer { try? FileManager.default.removeItem(at: dir) }
        let credentials = try DockerConfigCredentials(environment: ["DOCKER_CONFIG": dir.path])
        let error = try #require(throws: ImageStoreError.self) { try credentials.credential(for: "registry.example:5000") }
        #expect(error.berthError.kind == .badInput)
        #expect(error.message.contains("'https://registry.example:5000/v1/'"), "\(error.message)")
        #expect(error.message.contains("'\(dir.path)/config.json'"), "\(error.message)")
        #expect(error.message.contains(example.reason), "\(error.message)")
        #expect(error.message.contains("docker login registry.example:5000"), "\(error.message)")
        #expect(!error.message.contains("s3cr3t") && !error.message.contains(example.auth), "the value leaked: \(error.message)")
        #expect(!error.message.contains("\n"))
        // Another registry's lookup is not this entry's business.
        #expect(try credentials.credential(for: "other.example") == nil)
    }

    @Test("a valid auth, one wrapped over lines, and username/password beside an empty auth still work")
    func valid() throws {
        let wrapped = Self.base64("me:a-rather-long-password-that-wraps")
        let middle = wrapped.index(wrapped.startIndex, offsetBy: 12)
        let dir = try Self.config(
            key: "registry.example", entry: #"{"auth":"\#(wrapped[..<middle])\n\#(wrapped[middle...])"}"#)
        defer { try? FileManager.default.removeItem(at: dir) }
        let credentials = try DockerConfigCredentials(environment: ["DOCKER_CONFIG": dir.path])
        #expect(
            try credentials.credential(for: "registry.example")
                == .basic(username: "me", password: "a-rather-long-password-that-wraps"))

        let split = try Self.config(key: "registry.example", entry: #"{"auth":"","username":"bot","password":"pw:1"}"#)
        defer { try? FileManager.default.removeItem(at: split) }
        #expect(
            try DockerConfigCredentials(environment: ["DOCKER_CONFIG": split.path]).credential(for: "registry.example")
                == .basic(username: "bot", password: "pw:1"))

        let empty = try Self.config(key: "registry.example", entry: #"{"auth":""}"#)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(
            try DockerConfigCredentials(environment: ["DOCKER_CONFIG": empty.path]).credential(for: "registry.example") == nil)
    }

    @Test("a registry's Basic challenge meets the error instead of going on without credentials")
    func throughTheClient() async throws {
        let dir = try Self.config(key: "registry.example", entry: #"{"auth":"\#(Self.base64("no-colon-here"))"}"#)
        defer { try? FileManager.default.removeItem(at: dir) }
        let transport = ScriptedTransport { request in
            guard request.header("Authorization") != nil else {
                return HTTPResponse(status: 401, headers: [("WWW-Authenticate", #"Basic realm="registry""#)])
            }
            return HTTPResponse(status: 200, body: Data(#"{"name":"acme/api","tags":["v1"]}"#.utf8))
        }
        let client = RegistryClient(
            host: "registry.example", credentials: try DockerConfigCredentials(environment: ["DOCKER_CONFIG": dir.path]),
            transport: transport)
        let error = try await #require(throws: ImageStoreError.self) { try await client.listTags("acme/api") }
        #expect(error.berthError.kind == .badInput)
        #expect(error.message.contains("'registry.example'") && error.message.contains("config.json"), "\(error.message)")
        #expect(transport.recorded.allSatisfy { $0.header("Authorization") == nil })
    }
}
