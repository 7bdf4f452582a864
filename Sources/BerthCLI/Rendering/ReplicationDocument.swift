import BerthCore
import BerthOCI

/// `registry sync --json` and `registry cp --referrers --json`: the summary and every image, in the
/// order of the jobs (docs/json.md).
struct ReplicationDocument: Encodable {
    struct Image: Encodable {
        let source: String
        let destination: String
        let digest: String
        let outcome: String
        let version: String?
        let tags: [String]
        let tagsWritten: [String]
        let referrersCopied: Int
        let referrersPresent: Int
        let legacyTagsCopied: Int
        let fallbackIndexesWritten: Int
        let manifestsCopied: Int
        let blobsCopied: Int
        let blobsSkipped: Int
        let bytesCopied: Int64
        let recordedEvent: Int64?
    }

    struct Conflict: Encodable {
        let destination: String
        let tag: String
        let found: String
        let wanted: String
        let moved: Bool
    }

    struct Failure: Encodable {
        let source: String
        let destination: String
        let error: String
    }

    let imagesCopied: Int
    let imagesPresent: Int
    let referrersCopied: Int
    let referrersPresent: Int
    let legacyTagsCopied: Int
    let manifestsCopied: Int
    let blobsCopied: Int
    let bytesCopied: Int64
    let recorded: Int
    let images: [Image]
    let conflicts: [Conflict]
    let failures: [Failure]

    init(_ report: ReplicationReport, source: (String) -> String, destination: (String) -> String) {
        imagesCopied = report.copied
        imagesPresent = report.present
        referrersCopied = report.referrersCopied
        referrersPresent = report.referrersPresent
        legacyTagsCopied = report.legacyTagsCopied
        manifestsCopied = report.manifestsCopied
        blobsCopied = report.blobsCopied
        bytesCopied = report.bytesCopied
        recorded = report.recorded
        images = report.images.map { image in
            Image(
                source: "\(source(image.job.sourceRepository))@\(image.digest)",
                destination: destination(image.job.destinationRepository), digest: image.digest.description,
                outcome: image.outcome.rawValue, version: image.version, tags: image.job.tags, tagsWritten: image.tagsWritten,
                referrersCopied: image.referrersCopied, referrersPresent: image.referrersPresent,
                legacyTagsCopied: image.legacyTagsCopied, fallbackIndexesWritten: image.fallbackIndexesWritten,
                manifestsCopied: image.manifestsCopied, blobsCopied: image.blobsCopied, blobsSkipped: image.blobsSkipped,
                bytesCopied: image.bytesCopied, recordedEvent: image.recordedEvent)
        }
        conflicts = report.images.flatMap { image in
            image.conflicts.map {
                Conflict(
                    destination: destination(image.job.destinationRepository), tag: $0.tag, found: $0.found.description,
                    wanted: $0.wanted.description, moved: $0.moved)
            }
        }
        failures = report.failures.map {
            Failure(
                source: "\(source($0.job.sourceRepository)):\($0.job.reference)",
                destination: destination($0.job.destinationRepository), error: $0.message)
        }
    }

    /// The text form: a line per image that changed (every image with `verbose`), each conflict and
    /// failure, then the totals.
    func text(verbose: Bool) -> String {
        var lines: [String] = []
        for image in images where verbose || image.outcome == "copied" {
            let tags = image.tags.isEmpty ? "" : " :" + image.tags.joined(separator: ",")
            let short = Digest(image.digest)?.short ?? image.digest
            lines.append(
                "\(image.outcome == "copied" ? "copied " : "present") \(image.destination)\(tags) \(short) "
                    + "(\(image.referrersCopied) referrer\(image.referrersCopied == 1 ? "" : "s"), "
                    + "\(image.blobsCopied) blob\(image.blobsCopied == 1 ? "" : "s") \(TransferProgress.format(image.bytesCopied)))"
                    + (image.recordedEvent.map { " recorded as event \($0)" } ?? ""))
        }
        for conflict in conflicts {
            let found = Digest(conflict.found)?.short ?? conflict.found
            let wanted = Digest(conflict.wanted)?.short ?? conflict.wanted
            lines.append(
                conflict.moved
                    ? "moved   \(conflict.destination):\(conflict.tag) from \(found) to \(wanted) (--force)"
                    : "kept    \(conflict.destination):\(conflict.tag) at \(found), not the source's \(wanted): pass --force to move it"
            )
        }
        for failure in failures { lines.append("failed  \(failure.source) → \(failure.destination): \(failure.error)") }
        lines.append(
            "\(images.count + failures.count) image\(images.count + failures.count == 1 ? "" : "s"): \(imagesCopied) copied, "
                + "\(imagesPresent) already there, \(failures.count) failed; \(referrersCopied) referrers copied "
                + "(\(referrersPresent) already there), \(legacyTagsCopied) cosign tags, \(blobsCopied) blobs "
                + "(\(TransferProgress.format(bytesCopied))); \(conflicts.filter { !$0.moved }.count) tags left on another digest"
                + (recorded > 0 ? "; \(recorded) releases recorded" : ""))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The error to exit with: the first failure's kind, else a conflict when a tag was left on another digest.
    func outcome(_ report: ReplicationReport) -> BerthError? {
        if let failure = report.failures.first {
            return BerthError(
                failure.kind,
                "\(report.failures.count) of \(report.images.count + report.failures.count) images failed, the first: \(failure.message)"
            )
        }
        if let conflict = conflicts.first(where: { !$0.moved }) {
            return BerthError(
                .conflict,
                "tag '\(conflict.tag)' in \(conflict.destination) names \(conflict.found), not the source's \(conflict.wanted); "
                    + "nothing moved it: pass --force to move it")
        }
        return nil
    }
}
