import BerthCore

/// `/webhooks`: the newest deliveries (receiver, type, what they reported, the body's SHA-256, the
/// redacted headers, what verification found) with a Replay button each; admins only. Every value
/// through `HTML.escape`.
struct WebhookPage {
    let deliveries: [WebhookDocuments.Delivery]
    let principal: Principal
    let basePath: String
    let notice: String?

    func render() -> String {
        let base = HTML.escape(basePath)
        var html = BoardPage.head(title: "berth · webhooks", basePath: basePath)
        html += BoardPage.header(principal: principal, basePath: basePath)
        html += "<main><h1>Webhook deliveries</h1>"
        if let notice { html += "<p class=\"notice\">\(HTML.escape(notice))</p>" }
        guard !deliveries.isEmpty else {
            return html + "<p>No deliveries yet.</p></main></body></html>\n"
        }
        html += "<table class=\"deliveries\"><thead><tr><th>#</th><th>time</th><th>receiver</th><th>type</th>"
        html += "<th>events</th><th>body</th><th>headers</th><th>verified</th><th></th></tr></thead><tbody>"
        for delivery in deliveries {
            let id = delivery.id.map(String.init) ?? ""
            html +=
                "<tr id=\"delivery-\(HTML.escape(id))\"><td>\(HTML.escape(id))</td><td>\(HTML.escape(delivery.time ?? ""))</td>"
            html +=
                "<td>\(HTML.escape(delivery.receiver)) (\(HTML.escape(delivery.source)))</td><td>\(HTML.escape(delivery.type))</td>"
            html += "<td>\(delivery.events.map(HTML.escape).joined(separator: "<br>"))</td>"
            html += "<td><code>\(HTML.escape(HTML.shortDigest(delivery.bodySHA256)))</code> \(delivery.bodySize) B</td>"
            html +=
                "<td><details><summary>\(delivery.headers.count)</summary><pre>\(HTML.escape(delivery.headers.joined(separator: "\n")))</pre></details></td>"
            html +=
                "<td>\(delivery.verifications.isEmpty ? "pending" : delivery.verifications.map(HTML.escape).joined(separator: "<br>"))</td>"
            html += "<td><form method=\"post\" action=\"\(base)/webhooks/replay\">"
            html += "<input type=\"hidden\" name=\"delivery\" value=\"\(HTML.escape(id))\">"
            if let csrf = principal.csrf { html += "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(csrf))\">" }
            html += "<button>Replay</button></form></td></tr>"
        }
        return html + "</tbody></table></main></body></html>\n"
    }
}
