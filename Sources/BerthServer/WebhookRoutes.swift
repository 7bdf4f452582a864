import BerthCore
import BerthOCI
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /webhooks/{receiver}`: registry webhooks, authenticated by the receiver's own secret (no berth
/// token); `/api/v1/webhooks/deliveries` and the `/webhooks` page list what arrived, and an admin replays a
/// delivery's verification from either.
struct WebhookRoutes {
    let dependencies: ServerDependencies
    let settings: ServerSettings
    let metrics: WebhookMetrics
    let worker: WebhookWorker

    static let githubEvent = HTTPField.Name("X-GitHub-Event")!
    static let githubDelivery = HTTPField.Name("X-GitHub-Delivery")!
    static let githubSignature = HTTPField.Name("X-Hub-Signature-256")!

    var webhooks: WebhookSettings { dependencies.webhooks }

    func registerReceivers(on group: RouterGroup<ServerContext>) {
        group.post("webhooks/:receiver") { request, context in
            try await receive(request, context: context)
        }
    }

    func registerAPI(on group: RouterGroup<ServerContext>) {
        group.get("webhooks/deliveries") { request, context in
            guard context.principal?.allows(.admin) == true else {
                return APIError.response(.forbidden, "webhook deliveries need an admin token")
            }
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) }.map { min(max($0, 1), 500) } ?? 50
            return try APIDocuments.json(WebhookDocuments.Deliveries(deliveries: try await listing(limit: limit)))
        }
        group.post("webhooks/deliveries/:id/replay") { _, context in
            guard let principal = context.principal, principal.allows(.admin) else {
                return APIError.response(.forbidden, "replaying a delivery needs an admin token")
            }
            guard !principal.fromCookie else {
                return APIError.response(
                    .forbidden, "the API replays with Authorization: Bearer <token>; from a browser, use the Replay button")
            }
            switch try await replay(context.parameters.get("id") ?? "") {
            case .success(let document): return try APIDocuments.json(document)
            case .failure(let refusal): return APIError.response(refusal.status, refusal.message)
            }
        }
    }

    func registerPages(on group: RouterGroup<ServerContext>) {
        group.get("webhooks") { request, context in
            let board = BoardRoutes(dependencies: dependencies, settings: settings)
            guard let principal = context.principal, principal.allows(.admin) else {
                return board.refused(.forbidden, "Webhook deliveries need an admin token.")
            }
            let notice = request.uri.queryParameters["replayed"].flatMap { Int64($0) }.map {
                "Delivery \($0) verified again."
            }
            return Page.response(
                WebhookPage(
                    deliveries: try await listing(limit: 100), principal: principal, basePath: settings.basePath, notice: notice
                )
                .render())
        }
        group.post("webhooks/replay") { request, context in
            let board = BoardRoutes(dependencies: dependencies, settings: settings)
            guard let principal = context.principal, principal.allows(.admin) else {
                return board.refused(.forbidden, "Replaying a delivery needs an admin token.")
            }
            let fields: [String: String]
            switch try await board.formFields(request, principal: principal) {
            case .success(let read): fields = read
            case .failure(let refusal): return board.refused(refusal.status, refusal.message)
            }
            let id = fields["delivery"] ?? ""
            switch try await replay(id) {
            case .success:
                return Response(
                    status: .seeOther, headers: [.location: "\(settings.basePath)/webhooks?replayed=\(Int64(id) ?? 0)"])
            case .failure(let refusal): return board.refused(refusal.status, refusal.message)
            }
        }
    }

    // MARK: - receiving

    private func receive(_ request: Request, context: ServerContext) async throws -> Response {
        let name = context.parameters.get("receiver") ?? ""
        guard let receiver = webhooks.receiver(named: name) else {
            metrics.failed("unknown", "unknown-receiver")
            return APIError.response(
                .notFound, "no webhook receiver '\(HTML.bounded(name))' (berth.yaml server.webhooks.receivers)")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > webhooks.maxBodyBytes {
            metrics.failed(receiver.name, "oversize")
            return APIError.response(.contentTooLarge, "the body is over \(webhooks.maxBodyBytes) bytes")
        }
        // A header secret is checked before the body is even read.
        if receiver.source != .github,
            let why = WebhookAuthenticator.checkHeader(request.headers[.authorization], receiver: receiver)
        {
            return unauthorized(receiver, why, context: context)
        }
        let body: Data
        do {
            body = Data(buffer: try await request.body.collect(upTo: webhooks.maxBodyBytes))
        } catch {
            metrics.failed(receiver.name, "oversize")
            return APIError.response(.contentTooLarge, "the body is over \(webhooks.maxBodyBytes) bytes")
        }
        if receiver.source == .github,
            let why = WebhookAuthenticator.checkSignature(
                request.headers[Self.githubSignature], body: body, secret: receiver.secret)
        {
            return unauthorized(receiver, why, context: context)
        }
        let payload: WebhookPayload
        do {
            payload = try WebhookPayload.parse(
                body, source: receiver.source, registry: receiver.registry, eventHeader: request.headers[Self.githubEvent],
                deliveryHeader: request.headers[Self.githubDelivery])
        } catch {
            switch error {
            case .malformed(let why):
                metrics.failed(receiver.name, "malformed")
                return APIError.response(.badRequest, "not a \(receiver.source.rawValue) webhook: \(HTML.bounded(why))")
            case .unknownEventType:
                metrics.failed(receiver.name, "unknown-type")
                return APIError.response(.unprocessableContent, "\(error.description): berth reads pushes, deletes and scans")
            }
        }
        guard !payload.events.isEmpty else {
            metrics.delivered(receiver.name, "ignored")
            return try APIDocuments.json(
                WebhookDocuments.Receipt(status: "ignored", delivery: nil, event: nil, events: 0), status: .accepted)
        }
        let headers = request.headers.map { ($0.name.canonicalName, $0.value) }
        let delivery = WebhookDelivery(
            receiver: receiver.name, source: receiver.source, payload: payload, body: body, headers: headers)
        let recorded: LedgerEvent
        do {
            recorded = try await dependencies.lifecycle.ledger.append(
                delivery.event(actor: "webhook:\(receiver.name)", time: dependencies.lifecycle.time.now()))
        } catch let conflict as LedgerConflict {
            // Sent again (a retry or a replay): already recorded; 200 so the sender stops.
            metrics.delivered(receiver.name, "duplicate")
            return try APIDocuments.json(
                WebhookDocuments.Receipt(
                    status: "duplicate", delivery: delivery.deliveryID, event: conflict.existing?.id, events: payload.events.count
                ))
        } catch {
            metrics.failed(receiver.name, "ledger")
            context.logger.error(
                "a webhook delivery could not be recorded", metadata: ["receiver": "\(receiver.name)", "error": "\(error)"])
            return APIError.response(.serviceUnavailable, "the delivery could not be recorded; send it again")
        }
        metrics.delivered(receiver.name, "accepted")
        worker.schedule()
        return try APIDocuments.json(
            WebhookDocuments.Receipt(
                status: "accepted", delivery: delivery.deliveryID, event: recorded.id, events: payload.events.count),
            status: .accepted)
    }

    private func unauthorized(_ receiver: WebhookReceiver, _ why: String, context: ServerContext) -> Response {
        metrics.failed(receiver.name, "unauthorized")
        context.logger.notice("refused a webhook delivery", metadata: ["receiver": "\(receiver.name)", "why": "\(why)"])
        return APIError.response(.unauthorized, "\(why) (receiver \(receiver.name))")
    }

    // MARK: - listing and replay

    /// The newest deliveries with what their verification found.
    func listing(limit: Int) async throws -> [WebhookDocuments.Delivery] {
        let ledger = dependencies.lifecycle.ledger
        let deliveries = try await ledger.events(
            LedgerQuery(repository: WebhookDelivery.ledgerRepository, kinds: [.webhookReceived], limit: limit)
        ).compactMap(WebhookDelivery.init)
        let checks = try await ledger.events(
            LedgerQuery(repository: WebhookDelivery.ledgerRepository, kinds: [.webhookVerified], limit: max(limit * 8, 500)))
        var results: [Int64: [String]] = [:]
        for check in checks.reversed() {
            for id in (check.details["webhook.deliveries"] ?? "").split(separator: ",").compactMap({ Int64($0) }) {
                results[id, default: []].append(check.reason ?? "")
            }
        }
        return deliveries.map { WebhookDocuments.Delivery($0, verifications: results[$0.eventID ?? -1] ?? []) }
    }

    /// Verifies the delivery with ledger id `id` again, now.
    func replay(_ id: String) async throws -> Result<WebhookDocuments.Replay, Refusal> {
        guard let number = Int64(id) else {
            return .failure(
                Refusal(status: .badRequest, message: "'\(HTML.bounded(id))' is not a delivery id (a ledger event number)"))
        }
        let found = try await dependencies.lifecycle.ledger.events(
            LedgerQuery(repository: WebhookDelivery.ledgerRepository, kinds: [.webhookReceived])
        ).first { $0.id == number }.flatMap(WebhookDelivery.init)
        guard let delivery = found else {
            return .failure(Refusal(status: .notFound, message: "no webhook delivery \(number)"))
        }
        let report = try await worker.verifier.verify([delivery], replay: true)
        for _ in report.failures { metrics.failed(delivery.receiver, "verification") }
        return .success(
            WebhookDocuments.Replay(
                delivery: number, verified: report.verified.map { "\($0.event.summary): \($0.result.rawValue)" },
                failures: report.failures, drift: report.drift.map(\.message), gates: report.gates.compactMap(\.eventID)))
    }
}

/// The JSON of the webhook routes (docs/openapi.yaml: WebhookReceipt, WebhookDeliveries, WebhookReplay).
enum WebhookDocuments {
    struct Receipt: Encodable {
        let status: String
        let delivery: String?
        let event: Int64?
        let events: Int
    }

    struct Delivery: Encodable {
        let id: Int64?
        let time: String?
        let receiver: String
        let source: String
        let delivery: String
        let type: String
        let bodySHA256: String
        let bodySize: Int
        let headers: [String]
        let events: [String]
        let verifications: [String]

        init(_ delivery: WebhookDelivery, verifications: [String]) {
            id = delivery.eventID
            time = delivery.time.map { RFC3339.utc(seconds: Int64($0)) }
            receiver = delivery.receiver
            source = delivery.source.rawValue
            self.delivery = delivery.deliveryID
            type = delivery.eventType
            bodySHA256 = delivery.bodyDigest.description
            bodySize = delivery.bodySize
            headers = delivery.headers
            events = delivery.events.map(\.summary)
            self.verifications = verifications
        }
    }

    struct Deliveries: Encodable {
        let deliveries: [Delivery]
    }

    struct Replay: Encodable {
        let delivery: Int64
        let verified: [String]
        let failures: [String]
        let drift: [String]
        let gates: [Int64]
    }
}
