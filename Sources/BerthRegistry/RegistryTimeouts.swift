import BerthCore
import Foundation

/// How long berth waits on a registry. Every limit measures time without progress, so a slow transfer
/// that keeps moving is never cut; a registry that stops answering is given up on.
public struct RegistryTimeouts: Sendable, Equatable {
    /// One attempt of a small request (a manifest, a tag list, a HEAD, a token): no answer, or a body that
    /// stops arriving, for this long fails the attempt.
    public var attempt: Duration
    /// Blob transfers (GET, PATCH, PUT of layers): the longest stretch without a byte moving, the wait
    /// for the response head included.
    public var idle: Duration
    /// One request with its retries and the waits between them; for a blob download, counted from the
    /// last byte received. No attempt runs, and no wait begins, past it.
    public var total: Duration

    /// 30 s per attempt, 60 s without progress for blobs, 2 min in all.
    public init(attempt: Duration = .seconds(30), idle: Duration = .seconds(60), total: Duration = .seconds(120)) {
        self.attempt = attempt
        self.idle = idle
        self.total = total
    }

    /// The environment variable for `total`.
    public static let totalVariable = "BERTH_REGISTRY_TIMEOUT"
    /// The environment variable for `attempt` (blob transfers get twice as long without progress).
    public static let attemptVariable = "BERTH_REGISTRY_ATTEMPT_TIMEOUT"

    /// The defaults, changed by `BERTH_REGISTRY_TIMEOUT` (the total) and `BERTH_REGISTRY_ATTEMPT_TIMEOUT`
    /// (one attempt; blobs get twice that without progress). A value that isn't a positive duration is an
    /// `.invalid` error naming the variable.
    public static func from(environment: [String: String]) throws -> RegistryTimeouts {
        var timeouts = RegistryTimeouts()
        if let attempt = try duration(environment, attemptVariable) {
            timeouts.attempt = attempt
            timeouts.idle = attempt * 2
        }
        if let total = try duration(environment, totalVariable) { timeouts.total = total }
        return timeouts
    }

    private static func duration(_ environment: [String: String], _ name: String) throws -> Duration? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let value = parseDuration(text), value > .zero else {
            throw RegistryError.configuration("\(name)='\(text)' is not a duration; write it as 30s, 2m, 1m30s or 500ms")
        }
        return value
    }

    /// `30s`, `2m`, `1m30s`, `1.5s`, `500ms`, `1h`, or a bare number of seconds (`DurationText`); nil
    /// for anything else.
    public static func parseDuration(_ text: String) -> Duration? {
        // Under 100 years, so the milliseconds fit an Int64.
        DurationText.seconds(text).flatMap { $0 < 3.2e9 ? .milliseconds(Int64($0 * 1000)) : nil }
    }

    /// A duration for messages: `0.04 s`, `1.2 s`, `30 s`, `2 min`.
    public static func words(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60)) min" }
        if seconds >= 10 { return "\(Int(seconds.rounded())) s" }
        // Tenths from 1 s up, hundredths below (a jittered backoff is often a few hundredths).
        let scale = seconds < 1 ? 100.0 : 10.0
        let rounded = (seconds * scale).rounded() / scale
        return rounded == rounded.rounded() ? "\(Int(rounded)) s" : "\(rounded) s"
    }
}

extension RegistryClient {
    /// The environment variable for `chunkSize`.
    public static let chunkSizeVariable = "BERTH_REGISTRY_CHUNK_SIZE"

    /// `BERTH_REGISTRY_CHUNK_SIZE` as bytes (`8MiB`, `512KiB`, `1GiB`, `K`/`M`/`G` for short, or a bare
    /// number of bytes); nil when unset (one streamed PUT per blob). Anything else is an `.invalid` error
    /// naming the variable.
    public static func chunkSize(environment: [String: String]) throws -> Int? {
        guard let text = environment[chunkSizeVariable]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return nil
        }
        let units: [(String, Int)] = [
            ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10),
        ]
        var number = Substring(text)
        var scale = 1
        if let (suffix, value) = units.first(where: { text.hasSuffix($0.0) }) {
            number = text.dropLast(suffix.count)
            scale = value
        }
        guard let count = Int(number.trimmingCharacters(in: .whitespaces)), count > 0, count <= (4 << 30) / scale else {
            throw RegistryError.configuration(
                "\(chunkSizeVariable)='\(text)' is not a chunk size; write it as 8MiB, 512KiB or a number of bytes (at most 4GiB), or unset it for one PUT per blob"
            )
        }
        return count * scale
    }
}
