/// Whether a digest may go on: its newest gate decision passed, or needed an approval that was given
/// for that very digest and decision and hasn't expired. An approval of one digest never covers another.
public enum ReleaseClearance {
    public enum Verdict: Equatable, Sendable {
        case cleared(String)
        case needsApproval(String)
        case blocked(String)
        case notGated(String)
    }

    /// - Parameter events: the ledger's events about `digest` (any order).
    public static func verdict(digest: String, environment: String?, events: [LedgerEvent], now: Double) -> Verdict {
        let about = events.filter { $0.digest == digest }.sorted { ($0.id ?? 0) > ($1.id ?? 0) }
        let gate = about.first {
            $0.kind == .gateEvaluated && ($0.environment == nil || environment == nil || $0.environment == environment)
        }
        guard let gate, let outcome = gate.details["outcome"] else {
            return .notGated("no gate decision is recorded for \(digest): run berth gate --report FILE --image REF@\(digest)")
        }
        switch outcome {
        case "pass", "warn":
            return .cleared("gate \(outcome) (event \(gate.id ?? 0))")
        case "needs-approval":
            let approval = about.first { event in
                event.kind == .approved && event.details["gate"] == String(gate.id ?? 0)
                    && (environment == nil || event.environment == environment)
                    && (event.details["expires"].flatMap(Double.init).map { now <= $0 } ?? true)
            }
            if let approval {
                return .cleared("approved by \(approval.actor) (event \(approval.id ?? 0)): \(approval.reason ?? "")")
            }
            return .needsApproval(
                "gate event \(gate.id ?? 0) needs an approval for \(digest)\(environment.map { " in \($0)" } ?? ""): berth approve VERSION --env ENV --reason WHY"
            )
        default:
            return .blocked("gate event \(gate.id ?? 0) blocked \(digest): \(gate.reason ?? outcome)")
        }
    }
}
