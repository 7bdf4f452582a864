import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

@Suite("registry webhook bodies normalised to registry events")
struct WebhookPayloadTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let file: String
        let source: WebhookPayload.Source
        let event: String?
        /// action, repository, tag, digest prefix of each event; empty: nothing berth uses.
        let expected: [String]
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(
            file: "distribution-2.8-push-manifest-auth.json", source: .distribution, event: nil,
            expected: ["push 127.0.0.1:5056/demo/hello:v1.0.0@sha256:9d8e5bf283a1"]),
        Case(
            file: "distribution-2.8-push-index.json", source: .distribution, event: nil,
            expected: ["push 127.0.0.1:5055/demo/multi:v1@sha256:c58a51b93000"]),
        Case(file: "distribution-2.8-push-blob.json", source: .distribution, event: nil, expected: []),
        Case(file: "distribution-2.8-mount-blob.json", source: .distribution, event: nil, expected: []),
        Case(file: "distribution-2.8-pull-manifest.json", source: .distribution, event: nil, expected: []),
        Case(
            file: "distribution-2.8-delete-manifest.json", source: .distribution, event: nil,
            expected: ["delete 127.0.0.1:5055/demo/hello@sha256:6706f7116a0a"]),
        Case(
            file: "distribution-2.8-delete-tag.json", source: .distribution, event: nil,
            expected: ["delete 127.0.0.1:5055/demo/hello:v1.0.0"]),
        Case(
            file: "zulip-harbor-push-image.json", source: .harbor, event: nil,
            expected: ["push harbor.example.com/example/test:latest@sha256:d72f37f783ed"]),
        Case(
            file: "zulip-harbor-delete-image.json", source: .harbor, event: nil,
            expected: ["delete harbor.example.com/example/test:latest@sha256:59856107563b"]),
        Case(
            file: "zulip-harbor-scanning-completed.json", source: .harbor, event: nil,
            expected: ["scan-completed harbor.xxx.xxxx.com/test/alpine/helm:3.8.1@sha256:b50334049354"]),
        Case(
            file: "zulip-harbor-scanning-completed-no-tag.json", source: .harbor, event: nil,
            expected: ["scan-completed harbor.xxx.xxxx.com/test/alpine/helm@sha256:b50334049354"]),
        Case(
            file: "zulip-harbor-scanning-failed.json", source: .harbor, event: nil,
            expected: ["scan-failed harbor.example.com/library/redis:v2.0@sha256:c50334049354"]),
        Case(file: "harbor-default-pull-artifact.json", source: .harbor, event: nil, expected: []),
        Case(file: "harbor-cloudevents-pull-artifact.json", source: .harbor, event: nil, expected: []),
        Case(
            file: "github-package-published-docker.json", source: .github, event: "package",
            expected: ["push ghcr.io/codertocat/hello-world@sha256:3da1996a8115"]),
        Case(file: "github-package-published-npm.json", source: .github, event: "package", expected: []),
    ]

    @Test("each committed fixture body reads as the events it reports", arguments: cases)
    func fixture(_ test: Case) throws {
        let payload = try WebhookPayload.parse(
            try WebhookFixtures.body(test.file), source: test.source, eventHeader: test.event, deliveryHeader: "d-1")
        #expect(payload.events.count == test.expected.count)
        for (event, expected) in zip(payload.events, test.expected) {
            #expect(event.summary.hasPrefix(expected), "\(event.summary) vs \(expected)")
        }
    }

    @Test("the index push names its platform manifests; a scan carries Harbor's counts; a tag equal to the digest is no tag")
    func details() throws {
        let index = try WebhookPayload.parse(try WebhookFixtures.body("distribution-2.8-push-index.json"), source: .distribution)
        #expect(index.events[0].references.count == 2)
        #expect(index.deliveryID == "685ef182-1023-44d2-97f4-c6465df4e132")
        let scan = try WebhookPayload.parse(try WebhookFixtures.body("zulip-harbor-scanning-completed.json"), source: .harbor)
        let summary = try #require(scan.events[0].scan)
        #expect(summary.severities == [.high: 4, .unknown: 1] && summary.scanner == "Trivy" && summary.status == "Success")
        #expect(scan.deliveryID == nil)
        let cloud = try WebhookPayload.parse(
            Data(
                #"{"specversion":"1.0","id":"ce-1","type":"harbor.artifact.pushed","data":{"resources":[{"digest":"sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c","tag":"sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c","resource_url":"harbor.dev/library/busybox@sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c"}],"repository":{"name":"busybox","namespace":"library","repo_full_name":"library/busybox","repo_type":"public"}}}"#
                    .utf8), source: .harbor)
        #expect(
            cloud.deliveryID == "ce-1" && cloud.events[0].tag == nil && cloud.events[0].repository == "harbor.dev/library/busybox"
        )
        let legacy = try WebhookPayload.parse(
            Data(
                #"{"type":"pushImage","occur_at":1,"operator":"admin","event_data":{"resources":[{"digest":"sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c","tag":"v1","resource_url":"h.example/lib/app:v1"}],"repository":{"repo_full_name":"lib/app"}}}"#
                    .utf8), source: .harbor)
        #expect(legacy.events[0].summary.hasPrefix("push h.example/lib/app:v1@"))
    }

    @Test("an unknown event type, a body that isn't the sender's shape or isn't JSON is refused")
    func refusals() throws {
        #expect(throws: WebhookRejection.unknownEventType("FROBNICATE")) {
            try WebhookPayload.parse(Data(#"{"type":"FROBNICATE"}"#.utf8), source: .harbor)
        }
        #expect(throws: WebhookRejection.unknownEventType("issues")) {
            try WebhookPayload.parse(Data("{}".utf8), source: .github, eventHeader: "issues")
        }
        #expect(throws: WebhookRejection.unknownEventType("rename")) {
            try WebhookPayload.parse(Data(#"{"events":[{"action":"rename"}]}"#.utf8), source: .distribution)
        }
        #expect(throws: WebhookRejection.self) { try WebhookPayload.parse(Data("{\"events\":".utf8), source: .distribution) }
        #expect(throws: WebhookRejection.self) { try WebhookPayload.parse(Data(#"{"events":{}}"#.utf8), source: .distribution) }
        #expect(throws: WebhookRejection.self) {
            try WebhookPayload.parse(
                Data(
                    #"{"events":[{"action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"UPPER/Case","tag":"v1"},"request":{"host":"r.example"}}]}"#
                        .utf8),
                source: .distribution)
        }
    }

    @Test(
        "the shared Distribution captures read as the committed copies do (reported skipped when ../shared is absent)",
        .requires(.sharedFixtures))
    func sharedCaptures() throws {
        let directory = URL(fileURLWithPath: ExternalTool.sharedFixtures.path).appendingPathComponent("registry-events")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        #expect(!files.isEmpty)
        for file in files {
            let shared = try WebhookPayload.parse(
                try Data(contentsOf: directory.appendingPathComponent(file)), source: .distribution)
            let committed = try WebhookPayload.parse(try WebhookFixtures.body(file), source: .distribution)
            #expect(shared == committed, "\(file)")
        }
    }

    @Test("redaction keeps credentials out of the recorded headers")
    func redaction() {
        let lines = WebhookDelivery.redacted([
            ("Authorization", "Bearer abc"), ("X-Hub-Signature-256", "sha256=ff"), ("X-Api-Token", "t"),
            ("User-Agent", "Go\u{1B}[31m"),
        ])
        #expect(
            lines == [
                "authorization: <redacted>", "x-hub-signature-256: <redacted>", "x-api-token: <redacted>", "user-agent: Go?[31m",
            ])
    }
}
