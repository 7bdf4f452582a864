import BerthCore
import BerthMetrics
import BerthTraffic
import Foundation

extension CommandContext {
    /// The canary service for `options.environment`: berth.yaml's canary.<env> policy, its traffic
    /// router, Prometheus analysis when configured, promotion over the same dependencies, real sleep.
    /// With `progress`, each thing done is one line on stderr (`berth canary run`).
    func canary(
        _ options: CanaryOptions, ledger: LedgerOptions, registry: RegistryOptions, progress: Bool = false
    ) async throws -> CanaryService {
        guard let settings = configuration.canary[options.environment] else {
            let configured = configuration.canary.keys.sorted()
            throw BerthError(
                .usage,
                "berth.yaml has no canary.\(options.environment)"
                    + (configured.isEmpty ? "; add one (docs/canary.md)" : " (configured: \(configured.joined(separator: ", ")))")
            )
        }
        let dependencies = try await lifecycle(ledger, registry: registry)
        let router = try TrafficRouters.make(settings.traffic, directory: projectDirectory)
        let analyzer = try settings.analysis.map { analysis in
            MetricAnalyzer(
                settings: analysis,
                source: try PrometheusSource(
                    url: analysis.prometheus, warnings: { Terminal.writeError("berth: \($0)\n") }))
        }
        let sleep: @Sendable (Double) async throws -> Void = { until in
            let seconds = until - Date().timeIntervalSince1970
            if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64(min(seconds, 86_400) * 1000))) }
        }
        var report: (@Sendable (String) -> Void)?
        if progress { report = { line in Terminal.writeError("berth: canary: " + line + "\n") } }
        let analysis: (any CanaryAnalyzer)? = analyzer
        return CanaryService(
            dependencies, promotion: try promotion(dependencies), policy: settings.policy, router: router, analyzer: analysis,
            git: router.versionedFiles.isEmpty ? nil : try git, sleep: sleep, onProgress: report)
    }
}
