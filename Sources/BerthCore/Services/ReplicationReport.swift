import BerthOCI

/// One image to replicate: a digest of a source repository, and the tags it gets at the destination.
public struct ReplicationJob: Hashable, Sendable {
    public let sourceRepository: String
    /// A tag or a digest (`sha256:…`) in the source repository.
    public let reference: String
    public let destinationRepository: String
    /// Tags written at the destination, last; none: the image is copied by digest only.
    public let tags: [String]

    public init(sourceRepository: String, reference: String, destinationRepository: String, tags: [String]) {
        self.sourceRepository = sourceRepository
        self.reference = reference
        self.destinationRepository = destinationRepository
        self.tags = tags
    }
}

/// A destination tag that names another digest than the source's, left where it was (no `force`) or moved.
public struct DestinationTagConflict: Hashable, Sendable {
    public let tag: String
    /// What the destination tag named.
    public let found: Digest
    /// The source's digest.
    public let wanted: Digest
    /// Whether it was moved anyway (`force`).
    public let moved: Bool

    public init(tag: String, found: Digest, wanted: Digest, moved: Bool) {
        self.tag = tag
        self.found = found
        self.wanted = wanted
        self.moved = moved
    }
}

/// What replicating one image did.
public struct ReplicatedImage: Hashable, Sendable {
    public enum Outcome: String, Hashable, Sendable {
        /// Something was written at the destination.
        case copied
        /// The destination had the image, its tags and everything attached already.
        case present
    }

    public let job: ReplicationJob
    public let digest: Digest
    public var outcome: Outcome
    /// Tags written now (those already on the digest are not counted).
    public var tagsWritten: [String] = []
    public var conflicts: [DestinationTagConflict] = []
    /// Image manifests and indexes pushed, referrers included.
    public var manifestsCopied = 0
    /// Referrer manifests (signatures, attestations, SBOMs) pushed, and those already there.
    public var referrersCopied = 0
    public var referrersPresent = 0
    /// cosign's `sha256-<hex>.sig`/`.att`/`.sbom` tags written.
    public var legacyTagsCopied = 0
    /// Fallback referrers indexes (`sha256-<hex>`) written or extended at the destination.
    public var fallbackIndexesWritten = 0
    public var blobsCopied = 0
    public var blobsSkipped = 0
    public var bytesCopied: Int64 = 0
    /// The `replicated` ledger event, when the digest is a release the ledger knows.
    public var recordedEvent: Int64?
    /// The release's version, when it is one.
    public var version: String?

    init(job: ReplicationJob, digest: Digest) {
        self.job = job
        self.digest = digest
        self.outcome = .present
    }
}

/// A job that failed, and why (one line).
public struct ReplicationFailure: Hashable, Sendable {
    public let job: ReplicationJob
    public let message: String
    /// The exit-code kind of the failure.
    public let kind: FailureKind
}

/// What a sync (or a copy with referrers) did, image by image.
public struct ReplicationReport: Hashable, Sendable {
    public var images: [ReplicatedImage] = []
    public var failures: [ReplicationFailure] = []

    public init(images: [ReplicatedImage] = [], failures: [ReplicationFailure] = []) {
        self.images = images
        self.failures = failures
    }

    public var copied: Int { images.filter { $0.outcome == .copied }.count }
    public var present: Int { images.filter { $0.outcome == .present }.count }
    public var referrersCopied: Int { images.reduce(0) { $0 + $1.referrersCopied } }
    public var referrersPresent: Int { images.reduce(0) { $0 + $1.referrersPresent } }
    public var legacyTagsCopied: Int { images.reduce(0) { $0 + $1.legacyTagsCopied } }
    public var manifestsCopied: Int { images.reduce(0) { $0 + $1.manifestsCopied } }
    public var blobsCopied: Int { images.reduce(0) { $0 + $1.blobsCopied } }
    public var bytesCopied: Int64 { images.reduce(0) { $0 + $1.bytesCopied } }
    public var conflicts: [DestinationTagConflict] { images.flatMap(\.conflicts) }
    public var recorded: Int { images.filter { $0.recordedEvent != nil }.count }
}
