/// Where an image lives: a registry repository or a local OCI image layout, with a tag and/or digest.
///
/// Registry references follow docker's grammar: `host[:port]/repo[:tag][@digest]`, Docker Hub by
/// default (`api` is `docker.io/library/api`). Layouts are `oci:PATH[:tag][@digest]`. The host is
/// checked strictly (`RegistryHost`): a bad port or host name is an error here, before anything
/// connects to it.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public enum Store: Hashable, Sendable {
        /// A registry, by host[:port] (Docker Hub is `docker.io`); a valid `RegistryHost` when parsed.
        case registry(String)
        /// An OCI image layout directory.
        case layout(String)
    }

    public let store: Store
    /// The repository path (`library/api`); empty for a layout.
    public let repository: String
    public let tag: String?
    public let digest: Digest?

    public init(store: Store, repository: String, tag: String?, digest: Digest?) {
        self.store = store
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Docker Hub's canonical registry name.
    public static let dockerHub = "docker.io"

    /// Parses a reference; a bare name gets no tag (callers decide whether `latest` applies).
    public init(parsing text: String) throws(OCIError) {
        func fail(_ reason: String) -> OCIError { .invalidReference(text, reason: reason) }
        var rest = Substring(text)
        var digest: Digest?
        if let at = rest.lastIndex(of: "@") {
            let digestText = String(rest[rest.index(after: at)...])
            guard let parsed = Digest(digestText) else { throw fail("'\(digestText)' is not a digest (sha256:<64 hex>)") }
            digest = parsed
            rest = rest[..<at]
        }
        if rest.hasPrefix("oci:") {
            var path = rest.dropFirst(4)
            var tag: String?
            let lastSlash = path.lastIndex(of: "/") ?? path.startIndex
            if let colon = path[lastSlash...].lastIndex(of: ":") {
                tag = String(path[path.index(after: colon)...])
                path = path[..<colon]
            }
            guard !path.isEmpty else { throw fail("the layout path is empty (oci:PATH[:tag])") }
            if let tag, !ImageTag.isValid(tag) { throw fail("tag '\(tag)': \(ImageTag.violation(in: tag) ?? "invalid")") }
            self.init(store: .layout(String(path)), repository: "", tag: tag, digest: digest)
            return
        }
        var tag: String?
        let lastSlash = rest.lastIndex(of: "/") ?? rest.startIndex
        if let colon = rest[lastSlash...].lastIndex(of: ":") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !components.isEmpty, !rest.isEmpty else { throw fail("the name is empty") }
        var host = ImageReference.dockerHub
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        {
            if let violation = RegistryHost.violation(in: first) { throw fail("registry host '\(first)': \(violation)") }
            host = first == "index.docker.io" || first == "registry-1.docker.io" ? ImageReference.dockerHub : first
            components.removeFirst()
        }
        if host == ImageReference.dockerHub && components.count == 1 { components.insert("library", at: 0) }
        let repository = components.joined(separator: "/")
        guard RepositoryName(repository) != nil else {
            throw fail("repository '\(repository)' must be lower-case path components ([a-z0-9] separated by . _ __ -)")
        }
        if let tag, !ImageTag.isValid(tag) { throw fail("tag '\(tag)': \(ImageTag.violation(in: tag) ?? "invalid")") }
        self.init(store: .registry(host), repository: repository, tag: tag, digest: digest)
    }

    /// The tag or digest used to address the manifest: the digest when present, else the tag, else `latest`.
    public var reference: String { digest?.description ?? tag ?? "latest" }

    /// `host/repo:tag@digest`, or `oci:path:tag`.
    public var description: String {
        var text: String
        switch store {
        case .registry(let host): text = "\(host)/\(repository)"
        case .layout(let path): text = "oci:\(path)"
        }
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }
}
