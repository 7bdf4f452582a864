import BerthCore
import BerthOCI
import Foundation

/// Registry webhook bodies (`WebhookPayload.parse`): Docker Distribution notifications, Harbor (Default,
/// CloudEvents, 1.x names) and GitHub `package`/`registry_package` events. The first byte picks the
/// sender (and GitHub's X-GitHub-Event) and whether the receiver names its registry; the rest is the body.
/// Every event names a registry repository, and a delivery reads back from its ledger event unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let all = UnsafeBufferPointer(start: data, count: size)
    let senders: [(WebhookPayload.Source, String?)] = [
        (.distribution, nil), (.harbor, nil), (.github, "package"), (.github, "registry_package"), (.github, "ping"),
        (.github, nil),
    ]
    let choice = size > 0 ? Int(all[0]) : 0
    let (source, event) = senders[choice % senders.count]
    let registry = (choice / senders.count) % 2 == 1 ? "registry.example:5000" : nil
    let body = Data(size > 0 ? UnsafeBufferPointer(rebasing: all[1...]) : all)
    guard
        let payload = try? WebhookPayload.parse(
            body, source: source, registry: registry, eventHeader: event, deliveryHeader: "fuzz-delivery")
    else { return 0 }
    for event in payload.events {
        guard let reference = try? ImageReference(parsing: event.repository), case .registry = reference.store else {
            preconditionFailure("event about '\(event.repository)', not a registry repository")
        }
        _ = (event.hintKey, event.summary)
    }
    let delivery = WebhookDelivery(
        receiver: "fuzz", source: source, payload: payload, body: body, headers: [("Authorization", "Bearer x")])
    guard let read = WebhookDelivery(delivery.event(actor: "webhook:fuzz", time: 1_700_000_000)) else {
        preconditionFailure("a delivery's ledger event does not read back")
    }
    precondition(read.events == payload.events, "the events do not survive the ledger")
    precondition(read.deliveryID == delivery.deliveryID && read.headers == delivery.headers)
    return 0
}
