import BerthCore
import Foundation

/// The include file berth writes for nginx, and its reading back.
///
/// ```nginx
/// # berth-traffic-split: {"canaryWeight":10,"header":{"name":"X-Version","value":"beta"}}
/// upstream api_weighted { server 10.0.0.1:8080 weight=90; server 10.0.0.2:8080 weight=10; }
/// upstream api_stable   { server 10.0.0.1:8080; }
/// upstream api_canary   { server 10.0.0.2:8080; }
/// map $http_x_version $api_pool { "beta" api_canary; default api_weighted; }
/// ```
///
/// The first line records the split as JSON; reading back checks that the weights and the map still
/// say the same, so an include edited by hand is noticed rather than trusted.
struct NginxInclude: Hashable, Sendable {
    struct Server: Hashable, Sendable {
        var address: String
        var weight: Int
        var down: Bool
    }

    struct MapBlock: Hashable, Sendable {
        /// What the map reads (`$http_x_version`).
        var source: String
        /// Source value → result, `default` included.
        var entries: [String: String]
    }

    /// The split on the first line, nil when there is no such line.
    var recorded: TrafficSplit?
    /// `upstream` blocks by name.
    var upstreams: [String: [Server]] = [:]
    /// `map` blocks by the variable they set (`$api_pool`).
    var maps: [String: MapBlock] = [:]

    static let marker = "# berth-traffic-split: "

    /// `X-Version` → `$http_x_version`, as nginx names a request header's variable.
    static func headerVariable(_ name: String) -> String {
        "$http_" + name.lowercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The include for `split` (its weight already one the weights deliver).
    static func render(_ split: TrafficSplit, weights: ServerWeights, settings: TrafficSettings.Nginx) -> String {
        let name = settings.upstream
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: (try? encoder.encode(split)) ?? Data("{}".utf8), as: UTF8.self)
        func server(_ address: String, weight: Int) -> String {
            weight == 0 ? "    server \(address) down;\n" : "    server \(address) weight=\(weight);\n"
        }
        var text = marker + json + "\n"
        text += "# Written by berth canary (traffic.nginx) on every weight change: don't edit it by hand, berth\n"
        text += "# refuses an include whose weights disagree with the line above. Route with proxy_pass http://$\(name)_pool;\n"
        text += "upstream \(name)_weighted {\n"
        text += settings.stable.map { server($0, weight: weights.stable) }.joined()
        text += settings.canary.map { server($0, weight: weights.canary) }.joined()
        text += "}\n"
        text += "upstream \(name)_stable {\n" + settings.stable.map { "    server \($0);\n" }.joined() + "}\n"
        text += "upstream \(name)_canary {\n" + settings.canary.map { "    server \($0);\n" }.joined() + "}\n"
        if let header = split.header {
            text += "map \(headerVariable(header.name)) $\(name)_pool {\n"
            text += "    \"\(header.value)\" \(name)_canary;\n"
        } else {
            // No header rule: every request takes the weighted pool. (map needs a source; this one is constant.)
            text += "map \"\" $\(name)_pool {\n"
        }
        text += "    default \(name)_weighted;\n}\n"
        return text
    }

