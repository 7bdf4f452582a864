import BerthCore

/// The board as a page: server-rendered HTML that reads without JavaScript, one section per service with
/// its environments as columns in promotion order (../shared/design/board-sketch.png). Every value from
/// the ledger is escaped; no credential is ever written.
struct BoardPage {
    let board: ReleaseBoard
    let principal: Principal
    let basePath: String
    /// Whether this server promotes (shows Promote buttons).
    var promotes = false
    /// A line above the board (what the last form did).
    var notice: String? = nil

    func render() -> String {
        var html = Self.head(title: "berth · release board", basePath: basePath)
        // A service is a few kilobytes of forms: one allocation instead of growing a 300 KB page step by step.
        html.reserveCapacity(16_384 + board.rows.count * 8_192)
        html += Self.header(principal: principal, basePath: basePath)
        html += "<main data-events=\"\(HTML.escape(basePath))/api/v1/events\">\n"
        if let notice {
            html += "<p class=\"notice\">\(HTML.escape(notice))</p>\n"
        }
        if board.rows.isEmpty {
            html += "<p class=\"empty\">Nothing is recorded in the ledger yet: berth release, then berth promote.</p>\n"
        }
        for row in board.rows {
            html += "<section class=\"service\"><h2>\(HTML.escape(row.repository))</h2>"
            html += " <span class=\"policy\">\(board.environments.map(HTML.escape).joined(separator: " → "))</span>\n"
            html += "<div class=\"columns\" style=\"grid-template-columns: repeat(\(max(1, row.cells.count)), 1fr)\">\n"
            for (index, cell) in row.cells.enumerated() {
                let following = index + 1 < row.cells.count ? row.cells[index + 1].state?.digest : nil
                html += column(cell, repository: row.repository, nextRuns: following)
            }
            html += "</div>\n"
            let segment = Self.pathSegment(row.repository)
            html += "<p class=\"links\"><a href=\"\(HTML.escape("\(basePath)/services/\(segment)"))\">history</a> · "
            html += "<a href=\"\(HTML.escape("\(basePath)/api/v1/services/\(segment)/history"))\">JSON</a>"
            html += DiffPage.boardLinks(row, basePath: basePath) + "</p></section>\n"
        }
        html += "</main><script src=\"\(HTML.escape(basePath))/assets/board.js\" defer></script></body></html>\n"
        return html
    }

    /// `nextRuns`: the digest the next environment runs, if any.
    private func column(_ cell: ReleaseBoard.Cell, repository: String, nextRuns: String?) -> String {
        var html =
            "<div class=\"column\" data-cell=\"\(HTML.escape("\(repository) \(cell.environment)"))\"><h3>\(HTML.escape(cell.environment))</h3>"
        let environmentHolds = cell.holds.filter { $0.scope == .environment(cell.environment) }
        html += holdChips(environmentHolds)
        html += environmentHoldForm(repository: repository, environment: cell.environment, held: !environmentHolds.isEmpty)
        guard let state = cell.state else {
            return html + (canaryChip(cell.canary).map { "<div class=\"chips\">\($0)</div>" } ?? "")
                + "<p class=\"none\">nothing promoted</p></div>\n"
        }
        let bad = !cell.badMarks.isEmpty
        html += "<div class=\"card\(bad ? " bad" : "")\(cell.holds.isEmpty ? "" : " held")\">"
        html += "<div class=\"version\">\(HTML.escape(state.version ?? "?"))</div>"
        if let digest = state.digest {
            html +=
                "<div class=\"digest\" title=\"\(HTML.escape("\(repository)@\(digest)"))\"><code>\(HTML.escape(HTML.shortDigest(digest)))</code></div>"
        }
        var chips: [(String, String)] = [
            (
                "ok",
                "\(state.event.kind.rawValue) \(HTML.age(max(0, Int(board.time - state.since)))) ago by \(state.event.actor)"
            )
        ]
        if let gate = cell.gate {
            let counts = [Severity.critical, .high].map { "\(gate.counts[$0] ?? 0)\($0.description.prefix(1).uppercased())" }
            let style = gate.outcome == .pass ? "ok" : gate.outcome == .block ? "bad" : "warn"
            chips.append((style, "gate: \(gate.outcome.rawValue) \(counts.joined(separator: " "))"))
        }
        for approval in cell.approvals { chips.append(("ok", "approved by \(approval.actor ?? "?")")) }
        for mark in cell.badMarks { chips.append(("bad", "marked bad: \(mark.reason)")) }
        for hold in cell.holds where hold.scope != .environment(cell.environment) {
            chips.append(("held", "version held by \(hold.actor): \(hold.reason)"))
        }
        var form = ""
        if let next = cell.next, let gate = next.gate, let digest = state.digest, let version = state.version {
            switch gate.outcome {
            case .block: chips.append(("bad", "blocked for \(next.environment)"))
            case .needsApproval where !next.approvals.isEmpty:
                chips.append(
                    ("ok", "approved for \(next.environment) by \(next.approvals.compactMap(\.actor).joined(separator: ", "))"))
            case .needsApproval where principal.allows(.approver, environment: next.environment):
                form = approveForm(
                    repository: repository, version: version, digest: digest, environment: next.environment,
                    gate: gate.eventID ?? 0)
            case .needsApproval: chips.append(("warn", "needs approval for \(next.environment)"))
            case .pass, .warn: break
            }
        }
        if promotes, let next = cell.next, let digest = state.digest, let version = state.version, nextRuns != digest,
            principal.allows(.promoter, environment: next.environment)
        {
            form += promoteForm(
                repository: repository, version: version, digest: digest, environment: next.environment,
                blocked: Self.promotionBlocker(next))
        }
        html += "<div class=\"chips\">"
        html += chips.map { "<span class=\"chip \($0.0)\">\(HTML.escape($0.1))</span>" }.joined(separator: " ")
        html += canaryChip(cell.canary).map { " " + $0 } ?? ""
        html += "</div>\(form)"
        html += cardActions(cell, repository: repository, version: state.version, digest: state.digest)
        html += "</div></div>\n"
        return html
    }

