import AsyncHTTPClient
import BerthCore
import Foundation
import NIOCore

/// Polls a health URL over HTTP (AsyncHTTPClient, the one HTTP stack of berth) until it answers 2xx
/// or the timeout passes. Each attempt is bounded, so a server that accepts and never answers can't
/// hold the probe past its deadline.
public struct HTTPHealthProbe: HealthProbe {
    let client: HTTPClient
    /// The pause between attempts.
    let interval: Duration

    public init(client: HTTPClient = .shared, interval: Duration = .milliseconds(500)) {
        self.client = client
        self.interval = interval
    }

    public func waitHealthy(_ url: String, timeoutSeconds: Int) async throws -> HealthAnswer {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
            parsed.host != nil
        else {
            throw BerthError(.usage, "health_url '\(url)' is not an http(s) URL: fix deploy.<env>.health_url in berth.yaml")
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(timeoutSeconds)
        var last = "no answer"
        // At least one attempt, however late this task runs: a probe that never asked knows nothing.
        repeat {
            let attempt = max(min(deadline - clock.now, .seconds(5)), .milliseconds(500))
            do {
                let response = try await client.execute(
                    HTTPClientRequest(url: url), timeout: .milliseconds(Int64(attempt / .milliseconds(1))))
                _ = try? await response.body.collect(upTo: 1 << 20)
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return .healthy(status: status) }
                last = "HTTP \(status)"
            } catch {
                last = "no answer"
            }
            if clock.now + interval >= deadline { break }
            try await Task.sleep(for: interval)
        } while clock.now < deadline
        return .unhealthy(last: last)
    }
}
