/// What a judge answers for a metric with no data (an empty vector, too few points). A canary that got
/// no traffic proves nothing, so the default is `inconclusive`: it must neither pass nor fail unless the
/// rule's author says so. (`NoDataPolicy` in `CanaryPolicy` is the canary's choice about such a
/// measurement afterwards: count it or ignore it.)
public enum NoDataVerdict: String, Hashable, Sendable, Codable, CaseIterable {
    case inconclusive
    case pass
    case fail

    /// The measurement outcome this verdict stands for.
    public var outcome: MeasurementOutcome {
        switch self {
        case .inconclusive: .inconclusive
        case .pass: .pass
        case .fail: .fail
        }
    }
}
