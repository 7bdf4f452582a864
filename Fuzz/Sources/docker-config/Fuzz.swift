import BerthRegistry
import Foundation

/// docker's `config.json` (`auths`, `identitytoken`, `credHelpers`, `credsStore`) and the credential
/// lookup for a few hosts. `DockerConfigCredentials` only reads a file, so each input is written to
/// `$DOCKER_CONFIG/config.json` in a private temporary directory; `PATH` is an empty directory, so no
/// credential helper a config names can ever run.
let directory: String = {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-fuzz-docker-config-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: path + "/bin", withIntermediateDirectories: true)
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    guard FileManager.default.createFile(atPath: directory + "/config.json", contents: bytes) else {
        fatalError("can't write \(directory)/config.json")
    }
    let environment = ["DOCKER_CONFIG": directory, "HOME": directory, "PATH": directory + "/bin"]
    guard let credentials = try? DockerConfigCredentials(environment: environment) else { return 0 }
    for host in ["docker.io", "ghcr.io", "localhost:5000", "registry.example:5000", ""] {
        _ = try? credentials.credential(for: host)
    }
    return 0
}
