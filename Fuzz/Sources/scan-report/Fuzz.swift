import BerthCore
import Foundation

/// Trivy and Grype JSON scan reports, as `berth gate` reads them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    if let report = try? ScanReport(parsing: bytes, name: "report.json") {
        _ = ScanReport.counts(report.findings)
    }
    return 0
}
