/// The pre-defined annotation keys of the OCI image-spec (`annotations.md`), also used as image labels.
public enum AnnotationKey {
    public static let created = "org.opencontainers.image.created"
    public static let authors = "org.opencontainers.image.authors"
    public static let url = "org.opencontainers.image.url"
    public static let documentation = "org.opencontainers.image.documentation"
    public static let source = "org.opencontainers.image.source"
    public static let version = "org.opencontainers.image.version"
    public static let revision = "org.opencontainers.image.revision"
    public static let vendor = "org.opencontainers.image.vendor"
    public static let licenses = "org.opencontainers.image.licenses"
    public static let refName = "org.opencontainers.image.ref.name"
    public static let title = "org.opencontainers.image.title"
    public static let description = "org.opencontainers.image.description"
    public static let baseDigest = "org.opencontainers.image.base.digest"
    public static let baseName = "org.opencontainers.image.base.name"
}