    /// A chip per hold on the environment.
    private func holdChips(_ holds: [Hold]) -> String {
        guard !holds.isEmpty else { return "" }
        return "<div class=\"chips\">"
            + holds.map {
                "<span class=\"chip held\" title=\"event \($0.eventID ?? 0)\">\(HTML.escape("held by \($0.actor): \($0.reason)"))</span>"
            }.joined(separator: " ") + "</div>"
    }

    /// The canary's state as a chip: its weight while it runs, why it paused or was aborted.
    private func canaryChip(_ canary: CanaryProgress?) -> String? {
        guard let canary else { return nil }
        let text: String
        let style: String
        switch canary.phase {
        case .progressing: (text, style) = ("canary \(canary.version) \(canary.split.canaryWeight) %", "info")
        case .paused(let reason): (text, style) = ("canary \(canary.version) paused: \(reason)", "warn")
        case .promoted: (text, style) = ("canary \(canary.version) promoted", "ok")
        case .aborted(let reason): (text, style) = ("canary \(canary.version) aborted: \(reason)", "bad")
        }
        return "<span class=\"chip canary \(style)\">\(HTML.escape(text))</span>"
    }

    /// Hidden fields of a board form: what it acts on and the session's CSRF token.
    private func hiddenFields(_ fields: [(String, String)]) -> String {
        var html = ""
        for (name, value) in fields + [("csrf", principal.csrf ?? "")] {
            html += "<input type=\"hidden\" name=\"\(name)\" value=\"\(HTML.escape(value))\">"
        }
        return html
    }

    /// Hold or release the environment, for a promoter of it.
    private func environmentHoldForm(repository: String, environment: String, held: Bool) -> String {
        guard principal.allows(.promoter, environment: environment) else { return "" }
        let action = held ? "unhold" : "hold"
        return "<details class=\"actions\"><summary>\(held ? "Release" : "Hold") \(HTML.escape(environment))</summary>"
            + "<form class=\"\(action)\" method=\"post\" action=\"\(HTML.escape(basePath))/\(action)\">"
            + hiddenFields([("repository", repository), ("environment", environment)])
            + "<input name=\"reason\" placeholder=\"why\" required maxlength=\"4096\" aria-label=\"reason\">"
            + "<button type=\"submit\">\(held ? "Release hold on" : "Hold") \(HTML.escape(environment))</button></form></details>"
    }

