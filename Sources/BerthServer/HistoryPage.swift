import BerthCore

/// A service's history as a page: the ledger's events newest first, filtered by the query string (so a
/// filtered view is a permalink), with the same page as JSON and the next, older page linked.
struct HistoryPage {
    let history: HistoryQuery
    let events: [LedgerEvent]
    let next: String?
    let principal: Principal
    let basePath: String

    func render() -> String {
        let segment = BoardPage.pathSegment(history.repository)
        let here = "\(basePath)/services/\(segment)"
        let json = "\(basePath)/api/v1/services/\(segment)/history"
        let filters = history.filters
        var html = BoardPage.head(title: "berth · history · \(history.repository)", basePath: basePath)
        html += BoardPage.header(principal: principal, basePath: basePath)
        html += "<main><section class=\"history\"><h2>History — \(HTML.escape(history.repository))</h2>\n"
        html += "<form class=\"filters\" method=\"get\" action=\"\(HTML.escape(here))\">"
        html += field("environment", history.query.environment) + field("version", history.query.version)
        html += field("kind", history.query.kinds.map { $0.map(\.rawValue).sorted().joined(separator: ",") })
        html += "<button type=\"submit\">Filter</button> <a href=\"\(HTML.escape(here))\">clear</a> · "
        html += "<a href=\"\(HTML.escape(json + (filters.isEmpty ? "" : "?" + filters)))\">JSON</a></form>\n"
        html += DiffPage.compareForm(repository: history.repository, basePath: basePath)
        if events.isEmpty { html += "<p class=\"none\">No events match.</p>\n" }
        html += "<ol class=\"events\">\n"
        for event in events { html += line(event) }
        html += "</ol>\n"
        if let next { html += "<p><a href=\"\(HTML.escape(here + "?" + next))\">older events →</a></p>\n" }
        html += "</section></main></body></html>\n"
        return html
    }

    private func field(_ name: String, _ value: String?) -> String {
        "<label>\(name) <input name=\"\(name)\" value=\"\(HTML.escape(value ?? ""))\" size=\"12\"></label> "
    }

    private func line(_ event: LedgerEvent) -> String {
        var parts = [RFC3339.utc(seconds: Int64(event.time)), event.environment ?? "—", event.kind.rawValue]
        if let version = event.version { parts.append(version) }
        if let digest = event.digest { parts.append(HTML.shortDigest(digest)) }
        parts.append("by \(event.actor)")
        var text = parts.joined(separator: " · ")
        if let reason = event.reason, !reason.isEmpty { text += " · “\(reason)”" }
        let style =
            [.rolledBack, .markedBad, .canaryAborted].contains(event.kind)
            ? "bad" : event.kind == .approved || event.kind == .gateEvaluated ? "info" : "ok"
        return
            "<li id=\"event-\(event.id ?? 0)\" class=\"\(style)\"><a href=\"#event-\(event.id ?? 0)\">#\(event.id ?? 0)</a> \(HTML.escape(text))</li>\n"
    }
}
