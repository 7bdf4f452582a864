import BerthCore
import BerthDeploy
import BerthTestSupport
import Foundation
import Testing

/// The deploy adapters against real things: files in a temp directory, and an HTTP server on 127.0.0.1
/// answering a chosen status for the health probe.
@Suite("deploy targets: manifest files and the HTTP health probe")
struct DeployTargetTests {
    @Test("manifest files are read, rewritten atomically, and a missing one reads as nil")
    func manifestFiles() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-deploy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/k8s", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = ProjectManifestFiles(root: root)
        #expect(try files.read("k8s/kustomization.yaml") == nil)
        try files.write("k8s/kustomization.yaml", text: "images:\n- name: api\n")
        #expect(try files.read("k8s/kustomization.yaml") == "images:\n- name: api\n")
        try files.write("k8s/kustomization.yaml", text: "images: []\n")
        #expect(try files.read("k8s/kustomization.yaml") == "images: []\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/k8s")
        #expect(leftovers == ["kustomization.yaml"], "no temp file left behind: \(leftovers)")
    }

    @Test("the probe waits for a 2xx, asking again after failures; 'unhealthy' with the last status when none comes")
    func probe() async throws {
        let healthy = try StatusHTTPServer(status: 204)
        defer { healthy.stop() }
        let probe = HTTPHealthProbe(interval: .milliseconds(100))
        #expect(
            try await probe.waitHealthy("http://127.0.0.1:\(healthy.port)/healthz", timeoutSeconds: 600) == .healthy(status: 204))

        let failing = try StatusHTTPServer(status: 503)
        defer { failing.stop() }
        let answer = try await probe.waitHealthy("http://127.0.0.1:\(failing.port)/healthz", timeoutSeconds: 1)
        #expect(answer == .unhealthy(last: "HTTP 503"))

        let recovering = try StatusHTTPServer(statuses: [503, 502, 200])
        defer { recovering.stop() }
        let recovered = try await probe.waitHealthy("http://127.0.0.1:\(recovering.port)/healthz", timeoutSeconds: 600)
        #expect(recovered == .healthy(status: 200) && recovering.requests.current == 3, "it asks again until a 2xx")
    }

    @Test("nothing listening is 'no answer'; a URL that isn't http(s) is a usage error")
    func noServer() async throws {
        let probe = HTTPHealthProbe(interval: .milliseconds(100))
        let port = try FreePort.find()
        #expect(try await probe.waitHealthy("http://127.0.0.1:\(port)/", timeoutSeconds: 1) == .unhealthy(last: "no answer"))
        let error = await #expect(throws: BerthError.self) {
            try await probe.waitHealthy("file:///etc/passwd", timeoutSeconds: 1)
        }
        #expect(error?.kind == .usage)
    }
}
