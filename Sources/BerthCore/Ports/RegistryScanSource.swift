import struct Foundation.Data

/// A registry that scans what it holds and answers, per artifact, with its scan's summary: Harbor's
/// artifact API with `with_scan_overview=true` (BerthRegistry's `HarborAPI`). The adapter fetches the
/// bytes; the core reads them (`HarborArtifact`) and decides (`GateService`).
public protocol RegistryScanSource: Sendable {
    /// The registry's answer for the artifact `reference` (a tag or a digest) names in `repository`;
    /// throws `ImageStoreError` when the registry refuses, fails or has no such artifact.
    func artifact(_ repository: String, reference: String) async throws -> Data
}
