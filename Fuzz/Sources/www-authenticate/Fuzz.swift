import BerthRegistry

/// `WWW-Authenticate` header values (RFC 7235 challenges: `Bearer realm="…",service="…",scope="…"`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let header = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for challenge in AuthChallenge.parse(header) {
        precondition(!challenge.scheme.isEmpty, "'\(header)': a challenge without a scheme")
    }
    return 0
}
