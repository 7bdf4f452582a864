import BerthCore

extension PlanCommand {
    /// `berth plan` with docker/metadata-action's rules before any checkout, as the action runs: its version,
    /// tags, labels and annotations from the GitHub context alone, and the registry's checks when asked.
    /// Nothing is decided from git history, so there is no git tag to check and nothing to record.
    func planWithoutCheckout(_ action: MetadataActionOutputs, context: CommandContext) async throws {
        if record {
            throw BerthError(
                .usage,
                "--record needs a checkout: the ledger's planned event holds the version berth decides from git history; check the repository out first (actions/checkout with fetch-depth: 0)"
            )
        }
        let findings =
            options.registry
            ? try await context.registryFindings(action.tags, revision: action.revision, options, registry: registryOptions) : []
        let failed = findings.filter { $0.status == .fail }
        if global.json {
            Terminal.write(try JSONOutput.encode(PlanDocument(action, findings: findings, ci: context.ci)) + "\n")
        } else if let format {
            if failed.isEmpty {
                try emit(try format.render(PlanOutputs(action)), format: format, environment: context.environment)
            }
        } else if global.quiet {
            Terminal.write(action.tags.references.joined(separator: "\n") + (action.tags.tags.isEmpty ? "" : "\n"))
        } else {
            let renderer = TextRenderer(color: Terminal.useColor, verbose: global.verbose)
            Terminal.write(
                renderer.rows(
                    [("version", action.tags.version)] + renderer.tags(action.tags) + renderer.metadata(action.metadata)
                        + renderer.annotations(action) + renderer.checks(findings)))
        }
        guard !failed.isEmpty else { return }
        let kind: FailureKind = failed.contains { $0.kind == .conflict } ? .conflict : failed[0].kind
        throw BerthError(kind, failed.map(\.message).joined(separator: "\n"))
    }
}
