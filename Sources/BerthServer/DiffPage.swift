import BerthCore
import Foundation

/// Two cells compared, as a page that reads without JavaScript: both sides' versions, digests, commits and
/// gates, the commits moving from → to brings and takes away by Conventional Commits type, the labels that
/// differ and the change in findings per severity. Every value from the ledger, git or an image is escaped.
struct DiffPage {
    let diff: ReleaseDiff
    let principal: Principal
    let basePath: String

    func render() -> String {
        let from = diff.from
        let to = diff.to
        var html = BoardPage.head(title: "berth · diff · \(diff.repository) \(from.name) → \(to.name)", basePath: basePath)
        html += BoardPage.header(principal: principal, basePath: basePath)
        html +=
            "<main><section class=\"history diff\"><h2>\(HTML.escape("Diff — \(diff.repository): \(from.name) → \(to.name)"))</h2>\n"
        html += "<table class=\"sides\"><tr><th></th><th>\(HTML.escape(from.name))</th><th>\(HTML.escape(to.name))</th></tr>\n"
        html += row("version", from.version ?? "?", to.version ?? "?")
        html += row("digest", from.digest ?? "?", to.digest ?? "?", code: true)
        html += row("commit", from.gitSHA ?? "not recorded", to.gitSHA ?? "not recorded", code: true)
        html += row("gate", gate(from.gate), gate(to.gate))
        html += "</table>\n"
        if diff.sameDigest { html += "<p class=\"notice\">Both run the same image.</p>\n" }
        html += "<h3>Commits</h3>\n"
        if let added = diff.added, let removed = diff.removed {
            html += commits("What \(to.name) has that \(from.name) hasn't", added)
            html += commits("What \(from.name) has that \(to.name) hasn't", removed)
        } else {
            html += "<p class=\"none\">\(HTML.escape(diff.commitsUnavailable ?? "The commits are unavailable."))</p>\n"
        }
        html += labels()
        html += vulnerabilities()
        let swapped = Self.href(basePath: basePath, repository: diff.repository, from: to.name, to: from.name)
        let json = "\(basePath)/api/v1\(Self.query(repository: diff.repository, from: from.name, to: to.name))"
        html += "<p class=\"links\"><a href=\"\(HTML.escape(swapped))\">swap</a> · <a href=\"\(HTML.escape(json))\">JSON</a> · "
        html += "<a href=\"\(HTML.escape("\(basePath)/services/\(BoardPage.pathSegment(diff.repository))"))\">history</a> · "
        html += "<a href=\"\(HTML.escape(basePath))/\">board</a></p>\n"
        html += Self.compareForm(repository: diff.repository, basePath: basePath, from: from.name, to: to.name)
        html += "</section></main></body></html>\n"
        return html
    }

    private func row(_ title: String, _ left: String, _ right: String, code: Bool = false) -> String {
        let cell = { (text: String) in code ? "<code>\(HTML.escape(text))</code>" : HTML.escape(text) }
        return "<tr><th>\(title)</th><td>\(cell(left))</td><td>\(cell(right))</td></tr>\n"
    }

    private func gate(_ record: GateRecord?) -> String {
        guard let record else { return "never gated" }
        return "\(record.outcome.rawValue) (event \(record.eventID ?? 0))"
    }

    private func commits(_ title: String, _ changelog: Changelog) -> String {
        guard !changelog.sections.isEmpty else { return "<p class=\"none\">\(HTML.escape(title)): none.</p>\n" }
        var html = "<h4>\(HTML.escape(title))</h4>\n"
        for section in changelog.sections {
            html += "<p><b>\(HTML.escape(section.title))</b></p><ul class=\"commits\">"
            html += section.entries.map { "<li>\(Self.entry($0))</li>" }.joined() + "</ul>\n"
        }
        return html
    }

