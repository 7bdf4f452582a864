import BerthOCI

/// Compares, for every registry repository berth tracks, where berth put each tag with where the registry
/// points it now, and records each difference once (`drift-detected`). Run periodically: Distribution
/// drops notifications when its queue is full or the server is down, and Harbor sends none for a tag added
/// through its API.
public struct RegistryReconciler: Sendable {
    public let dependencies: LifecycleDependencies
    public var images: [String]

    public init(_ dependencies: LifecycleDependencies, images: [String] = []) {
        self.dependencies = dependencies
        self.images = images
    }

    public struct Report: Hashable, Sendable {
        public var repositories = 0
        public var tags = 0
        public var drift: [RegistryDrift] = []
        /// Repositories the registry couldn't answer for, with why.
        public var failures: [String] = []
    }

    public func reconcile() async throws -> Report {
        var report = Report()
        let known = try await dependencies.ledger.repositories().filter { !$0.hasPrefix("berth:") }
        for repository in Array(Set(known + images)).sorted() {
            guard let reference = try? ImageReference(parsing: repository), case .registry = reference.store else { continue }
            report.repositories += 1
            do {
                let store = try dependencies.stores.store(for: reference)
                let expectations = try await TagExpectations.read(repository, ledger: dependencies.ledger)
                for (tag, expectation) in expectations.tags.sorted(by: { $0.key < $1.key }) {
                    report.tags += 1
                    let observed = try await store.resolve(reference.repository, reference: tag)?.digest
                    guard observed != expectation.digest else { continue }
                    let drift = RegistryDrift(
                        repository: repository, tag: tag, expected: expectation.digest,
                        expectedEvent: expectation.eventID, observed: observed, foundBy: "reconcile")
                    if try await WebhookVerifier.record(
                        drift, ledger: dependencies.ledger, actor: dependencies.actor, time: dependencies.time)
                    {
                        report.drift.append(drift)
                    }
                }
            } catch {
                report.failures.append("\(repository): \(error)")
            }
        }
        return report
    }
}
