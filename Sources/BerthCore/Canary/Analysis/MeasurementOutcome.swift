/// What one analysis measurement says about a canary. The raw values are the words the ledger and
/// `--json` show.
public enum MeasurementOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    /// The canary is as good as the bound or the stable version.
    case pass
    /// Evidence that the canary is worse: counts towards `AnalysisLimits.failureLimit`.
    case fail
    /// Not enough evidence either way (too little traffic, no data, a marginal score): a human decides.
    case inconclusive
    /// The measurement could not be taken (metrics source down): says nothing about the build.
    case error

    /// One outcome for several judged metrics of one measurement. A failure is evidence, so it outranks
    /// an error (which is only missing evidence); an error outranks inconclusive, which outranks pass.
    /// No outcomes at all is `inconclusive`: nothing was judged, so nothing may pass.
    public static func combining(_ outcomes: some Sequence<MeasurementOutcome>) -> MeasurementOutcome {
        var seen = Set<MeasurementOutcome>()
        for outcome in outcomes { seen.insert(outcome) }
        for outcome in [MeasurementOutcome.fail, .error, .inconclusive, .pass] where seen.contains(outcome) {
            return outcome
        }
        return .inconclusive
    }
}