    /// Mark the card's digest bad there, and hold or release the version, for a promoter of the environment.
    private func cardActions(_ cell: ReleaseBoard.Cell, repository: String, version: String?, digest: String?) -> String {
        guard let version, let digest, principal.allows(.promoter, environment: cell.environment) else { return "" }
        let base = HTML.escape(basePath)
        var html = "<details class=\"actions\"><summary>More</summary>"
        if cell.badMarks.isEmpty {
            html +=
                "<form class=\"mark-bad\" method=\"post\" action=\"\(base)/mark-bad\">"
                + hiddenFields([
                    ("repository", repository), ("version", version), ("digest", digest), ("environment", cell.environment),
                ])
                + "<input name=\"reason\" placeholder=\"what is wrong\" required maxlength=\"4096\" aria-label=\"reason\">"
                + "<button type=\"submit\">Mark bad in \(HTML.escape(cell.environment))</button></form>"
        }
        if principal.environment == nil {
            let held = cell.holds.contains { $0.scope != .environment(cell.environment) }
            let action = held ? "unhold" : "hold"
            html +=
                "<form class=\"\(action)-version\" method=\"post\" action=\"\(base)/\(action)\">"
                + hiddenFields([("repository", repository), ("version", version)])
                + "<input name=\"reason\" placeholder=\"why\" required maxlength=\"4096\" aria-label=\"reason\">"
                + "<button type=\"submit\">\(held ? "Release hold on" : "Hold") \(HTML.escape(version))</button></form>"
        }
        return html + "</details>"
    }

    /// Why the next environment can't take the digest yet, as the gate and approvals say; nil when it can.
    /// The server checks again (the same `PromotionService` as `berth promote`): a disabled button is a hint.
    static func promotionBlocker(_ next: ReleaseBoard.Candidate) -> String? {
        if let hold = next.holds.first { return "held by \(hold.actor): \(hold.reason)" }
        guard let gate = next.gate else { return "no gate decision for \(next.environment)" }
        switch gate.outcome {
        case .pass, .warn: return nil
        case .needsApproval: return next.approvals.isEmpty ? "needs an approval for \(next.environment)" : nil
        case .block: return "the gate blocked it for \(next.environment)"
        }
    }

    /// The Promote button, disabled with the reason when the gate says no.
    private func promoteForm(repository: String, version: String, digest: String, environment: String, blocked: String?)
        -> String
    {
        "<form class=\"promote\" method=\"post\" action=\"\(HTML.escape(basePath))/promote\">"
            + hiddenFields([
                ("repository", repository), ("version", version), ("digest", digest), ("environment", environment),
            ])
            + "<button type=\"submit\"\(blocked == nil ? "" : " disabled")>Promote to \(HTML.escape(environment)) →</button>"
            + (blocked.map { " <span class=\"why\">\(HTML.escape($0))</span>" } ?? "") + "</form>"
    }

    /// The Approve button: posts the digest and gate decision shown here, with the session's CSRF token.
    private func approveForm(repository: String, version: String, digest: String, environment: String, gate: Int64)
        -> String
    {
        "<form class=\"approve\" method=\"post\" action=\"\(HTML.escape(basePath))/approve\">"
            + hiddenFields([
                ("repository", repository), ("version", version), ("digest", digest), ("environment", environment),
                ("gate", String(gate)),
            ])
            + "<input name=\"reason\" placeholder=\"why\" required maxlength=\"4096\" aria-label=\"reason\">"
            + "<button type=\"submit\">Approve for \(HTML.escape(environment))</button></form>"
    }