    /// Reads an include: the recorded split, upstreams and maps. Throws on text that isn't nginx syntax
    /// berth can read (a block left open, a stray `}`).
    static func parse(_ text: String, path: String) throws -> NginxInclude {
        var include = NginxInclude()
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix(marker) {
            let json = line.dropFirst(marker.count)
            include.recorded = try? JSONDecoder().decode(TrafficSplit.self, from: Data(json.utf8))
            break
        }
        let tokens = tokenize(text)
        var index = 0
        func fail(_ why: String) -> BerthError {
            BerthError(.failure, "can't read nginx include '\(path)': \(why); remove it and run berth canary again to rewrite it")
        }
        // Reads `{ statement; statement; }` into statements of words.
        func block() throws -> [[String]] {
            guard index < tokens.count, tokens[index] == "{" else { throw fail("expected '{'") }
            index += 1
            var statements: [[String]] = []
            var words: [String] = []
            while index < tokens.count {
                let token = tokens[index]
                index += 1
                switch token {
                case "}":
                    return statements
                case ";":
                    statements.append(words)
                    words = []
                case "{":
                    throw fail("a nested block")
                default:
                    words.append(token)
                }
            }
            throw fail("a block is never closed")
        }
        while index < tokens.count {
            let word = tokens[index]
            if word == "upstream", index + 1 < tokens.count {
                let name = tokens[index + 1]
                index += 2
                include.upstreams[name] = try block().compactMap { statement in
                    guard statement.first == "server", statement.count >= 2 else { return nil }
                    var server = Server(address: statement[1], weight: 1, down: false)
                    for parameter in statement.dropFirst(2) {
                        if parameter.hasPrefix("weight=") { server.weight = Int(parameter.dropFirst(7)) ?? 0 }
                        if parameter == "down" { server.down = true }
                    }
                    return server
                }
            } else if word == "map", index + 2 < tokens.count {
                let source = tokens[index + 1]
                let variable = tokens[index + 2]
                index += 3
                var entries: [String: String] = [:]
                for statement in try block() where statement.count == 2 { entries[statement[0]] = statement[1] }
                include.maps[variable] = MapBlock(source: source, entries: entries)
            } else if word == "{" || word == "}" {
                throw fail("a stray '\(word)'")
            } else {
                index += 1
            }
        }
        return include
    }

    /// nginx's tokens: words, quoted strings (unquoted), `{`, `}`, `;`; `#` comments dropped.
    static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        var quote: Character?
        var comment = false
        func flush() {
            if !word.isEmpty { tokens.append(word) }
            word = ""
        }
        for character in text {
            if comment {
                if character.isNewline { comment = false }
                continue
            }
            if let open = quote {
                if character == open {
                    tokens.append(word)
                    word = ""
                    quote = nil
                } else {
                    word.append(character)
                }
                continue
            }
            switch character {
            case "#" where word.isEmpty:
                comment = true
            case "\"", "'":
                flush()
                quote = character
            case "{", "}", ";":
                flush()
                tokens.append(String(character))
            case _ where character.isWhitespace:
                flush()
            default:
                word.append(character)
            }
        }
        flush()
        return tokens
    }

    /// The split these upstreams and this map carry for `upstream`, or why they can't be read as one.
    func carried(upstream name: String) -> Result<TrafficSplit, Unreadable> {
        guard let weighted = upstreams["\(name)_weighted"], let canary = upstreams["\(name)_canary"],
            upstreams["\(name)_stable"] != nil
        else { return .failure("it lacks the upstreams \(name)_weighted, \(name)_stable and \(name)_canary") }
        let canaryAddresses = Set(canary.map(\.address))
        let live = weighted.filter { !$0.down }
        let canaryWeight = live.filter { canaryAddresses.contains($0.address) }.map(\.weight).reduce(0, +)
        let total = live.map(\.weight).reduce(0, +)
        guard let percent = ServerWeights.percent(part: canaryWeight, total: total) else {
            return .failure("every server of \(name)_weighted is down or has weight 0")
        }
        guard let map = maps["$\(name)_pool"] else { return .failure("it lacks the map setting $\(name)_pool") }
        guard map.entries["default"] == "\(name)_weighted" else {
            return .failure("its map's default isn't \(name)_weighted")
        }
        let routed = map.entries.filter { $0.key != "default" && $0.value == "\(name)_canary" }
        guard routed.count <= 1 else { return .failure("its map sends \(routed.count) header values to the canary") }
        var header: HeaderRoute?
        if let value = routed.first?.key {
            guard map.source.hasPrefix("$http_") else { return .failure("its map doesn't read a request header") }
            // nginx knows only the variable; the recorded name is taken when it spells the same variable.
            let recordedName = recorded?.header?.name
            let name =
                recordedName.map { Self.headerVariable($0) == map.source ? $0 : map.source } ?? map.source
            header = HeaderRoute(name: name, value: value)
        }
        return .success(TrafficSplit(canaryWeight: percent, header: header))
    }
}
