import BerthConfig

/// berth.yaml: YAML through Yams, then the strict reading into `BerthConfiguration` (no file system).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? ConfigurationLoader.parse(text, file: "berth.yaml")
    return 0
}
