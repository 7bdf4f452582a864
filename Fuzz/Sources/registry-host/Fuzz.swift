import BerthOCI

/// Strict registry host parsing (`host[:port]`, IPv4, bracketed IPv6) and the loopback decision.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let host = RegistryHost(text)
    let violation = RegistryHost.violation(in: text)
    precondition((host == nil) != (violation == nil), "'\(text)': parsed \(host != nil) but violation \(violation ?? "nil")")
    if let host {
        if let port = host.port { precondition((1...RegistryHost.maximumPort).contains(port)) }
        precondition(RegistryHost(host.authority) != nil, "'\(text)': authority '\(host.authority)' does not parse")
        precondition(RegistryHost.isLoopback(text) == host.isLoopback)
    } else {
        _ = RegistryHost.isLoopback(text)
    }
    return 0
}
