import BerthCore
import Logging

/// Runs the verifier a coalescing window after deliveries arrive (one run for a burst, not one per
/// delivery) and the reconciler on its interval. Holds no state that matters: which hints are checked
/// lives in the ledger, so another replica, or this one after a restart, picks up what is pending.
final class WebhookWorker: Sendable {
    let verifier: WebhookVerifier
    let reconciler: RegistryReconciler
    let metrics: WebhookMetrics
    let logger = Logger(label: "berth.serve.webhooks")
    private let scheduled = Locked<Bool>(false)

    init(_ dependencies: ServerDependencies, metrics: WebhookMetrics) {
        var lifecycle = dependencies.lifecycle
        lifecycle.actor = "berth serve"
        verifier = WebhookVerifier(
            lifecycle, policy: dependencies.webhooks.policy, images: dependencies.images,
            window: dependencies.webhooks.coalesceSeconds)
        reconciler = RegistryReconciler(lifecycle, images: dependencies.images)
        self.metrics = metrics
    }

    /// A verification run after the window, unless one is already waiting.
    func schedule() {
        let first = scheduled.withLock { waiting in
            defer { waiting = true }
            return !waiting
        }
        guard first else { return }
        let window = verifier.window
        Task {
            try? await Task.sleep(for: .milliseconds(Int(window * 1000) + 50))
            scheduled.withLock { $0 = false }
            _ = await verifyPending()
        }
    }

    /// Checks what is pending now; failures are logged and counted, never thrown.
    @discardableResult
    func verifyPending() async -> WebhookVerifier.Report? {
        do {
            let report = try await verifier.verifyPending()
            for failure in report.failures {
                metrics.failed("verifier", "verification")
                logger.warning("webhook hint not verified; it stays pending", metadata: ["why": "\(failure.prefix(300))"])
            }
            for drift in report.drift { logger.notice("registry drift", metadata: ["drift": "\(drift.message)"]) }
            return report
        } catch {
            metrics.failed("verifier", "ledger")
            logger.error("webhook verification failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Reconciles, then verifies what is pending, every `seconds`, until the task is cancelled.
    func reconcileLoop(every seconds: Double) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            guard !Task.isCancelled else { return }
            do {
                let report = try await reconciler.reconcile()
                for failure in report.failures {
                    metrics.failed("reconcile", "verification")
                    logger.warning("reconcile could not read a repository", metadata: ["why": "\(failure.prefix(300))"])
                }
                for drift in report.drift { logger.notice("registry drift", metadata: ["drift": "\(drift.message)"]) }
            } catch {
                metrics.failed("reconcile", "ledger")
                logger.error("reconcile failed", metadata: ["error": "\(error)"])
            }
            await verifyPending()
        }
    }
}
