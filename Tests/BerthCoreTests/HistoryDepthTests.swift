import BerthCore
import Testing

/// `--deepen`'s decisions as tables: when a shallow clone is deep enough, and which fetch comes next.
@Suite("how deep a shallow clone must be to plan")
struct HistoryDepthTests {
    static let base = ReleaseTag(name: "v1.4.2", version: SemanticVersion(1, 4, 2), commit: String(repeating: "a", count: 40))

    static func seen(shallow: Bool = true, tags: Bool = true, base: ReleaseTag? = nil, cut: Bool = false)
        -> HistoryDepth.Observation
    {
        HistoryDepth.Observation(isShallow: shallow, remoteHasVersionTags: tags, base: base, cutSinceBase: cut)
    }

    @Test(
        "deep enough, or the next fetch",
        arguments: [
            // A complete clone needs nothing, whatever else holds.
            (seen(shallow: false, base: nil, cut: true), [], ["v1.4.2"], HistoryDepth.Verdict.deepEnough(.complete)),
            // No version tag on the remote: the initial version, with no history fetched.
            (seen(tags: false, base: nil, cut: true), [], [], .deepEnough(.noVersionTags)),
            // The base is here and nothing since it is cut off.
            (seen(base: base, cut: false), [], ["v1.4.2"], .deepEnough(.baseReached)),
            // No base yet: exclude what the release tags reach first.
            (seen(base: nil, cut: true), [], ["v1.4.2", "v1.4.1"], .fetch(.excludeReleases(["v1.4.2", "v1.4.1"]))),
            // The base is here but a merged branch is cut: deepen.
            (seen(base: base, cut: true), [.excludeReleases(["v1.4.2"])], ["v1.4.2"], .fetch(.deepen(50))),
            // Only pre-releases on the remote (no release tag to exclude): deepen from the start.
            (seen(base: nil, cut: true), [], [], .fetch(.deepen(50))),
            // Steps grow.
            (seen(base: nil, cut: true), [.deepen(50)], [], .fetch(.deepen(200))),
            (seen(base: nil, cut: true), [.deepen(50), .deepen(200)], [], .fetch(.deepen(1000))),
            (seen(base: nil, cut: true), [.deepen(50), .deepen(200), .deepen(1000)], [], .fetch(.deepen(5000))),
            // Then the last resort, then nothing left.
            (seen(base: nil, cut: true), [.deepen(50), .deepen(200), .deepen(1000), .deepen(5000)], [], .fetch(.unshallow)),
            (
                seen(base: base, cut: true), [.deepen(50), .deepen(200), .deepen(1000), .deepen(5000), .unshallow], [],
                .exhausted
            ),
        ] as [(HistoryDepth.Observation, [DeepenStep], [String], HistoryDepth.Verdict)])
    func verdicts(
        observation: HistoryDepth.Observation, taken: [DeepenStep], releaseTags: [String], expected: HistoryDepth.Verdict
    ) {
        #expect(HistoryDepth.verdict(observation, taken: taken, releaseTags: releaseTags) == expected)
    }

    @Test("the whole schedule: exclusion, 50, 200, 1000, 5000 commits deeper, --unshallow, then nothing")
    func schedule() {
        var taken: [DeepenStep] = []
        while let step = HistoryDepth.nextStep(after: taken, releaseTags: ["v1.0.0"]) { taken.append(step) }
        #expect(
            taken == [.excludeReleases(["v1.0.0"]), .deepen(50), .deepen(200), .deepen(1000), .deepen(5000), .unshallow])
    }

    @Test("the report says how many steps were taken, what they fetched and why it stopped")
    func report() {
        let report = DeepenReport(
            remote: "origin", wasShallow: true, steps: [.excludeReleases(["v1.0.0", "v1.1.0"]), .deepen(50)], tagsFetched: 3,
            outcome: .baseReached)
        #expect(
            report.explanation
                == "shallow clone deepened from 'origin' in 2 deepen steps (history back to the nearest of 2 release tags, then 50 commits deeper), 3 tags fetched: the base tag and every commit since it are here"
        )
        let none = DeepenReport(remote: "origin", wasShallow: true, steps: [], tagsFetched: 0, outcome: .noVersionTags)
        #expect(none.explanation.contains("in 0 deepen steps (no fetch)"))
        #expect(none.explanation.hasSuffix("'origin' has no version tag, so the initial version needs no history"))
        let complete = DeepenReport(remote: "origin", wasShallow: false, steps: [], tagsFetched: 0, outcome: .complete)
        #expect(complete.explanation == "not a shallow clone: nothing to deepen")
        #expect(
            [DeepenStep.excludeReleases([]), .deepen(1), .unshallow].map(\.kind) == ["shallow-exclude", "deepen", "unshallow"])
    }
}