    /// A repository name as one path segment (`/` and every other reserved character percent-encoded).
    static func pathSegment(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~".unicodeScalars.contains(scalar))
            {
                result.unicodeScalars.append(scalar)
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// The bar at the top of every page: where to go, and who is signed in (or a Sign in link for an
    /// anonymous reader).
    static func header(principal: Principal, basePath: String) -> String {
        let base = HTML.escape(basePath)
        let who: String
        switch principal.via {
        case .anonymous:
            who = "reading anonymously <a class=\"signin\" href=\"\(base)/login\">Sign in</a>"
        case .session:
            who =
                "signed in as <b>\(HTML.escape(principal.name))</b> (\(HTML.escape(principal.role.rawValue)))"
                + "<form method=\"post\" action=\"\(base)/logout\"><button>Sign out</button></form>"
        case .proxy:
            // The proxy's own session: it signs out, not berth.
            who =
                "signed in as <b>\(HTML.escape(principal.name))</b> (\(HTML.escape(principal.role.rawValue)), through the proxy)"
        case .bearer, .open:
            who = "signed in as <b>\(HTML.escape(principal.name))</b> (\(HTML.escape(principal.role.rawValue)))"
        }
        return """
            <header><a class="brand" href="\(base)/">berth</a><span class="sub">release board</span>\
            <nav><a href="\(base)/">Board</a><a href="\(base)/api/v1/board">JSON</a>\
            <a href="\(base)/api/v1/openapi.yaml">API</a></nav><span class="live" hidden></span>\
            <span class="who">\(who)</span></header>

            """
    }

    // The referrer policy is same-origin, not no-referrer: under no-referrer a browser sends `Origin: null`
    // with the board's own form posts, which the same-origin check must refuse.
    static func head(title: String, basePath: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="same-origin">
        <title>\(HTML.escape(title))</title>
        <style>\(style)</style></head><body>

        """
    }

    static let style = """
        body{margin:0;font-family:system-ui,sans-serif;background:#f5f6f8;color:#1c2430}
        header{display:flex;align-items:center;gap:1rem;background:#1c2430;color:#fff;padding:.7rem 1.2rem}
        header a{color:#fff;text-decoration:none}.brand{font-weight:700;font-size:1.1rem}.sub{color:#aab}
        nav{display:flex;gap:1rem}.who{margin-left:auto;color:#ccd}.who form{display:inline;margin-left:.6rem}
        main{padding:1rem 1.2rem}.service{margin-bottom:1.5rem}.service h2{display:inline;font-size:1.1rem}
        .policy{color:#667;font-size:.85rem;margin-left:.5rem}
        .columns{display:grid;gap:.8rem;margin-top:.5rem}
        .column{background:#eceff3;border:1px solid #d5dae1;border-radius:6px;padding:.5rem;min-height:6rem}
        .column h3{margin:.1rem .2rem .5rem;font-size:.8rem;letter-spacing:.08em;text-transform:uppercase;color:#556}
        .card{background:#fff;border:1px solid #d5dae1;border-left:4px solid #1f7a3a;border-radius:5px;padding:.5rem .7rem}
        .card.bad{border-left-color:#c0392b}.version{font-weight:700;font-size:1.1rem}
        .digest code{color:#556;font-size:.8rem}.chips{margin-top:.4rem;display:flex;flex-wrap:wrap;gap:.3rem}
        .chip{border:1px solid;border-radius:999px;padding:0 .5rem;font-size:.78rem}
        .chip.ok{color:#1f7a3a}.chip.warn{color:#9a6700}.chip.bad{color:#c0392b}.chip.held{color:#6b3fa0}.chip.info{color:#1f5fbf}
        .card.held{border-left-color:#6b3fa0}.column>.chips{margin:0 .2rem .4rem}
        details.actions{margin-top:.4rem;font-size:.8rem}details.actions summary{cursor:pointer;color:#556}
        details.actions form{display:flex;gap:.3rem;margin-top:.3rem}details.actions input[name=reason]{flex:1;padding:.2rem}
        .live{font-size:.75rem;border:1px solid;border-radius:999px;padding:0 .5rem;color:#8fd19e}
        .live.reconnecting,.live.offline{color:#f0c36d}.column.changed .card{box-shadow:0 0 0 2px #1f5fbf55}
        .none,.empty{color:#778}.links a{font-size:.85rem}
        form.login{max-width:28rem;background:#fff;border:1px solid #d5dae1;border-radius:6px;padding:1rem}
        form.approve{display:flex;gap:.3rem;margin-top:.5rem}form.approve input[name=reason]{flex:1;padding:.2rem}
        form.approve button{background:#1f7a3a;color:#fff;border:0;border-radius:4px;padding:.3rem .6rem}
        form.promote{margin-top:.5rem}form.promote button{background:#1f7a3a;color:#fff;border:0;border-radius:4px;padding:.3rem .6rem}
        form.promote button[disabled]{background:#c9cdd3;color:#556}.why{color:#9a6700;font-size:.8rem}
        .notice{background:#e6f4ea;border:1px solid #1f7a3a;border-radius:5px;padding:.4rem .7rem}
        .history{background:#fff;border:1px solid #d5dae1;border-radius:6px;padding:.5rem 1rem}
        .history h2{font-size:1.05rem}.filters{margin-bottom:.6rem;font-size:.85rem}
        ol.events{list-style:none;padding-left:0;font-size:.88rem}ol.events li{padding:.2rem 0 .2rem .8rem;border-left:3px solid #1f7a3a}
        ol.events li.bad{border-left-color:#c0392b}ol.events li.info{border-left-color:#1f5fbf}ol.events a{color:#778;text-decoration:none}
        form.login input{width:100%;box-sizing:border-box;margin:.5rem 0;padding:.4rem}.error{color:#c0392b}
        """
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
