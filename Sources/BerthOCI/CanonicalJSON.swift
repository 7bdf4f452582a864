import Foundation

/// The JSON berth writes for documents it creates (index.json, throwaway manifests): sorted keys, no
/// whitespace, slashes unescaped, so the same value always has the same bytes and digest.
public enum CanonicalJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
