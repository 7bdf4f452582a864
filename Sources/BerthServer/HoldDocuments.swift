import BerthCore
import BerthOCI
import Foundation

/// The JSON documents of holds, bad marks and a cell's canary (docs/openapi.yaml describes each).
extension APIDocuments {
    struct HoldRequest: Decodable {
        let repository: String
        /// The environment to hold or release; exactly one of it and `version`.
        let environment: String?
        /// The version to hold or release (its digest).
        let version: String?
        let reason: String
    }

    struct Hold: Encodable {
        /// `environment` or `digest`.
        let scope: String
        let repository: String
        let environment: String?
        let version: String?
        let digest: String?
        let reason: String
        let actor: String
        let since: String
        let event: Int64?
    }

    struct HoldResult: Encodable {
        /// `held`, `already-held`, `released`, or `not-held`.
        let status: String
        let hold: Hold?
        /// The `held` or `unheld` event recorded; nil when nothing was.
        let event: Int64?
        let actor: String?
    }

    struct Holds: Encodable {
        let repository: String
        let holds: [Hold]
    }

    struct BadMarkRequest: Decodable {
        let repository: String
        let version: String
        let environment: String
        /// The digest the caller was shown running there: refused if the version's is another.
        let digest: String
        let reason: String
    }

    struct BadMarkResult: Encodable {
        /// `marked-bad`, or `already` when the digest was marked bad there before.
        let status: String
        let repository: String
        let version: String?
        let environment: String
        let digest: String
        let reason: String
        let event: Int64?
        let actor: String?
    }

    struct Canary: Encodable {
        /// `progressing`, `paused`, `promoted` or `aborted`.
        let phase: String
        let version: String
        let digest: String
        /// Percent of the traffic the canary gets.
        let weight: Int
        let step: Int
        /// Why it paused or was aborted.
        let reason: String?
        let event: Int64
    }

    static func hold(_ record: BerthCore.Hold) -> Hold {
        var environment: String?
        var digest: String?
        switch record.scope {
        case .environment(let name): environment = name
        case .digest(let held): digest = held.description
        }
        return Hold(
            scope: environment == nil ? "digest" : "environment", repository: record.repository, environment: environment,
            version: record.version, digest: digest, reason: record.reason, actor: record.actor,
            since: RFC3339.utc(seconds: Int64(record.time)), event: record.eventID)
    }

    static func canary(_ progress: CanaryProgress) -> Canary {
        var phase = "progressing"
        var reason: String?
        switch progress.phase {
        case .progressing: break
        case .paused(let why): (phase, reason) = ("paused", why)
        case .promoted: phase = "promoted"
        case .aborted(let why): (phase, reason) = ("aborted", why)
        }
        return Canary(
            phase: phase, version: progress.version, digest: progress.digest.description, weight: progress.split.canaryWeight,
            step: progress.nextStep, reason: reason, event: progress.lastEventID)
    }
}
