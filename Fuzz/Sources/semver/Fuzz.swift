import BerthCore

/// SemVer 2.0.0 parsing (`SemanticVersion.parse`, the `v`-prefixed init) and PEP 440 (metadata-action's
/// `type=pep440`), then what berth does with a parsed version: print, compare, bump.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let version = try? SemanticVersion.parse(text) {
        // Strict parsing normalises nothing, so a version prints as the text it came from.
        precondition(version.description == text, "'\(text)' parsed but prints as '\(version)'")
        precondition(SemanticVersion.precedence(version, version) == 0)
        for bump in VersionBump.allCases {
            let next = version.bumped(bump)
            precondition(SemanticVersion(next.description) == next, "bumped \(version) to unparsable \(next)")
        }
        if let next = version.bumpedPrerelease(preid: nil) { precondition(SemanticVersion(next.description) == next) }
        if let next = version.bumpedPrerelease(preid: "rc") { precondition(SemanticVersion(next.description) == next) }
        if let reference = SemanticVersion("1.0.0-rc.1+b") {
            _ = SemanticVersion.precedence(version, reference)
        }
    }
    _ = SemanticVersion(text, prefix: "v")
    _ = SemanticVersion.isValidPreid(text)
    _ = SemanticVersion.prereleaseIdentifiers(text)
    if let pep = PEP440Version(text) { _ = pep.description }
    return 0
}
