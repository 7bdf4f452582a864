import BerthCore
import Testing

struct JudgeAnalysisRunTests {
    struct RunCase: Sendable, CustomTestStringConvertible {
        let name: String
        let limits: AnalysisLimits
        let outcomes: [MeasurementOutcome]
        /// The decision after each outcome.
        let decisions: [AnalysisDecision]
        var testDescription: String { name }
    }

    static let defaults = AnalysisLimits()

    static let cases: [RunCase] = [
        RunCase(
            name: "passes continue", limits: defaults, outcomes: [.pass, .pass, .pass],
            decisions: [.continue, .continue, .continue]),
        RunCase(
            name: "the first fail aborts by default", limits: defaults, outcomes: [.pass, .fail], decisions: [.continue, .abort]),
        RunCase(
            name: "a failure limit of 2 aborts on the third fail, passes in between or not",
            limits: AnalysisLimits(failureLimit: 2), outcomes: [.fail, .pass, .fail, .pass, .fail],
            decisions: [.continue, .continue, .continue, .continue, .abort]),
        RunCase(
            name: "the first inconclusive pauses by default", limits: defaults, outcomes: [.pass, .inconclusive],
            decisions: [.continue, .pause(.inconclusive)]),
        RunCase(
            name: "an inconclusive limit of 1 pauses on the second", limits: AnalysisLimits(inconclusiveLimit: 1),
            outcomes: [.inconclusive, .pass, .inconclusive], decisions: [.continue, .continue, .pause(.inconclusive)]),
        RunCase(
            name: "four errors in a row are tolerated, the fifth pauses", limits: defaults,
            outcomes: [.error, .error, .error, .error, .error],
            decisions: [.continue, .continue, .continue, .continue, .pause(.error)]),
        RunCase(
            name: "a pass resets the errors in a row", limits: defaults,
            outcomes: [.error, .error, .error, .error, .pass, .error, .error, .error, .error],
            decisions: Array(repeating: .continue, count: 9)),
        RunCase(
            name: "a fail also resets the errors in a row", limits: AnalysisLimits(failureLimit: 1, consecutiveErrorLimit: 1),
            outcomes: [.error, .fail, .error, .error], decisions: [.continue, .continue, .continue, .pause(.error)]),
        RunCase(
            name: "an error limit of 0 pauses on the first error", limits: AnalysisLimits(consecutiveErrorLimit: 0),
            outcomes: [.pass, .error], decisions: [.continue, .pause(.error)]),
        RunCase(
            name: "a stopped run stays stopped", limits: defaults, outcomes: [.inconclusive, .fail, .pass],
            decisions: [.pause(.inconclusive), .pause(.inconclusive), .pause(.inconclusive)]),
        RunCase(
            name: "negative limits count as 0", limits: AnalysisLimits(failureLimit: -3), outcomes: [.fail],
            decisions: [.abort]),
    ]

    @Test("the analysis decides after each measurement as Argo's AnalysisRun does", arguments: cases)
    func decisions(_ example: RunCase) {
        var run = AnalysisRun(limits: example.limits)
        let decisions = example.outcomes.map { run.record($0) }
        #expect(decisions == example.decisions)
        #expect(run.outcomes == example.outcomes)
        #expect(AnalysisRun(limits: example.limits, outcomes: example.outcomes) == run)
    }

    @Test("the run counts outcomes and says why it stopped")
    func counts() {
        var run = AnalysisRun(limits: AnalysisLimits(failureLimit: 1))
        for outcome in [MeasurementOutcome.pass, .error, .error, .inconclusive] { _ = run.record(outcome) }
        #expect(run.reason == "1 inconclusive measurement > limit 0")
        #expect(run.decision == .pause(.inconclusive))
        #expect((run.passes, run.failures, run.inconclusives, run.errors, run.consecutiveErrors) == (1, 0, 1, 2, 0))
        let aborted = AnalysisRun(limits: AnalysisLimits(failureLimit: 1), outcomes: [.fail, .fail])
        #expect(aborted.reason == "2 failed measurements > limit 1")
        let errors = AnalysisRun(outcomes: Array(repeating: .error, count: 5))
        #expect(errors.reason == "5 measurement errors in a row > limit 4")
        #expect(AnalysisRun().reason.isEmpty && AnalysisRun().decision == .continue)
    }

    @Test("the defaults are Argo's: 0 failures, 0 inconclusives, 4 errors in a row")
    func defaultLimits() {
        #expect(AnalysisLimits() == AnalysisLimits(failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4))
        #expect(AnalysisLimits().failureLimit == 0)
        #expect(AnalysisLimits().consecutiveErrorLimit == 4)
    }
}