    /// A changelog entry escaped, its Markdown `**scope**:` as bold.
    static func entry(_ text: String) -> String {
        let escaped = HTML.escape(text)
        guard escaped.hasPrefix("**"), let end = escaped.dropFirst(2).range(of: "**: ") else { return escaped }
        return "<b>\(escaped[escaped.index(escaped.startIndex, offsetBy: 2)..<end.lowerBound])</b>: \(escaped[end.upperBound...])"
    }

    private func labels() -> String {
        var html = "<h3>Labels</h3>\n"
        for side in [diff.from, diff.to] {
            if let why = side.labelsUnavailable {
                html += "<p class=\"none\">\(HTML.escape("\(side.name): \(why)"))</p>\n"
            }
        }
        guard diff.from.labels != nil, diff.to.labels != nil else { return html }
        guard !diff.labelChanges.isEmpty else { return html + "<p class=\"none\">No label differs.</p>\n" }
        html +=
            "<table class=\"labels\"><tr><th>label</th><th>\(HTML.escape(diff.from.name))</th><th>\(HTML.escape(diff.to.name))</th></tr>\n"
        for change in diff.labelChanges {
            html += row(HTML.escape(change.key), change.from ?? "—", change.to ?? "—")
        }
        return html + "</table>\n"
    }

    private func vulnerabilities() -> String {
        var html = "<h3>Vulnerabilities</h3>\n"
        guard diff.from.gate != nil || diff.to.gate != nil else {
            return html + "<p class=\"none\">Neither digest was gated: no counts to compare.</p>\n"
        }
        html += "<table class=\"vulnerabilities\"><tr><th>severity</th><th>\(HTML.escape(diff.from.name))</th>"
        html += "<th>\(HTML.escape(diff.to.name))</th><th>change</th></tr>\n"
        for line in diff.vulnerabilities {
            let change = line.change.map { $0 > 0 ? "+\($0)" : String($0) } ?? "?"
            html += "<tr><th>\(line.severity)</th><td>\(line.from.map(String.init) ?? "?")</td>"
            html += "<td>\(line.to.map(String.init) ?? "?")</td><td>\(change)</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// `/diff?repository=…&from=…&to=…`, each value percent-encoded.
    static func href(basePath: String, repository: String, from: String, to: String) -> String {
        "\(basePath)\(query(repository: repository, from: from, to: to))"
    }

    private static func query(repository: String, from: String, to: String) -> String {
        let items = [("repository", repository), ("from", from), ("to", to)].map {
            "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }
        return "/diff?" + items.joined(separator: "&")
    }

    /// The board's links between adjacent cells that both run something: `dev → staging` compares what
    /// staging runs with what dev runs, so the commits listed are what promoting dev into staging brings.
    static func boardLinks(_ row: ReleaseBoard.Row, basePath: String) -> String {
        var links: [String] = []
        for (left, right) in zip(row.cells, row.cells.dropFirst()) where left.state != nil && right.state != nil {
            let href = href(basePath: basePath, repository: row.repository, from: right.environment, to: left.environment)
            links.append(
                " · <a class=\"diff\" href=\"\(HTML.escape(href))\">diff \(HTML.escape("\(left.environment) → \(right.environment)"))</a>"
            )
        }
        return links.joined()
    }

    /// A form that compares two environments, versions or digests of `repository` (`GET /diff`).
    static func compareForm(repository: String, basePath: String, from: String = "", to: String = "") -> String {
        "<form class=\"filters compare\" method=\"get\" action=\"\(HTML.escape(basePath))/diff\">"
            + "<input type=\"hidden\" name=\"repository\" value=\"\(HTML.escape(repository))\">"
            + "<label>compare <input name=\"from\" value=\"\(HTML.escape(from))\" size=\"12\" required placeholder=\"prod or 1.2.0\"></label> "
            + "<label>with <input name=\"to\" value=\"\(HTML.escape(to))\" size=\"12\" required placeholder=\"dev or 1.3.0\"></label> "
            + "<button type=\"submit\">Diff</button></form>\n"
    }
}
