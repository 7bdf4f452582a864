import BerthOCI

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
        let newest = about.first {
            $0.kind == .gateEvaluated && ($0.environment == nil || environment == nil || $0.environment == environment)
        }
        guard let newest else {
            return .notGated("no gate decision is recorded for \(digest): run berth gate --report FILE --image REF@\(digest)")
        }
        // A decision the ledger holds but berth can't read never clears anything (fail closed).
        guard let gate = GateRecord(newest) else {
            return .blocked(
                "gate event \(newest.id ?? 0) about \(digest) can't be read (outcome '\(newest.details[DetailKey.outcome] ?? "")')"
            )
        }
        let gateID = gate.eventID ?? 0
        switch gate.outcome {
        case .pass, .warn:
            return .cleared("gate \(gate.outcome.rawValue) (event \(gateID))")
        case .needsApproval:
            let approval = about.lazy.compactMap(ApprovalRecord.init).first { approval in
                approval.gateEvent == gateID && (environment == nil || approval.environment == environment)
                    && approval.holds(at: now)
            }
            if let approval {
                return .cleared("approved by \(approval.actor ?? "?") (event \(approval.eventID ?? 0)): \(approval.reason)")
            }
            return .needsApproval(
                "gate event \(gateID) needs an approval for \(digest)\(environment.map { " in \($0)" } ?? ""): berth approve VERSION --env ENV --reason WHY"
            )
        case .block:
            return .blocked("gate event \(gateID) blocked \(digest): \(gate.reasons.first ?? gate.outcome.rawValue)")
        }
    }
}
