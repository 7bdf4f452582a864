// Measures how long a weight change takes to be in effect, per provider, through berth's own routers
// (scripts/bench-traffic.sh starts nginx and haproxy on loopback and runs it). For each change the
// clock starts at the apply() call and stops when a fresh request reaches the side the new split
// sends everything to: the weight alternates between 0 and 100 %, so the first request answered by
// the new side proves the change is in effect. Prints JSON.
//
// usage: berth-traffic-bench nginx INCLUDE NGINX.CONF PREFIX STABLE_ADDR CANARY_ADDR FRONT_PORT CHANGES
//        berth-traffic-bench haproxy SOCKET BACKEND FRONT_PORT CHANGES   (servers s1 stable, c1 canary)
import BerthCore
import BerthTraffic
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP/1.0 GET on a new connection to 127.0.0.1:`port`; the body, or nil on any failure.
func fetch(_ port: Int) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var limit = timeval(tv_sec: 2, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let request = Array("GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
        return nil
    }
    var response = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count <= 0 { break }
        response.append(contentsOf: chunk[0..<count])
    }
    let text = String(decoding: response, as: UTF8.self)
    guard text.hasPrefix("HTTP/1.1 200") || text.hasPrefix("HTTP/1.0 200"),
        let body = text.components(separatedBy: "\r\n\r\n").last
    else { return nil }
    return body.trimmingCharacters(in: .whitespacesAndNewlines)
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    // Nearest rank.
    let rank = Int((fraction * Double(sorted.count)).rounded(.up))
    return sorted[max(0, min(sorted.count - 1, rank - 1))]
}

let arguments = CommandLine.arguments
func usage() -> Never {
    FileHandle.standardError.write(
        Data(
            "usage: berth-traffic-bench nginx INCLUDE NGINX.CONF PREFIX STABLE CANARY PORT CHANGES | haproxy SOCKET BACKEND PORT CHANGES\n"
                .utf8))
    exit(64)
}
guard arguments.count >= 2 else { usage() }

let router: any TrafficRouter
let port: Int
let changes: Int
switch arguments[1] {
case "nginx":
    guard arguments.count == 9, let front = Int(arguments[7]), let count = Int(arguments[8]) else { usage() }
    let nginx = ["/usr/sbin/nginx", "-p", arguments[4], "-c", arguments[3], "-e", "\(arguments[4])/logs/error.log"]
    router = try NginxRouter(
        settings: TrafficSettings.Nginx(
            include: arguments[2], upstream: "api", stable: [arguments[5]], canary: [arguments[6]], check: nginx + ["-t"],
            reload: nginx + ["-s", "reload"]),
        directory: FileManager.default.currentDirectoryPath)
    port = front
    changes = count
case "haproxy":
    guard arguments.count == 6, let front = Int(arguments[4]), let count = Int(arguments[5]) else { usage() }
    router = try HAProxyRouter(
        settings: TrafficSettings.HAProxy(socket: arguments[2], backend: arguments[3], stable: ["s1"], canary: ["c1"]))
    port = front
    changes = count
default:
    usage()
}

var applyMilliseconds: [Double] = []
var effectMilliseconds: [Double] = []
var probes: [Int] = []
_ = try await router.apply(TrafficSplit(canaryWeight: 0))
for index in 0..<changes {
    let weight = index % 2 == 0 ? 100 : 0
    let expected = weight == 100 ? "canary" : "stable"
    let start = now()
    _ = try await router.apply(TrafficSplit(canaryWeight: weight))
    let applied = now()
    var count = 0
    while true {
        count += 1
        if fetch(port) == expected { break }
        if now() - start > 10_000_000_000 {
            FileHandle.standardError.write(Data("change \(index) not in effect after 10 s\n".utf8))
            exit(1)
        }
    }
    let effective = now()
    applyMilliseconds.append(Double(applied - start) / 1e6)
    effectMilliseconds.append(Double(effective - start) / 1e6)
    probes.append(count)
    // Let nginx's old workers finish before the next change, as a canary's steps are minutes apart.
    usleep(100_000)
}
let report: [String: Any] = [
    "router": router.name, "changes": changes,
    "applyMedianMs": percentile(applyMilliseconds, 0.5), "applyP90Ms": percentile(applyMilliseconds, 0.9),
    "effectMedianMs": percentile(effectMilliseconds, 0.5), "effectP90Ms": percentile(effectMilliseconds, 0.9),
    "effectMaxMs": effectMilliseconds.max() ?? 0, "probesMedian": percentile(probes.map(Double.init), 0.5),
]
let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
