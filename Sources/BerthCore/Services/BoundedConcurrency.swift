/// Runs `body` for every item with at most `limit` running at once; the first error cancels the rest.
public func forEachConcurrently<T: Sendable>(
    _ items: [T], limit: Int, _ body: @escaping @Sendable (T) async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var iterator = items.makeIterator()
        for _ in 0..<max(1, limit) {
            guard let item = iterator.next() else { break }
            group.addTask { try await body(item) }
        }
        while try await group.next() != nil {
            if let item = iterator.next() { group.addTask { try await body(item) } }
        }
    }
}

/// `body` applied to every item with at most `limit` running at once, the results in the items' order;
/// the first error cancels the rest.
public func mapConcurrently<T: Sendable, R: Sendable>(
    _ items: [T], limit: Int, _ body: @escaping @Sendable (T) async throws -> R
) async throws -> [R] {
    try await withThrowingTaskGroup(of: (Int, R).self) { group in
        var results = [R?](repeating: nil, count: items.count)
        var next = 0
        for _ in 0..<max(1, limit) where next < items.count {
            let (position, item) = (next, items[next])
            group.addTask { (position, try await body(item)) }
            next += 1
        }
        while let (position, result) = try await group.next() {
            results[position] = result
            if next < items.count {
                let (position, item) = (next, items[next])
                group.addTask { (position, try await body(item)) }
                next += 1
            }
        }
        return results.compactMap { $0 }
    }
}
