// Measures the ledger and the retention planner in-process (scripts/bench-lifecycle.sh runs it):
// appends one event per transaction to a SQLite file or a PostgreSQL URL, then times status, history
// and a prune plan. Prints JSON.
import BerthCore
import BerthLedger
import Foundation

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "canary-judges" {
    exit(CanaryJudgeBenchmark.main(Array(CommandLine.arguments.dropFirst(2))))
}
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "fill-board" {
    exit(try await BoardLedgerFill.main(Array(CommandLine.arguments.dropFirst(2))))
}
let arguments = CommandLine.arguments
guard arguments.count == 4, let events = Int(arguments[2]), let tagCount = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: berth-bench LEDGER.sqlite|postgres://… EVENTS TAGS\n".utf8))
    exit(64)
}
let ledger: any LedgerStore =
    arguments[1].hasPrefix("postgres") ? try await PostgresLedger(url: arguments[1]) : try SQLiteLedger(path: arguments[1])
let repository = "registry.example/acme/api"
let environments = ["dev", "staging", "prod"]
let kinds: [LedgerEvent.Kind] = [.built, .pushed, .gateEvaluated, .approved, .promoted, .released]

func milliseconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let appendMilliseconds = try await milliseconds {
    for index in 0..<events {
        let version = "1.\(index / 1000).\(index % 1000)"
        try await ledger.append(
            LedgerEvent(
                kind: kinds[index % kinds.count], repository: index % 10 == 0 ? "registry.example/acme/other" : repository,
                version: version,
                digest: "sha256:" + String(format: "%064x", index), environment: environments[index % 3],
                gitSHA: String(format: "%040x", index),
                actor: "ci", time: Double(1_700_000_000 + index), reason: "bench",
                details: ["outcome": "pass", "counts.high": "0", "counts.critical": "0"]))
    }
}
var statusTimes: [Double] = []
var historyTimes: [Double] = []
for _ in 0..<50 {
    statusTimes.append(try await milliseconds { _ = try await ledger.status(repository: repository) })
    historyTimes.append(
        try await milliseconds {
            _ = try await ledger.events(LedgerQuery(repository: repository, environment: "prod", limit: 50))
        })
}
var tags: [String: String] = [:]
for index in 0..<tagCount {
    let digest = "sha256:" + String(format: "%064x", index / 2)
    tags[index % 2 == 0 ? "v1.\(index / 1000).\(index % 1000)" : "sha-\(String(format: "%07x", index))"] = digest
}
var pruneTimes: [Double] = []
var deleted = 0
for _ in 0..<10 {
    pruneTimes.append(
        await milliseconds {
            let plan = RetentionPlanner.plan(
                tags: tags, prefix: "v", policy: RetentionPolicy(), environmentDigests: ["sha256:" + String(format: "%064x", 7)],
                ages: [:],
                now: 1_800_000_000)
            deleted = plan.delete.count
        })
}
let result: [String: Double] = [
    "events": Double(events), "appendsPerSecond": Double(events) / (appendMilliseconds / 1000), "statusMs": median(statusTimes),
    "historyMs": median(historyTimes), "tags": Double(tagCount), "pruneMs": median(pruneTimes), "pruneDeletes": Double(deleted),
]
let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys]
print(String(decoding: try encoder.encode(result), as: UTF8.self))
