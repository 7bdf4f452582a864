/// The levels docker/metadata-action attaches its annotations to: `DOCKER_METADATA_ANNOTATIONS_LEVELS`, a
/// comma-separated list (`manifest` when unset or empty), each annotation written once per level as
/// `level:key=value` (BuildKit's `--annotation` syntax), all of the first level's before the next's.
public enum MetadataActionAnnotations {
    /// The environment variable that names the levels.
    public static let levelsVariable = "DOCKER_METADATA_ANNOTATIONS_LEVELS"

    /// The levels the environment asks for, split at commas and kept as written, as the action keeps them
    /// (`manifest,index`; `index,manifest-descriptor`; a platform such as `manifest[linux/amd64]`).
    public static func levels(environment: [String: String]) -> [String] {
        let text = environment[levelsVariable] ?? ""
        return (text.isEmpty ? "manifest" : text).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    /// `annotations` (`key=value` lines) at each of `levels`, level by level.
    public static func levelled(_ annotations: [String], levels: [String]) -> [String] {
        levels.flatMap { level in annotations.map { "\(level):\($0)" } }
    }
}
