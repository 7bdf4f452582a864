import BerthCore

/// A commit message read as Conventional Commits 1.0.0 (header, `!`, breaking-change footers).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let message = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let commit = ConventionalCommit(message: message) {
        precondition(!commit.type.isEmpty && !commit.description.isEmpty)
    }
    return 0
}
