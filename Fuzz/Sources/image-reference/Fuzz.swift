import BerthOCI

/// Image references (`host[:port]/repo[:tag][@digest]`, `oci:PATH[:tag]`), repository names, tags and digests.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let reference = try? ImageReference(parsing: text) {
        _ = reference.reference
        // What berth prints for a reference reads back as the same reference.
        let again = try? ImageReference(parsing: reference.description)
        precondition(again == reference, "'\(text)' parsed as '\(reference)', which does not read back")
    }
    if let name = RepositoryName(text) { _ = name.description }
    if ImageTag.isValid(text) {
        precondition(ImageTag(text) != nil && ImageTag.violation(in: text) == nil, "tag '\(text)': valid but violates")
    } else {
        precondition(ImageTag(text) == nil && ImageTag.violation(in: text) != nil, "tag '\(text)': invalid without a reason")
    }
    if let digest = Digest(text) { precondition(digest.description == text) }
    return 0
}
