/// Token scopes (`repository:acme/api:pull,push`, `registry:catalog:*`), merged per resource so a new
/// token asks for the union of everything asked before plus what the next request needs.
struct ScopeSet: Sendable, Equatable {
    private(set) var actions: [String: Set<String>] = [:]

    init(_ scopes: [String] = []) {
        for scope in scopes { insert(scope) }
    }

    mutating func insert(_ scope: String) {
        // type:name:actions, where the name may itself contain ':' (a registry host with a port).
        guard let lastColon = scope.lastIndex(of: ":") else { return }
        let resource = String(scope[..<lastColon])
        let list = scope[scope.index(after: lastColon)...].split(separator: ",").map(String.init)
        actions[resource, default: []].formUnion(list)
    }

    func union(_ other: ScopeSet) -> ScopeSet {
        var merged = self
        for (resource, list) in other.actions { merged.actions[resource, default: []].formUnion(list) }
        return merged
    }

    /// Whether every action of `other` is already in this set.
    func covers(_ other: ScopeSet) -> Bool {
        other.actions.allSatisfy { resource, list in actions[resource]?.isSuperset(of: list) ?? false }
    }

    /// One `scope` value per resource, sorted, actions in a stable order.
    var parameters: [String] {
        actions.keys.sorted().map { resource in
            let list = actions[resource]!.sorted { a, b in
                let order = ["pull", "push", "delete", "*"]
                return (order.firstIndex(of: a) ?? 9, a) < (order.firstIndex(of: b) ?? 9, b)
            }
            return "\(resource):\(list.joined(separator: ","))"
        }
    }

    static func pull(_ repository: String) -> String { "repository:\(repository):pull" }
    static func push(_ repository: String) -> String { "repository:\(repository):pull,push" }
    static func delete(_ repository: String) -> String { "repository:\(repository):delete" }
    static let catalog = "registry:catalog:*"
}
