import BerthCore

/// `deepen` in the version part of `--json`: what `--deepen` fetched into a shallow clone (docs/json.md).
struct DeepenDocument: Encodable {
    struct Fetch: Encodable {
        /// `shallow-exclude`, `deepen` or `unshallow`.
        let kind: String
        /// `deepen`: how many commits deeper.
        let commits: Int?
        /// `shallow-exclude`: how many release tags bounded it.
        let releaseTags: Int?

        enum CodingKeys: String, CodingKey { case kind, commits, releaseTags = "release_tags" }
    }
    let remote: String
    let shallow: Bool
    let steps: Int
    let fetches: [Fetch]
    let tagsFetched: Int
    let outcome: String
    let explanation: String

    init(_ report: DeepenReport) {
        remote = report.remote
        shallow = report.wasShallow
        steps = report.steps.count
        fetches = report.steps.map { step in
            switch step {
            case .excludeReleases(let tags): Fetch(kind: step.kind, commits: nil, releaseTags: tags.count)
            case .deepen(let count): Fetch(kind: step.kind, commits: count, releaseTags: nil)
            case .unshallow: Fetch(kind: step.kind, commits: nil, releaseTags: nil)
            }
        }
        tagsFetched = report.tagsFetched
        outcome = report.outcome.rawValue
        explanation = report.explanation
    }

    enum CodingKeys: String, CodingKey {
        case remote, shallow, steps, fetches, tagsFetched = "tags_fetched", outcome, explanation
    }
}
