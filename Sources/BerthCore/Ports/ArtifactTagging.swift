import BerthOCI

/// A registry with an API of its own beside the distribution API that tags an image it already holds
/// without reading its manifest (Harbor: `POST /api/v2.0/projects/{project}/repositories/{repository}/
/// artifacts/{digest}/tags`). Where a project policy refuses pulls of a vulnerable or unsigned image (412
/// `PROJECTPOLICYVIOLATION` on the manifest GET and HEAD a retag needs), `TagWriter` retags through it.
/// Only within one repository: it moves no content.
public protocol ArtifactTagging: ImageStore {
    /// Whether this registry offers the API (Harbor answers `/api/v2.0/systeminfo`); asked only after
    /// the distribution API refused, and remembered.
    func offersArtifactTagging() async throws -> Bool
    /// The digest `tag` names in `repository`, read through the registry's API (the policy that refuses
    /// the manifest HEAD refuses it for every tag on that image); nil when there is no such tag.
    func taggedDigest(_ repository: String, tag: String) async throws -> Digest?
    /// Puts `tag` on the manifest `digest` in `repository`; a tag on another manifest is moved (the
    /// registry's API removes it there first: for a moment the tag names nothing).
    func addTag(_ tag: String, to digest: Digest, in repository: String) async throws
}
