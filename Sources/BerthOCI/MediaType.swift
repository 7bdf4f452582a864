/// Media types of the OCI image-spec and Docker's schema 2, as registries send them.
public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayerTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerTar = "application/vnd.oci.image.layer.v1.tar"
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip"

    /// Every manifest type berth reads: sent in `Accept`, since a registry answers 404 for a stored
    /// type the client didn't accept (Docker Distribution does, for OCI indexes).
    public static let manifestTypes = [ociIndex, ociManifest, dockerManifestList, dockerManifest]

    /// Whether `type` is an index (a list of platform manifests).
    public static func isIndex(_ type: String) -> Bool { type == ociIndex || type == dockerManifestList }

    /// Whether `type` is a single-image manifest.
    public static func isManifest(_ type: String) -> Bool { type == ociManifest || type == dockerManifest }
}
