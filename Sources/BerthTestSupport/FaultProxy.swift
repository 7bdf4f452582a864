import BerthCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 proxy on 127.0.0.1 and a free port in front of a real registry (`RegistryServer`), which
/// breaks chosen exchanges the way networks do: a connection reset in the middle of a body, a registry
/// that stalls, a 429 or 503 with `Retry-After`, a body cut short of its `Content-Length`. Faults are
/// chosen per request by method, a path substring and the occurrence (`.nth(1)`, `.first(2)`,
/// `.always`); every request is logged, so tests can count attempts.
///
/// It understands just enough HTTP/1.1 to relay keep-alive connections: request and response heads,
/// bodies framed by Content-Length, chunked or by the end of the connection, HEAD, 1xx, 204 and 304.
/// Each client connection gets a thread, each request a new upstream connection, all blocking sockets
/// (like `StatusHTTPServer`); `stop()` closes every socket, which also ends stalled exchanges.
public final class FaultProxy: Sendable {
    /// What happens to a matching exchange.
    public enum Fault: Sendable, Equatable, CustomStringConvertible {
        /// Relays the response head and `afterBytes` bytes of its body, then resets the connection (RST).
        /// The client may see fewer bytes: an RST drops what the kernel had not sent yet.
        case reset(afterBytes: Int)
        /// Reads the request and never answers; the connection stays open until the client gives up.
        case stall
        /// Relays the response head and `afterBytes` body bytes, then sends nothing more, keeping the
        /// connection open until the client gives up.
        case stallBody(afterBytes: Int)
        /// Answers `status` without asking the registry (an empty body, `Retry-After` when given).
        case status(Int, retryAfter: String?)
        /// Relays the response head, its Content-Length unchanged, and `afterBytes` body bytes, then closes
        /// the connection (FIN): a body shorter than it promised.
        case truncate(afterBytes: Int)

        public var description: String {
            switch self {
            case .reset(let bytes): "reset after \(bytes) body bytes"
            case .stall: "stall"
            case .stallBody(let bytes): "stall after \(bytes) body bytes"
            case .status(let code, let retryAfter): "\(code)" + (retryAfter.map { " Retry-After: \($0)" } ?? "")
            case .truncate(let bytes): "truncate after \(bytes) body bytes"
            }
        }

        /// The body bytes relayed before a mid-body fault strikes.
        var bodyLimit: Int? {
            switch self {
            case .reset(let bytes), .stallBody(let bytes), .truncate(let bytes): max(0, bytes)
            case .stall, .status: nil
            }
        }
    }

    /// Which of the matching requests a fault hits, counting from 1.
    public enum Occurrence: Sendable, Equatable {
        /// Only the nth matching request.
        case nth(Int)
        /// The first n matching requests.
        case first(Int)
        /// Every matching request.
        case always

        func includes(_ count: Int) -> Bool {
            switch self {
            case .nth(let n): count == n
            case .first(let n): count <= n
            case .always: true
            }
        }
    }

    struct Rule {
        let method: String?
        let path: String
        let occurrence: Occurrence
        let fault: Fault
        var matched = 0
    }

    struct State {
        var rules: [Rule] = []
        var log: [String] = []
        var injected: [String] = []
        var sockets: Set<Int32> = []
        var stopped = false
    }

    /// The proxy's port on 127.0.0.1.
    public let port: Int
    /// The registry's port on 127.0.0.1.
    public let upstreamPort: Int
    private let listener: Int32
    private let state = Locked(State())

    /// `127.0.0.1:port`: the registry host to give clients.
    public var host: String { "127.0.0.1:\(port)" }

    /// A proxy in front of `server`.
    public convenience init(_ server: RegistryServer) throws { try self.init(upstreamPort: server.port) }

    /// A proxy in front of whatever listens on 127.0.0.1:`upstreamPort`.
    public init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let (fd, port) = try LoopbackListener.open()
        listener = fd
        self.port = port
        let thread = Thread { [self] in self.acceptLoop() }
        thread.start()
    }

    /// Breaks the `occurrence`th request(s) whose method is `method` (any, when nil) and whose path and
    /// query contain `path`, counting the matching requests from now on. Rules are checked in the order
    /// added; the first whose occurrence matches wins.
    public func inject(_ fault: Fault, method: String? = nil, path: String = "", on occurrence: Occurrence = .nth(1)) {
        state.withLock { $0.rules.append(Rule(method: method, path: path, occurrence: occurrence, fault: fault)) }
    }

    /// Forgets every rule; requests pass unharmed from now on.
    public func clearFaults() { state.withLock { $0.rules.removeAll() } }

    /// Every request seen, in order, as `METHOD /path?query`.
    public var requests: [String] { state.withLock { $0.log } }

    /// How many requests with `method` (any, when nil) had `path` in their path and query.
    public func count(method: String? = nil, path: String = "") -> Int {
        requests.filter { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            return (method == nil || parts.first.map(String.init) == method) && (path.isEmpty || line.contains(path))
        }.count
    }

    /// The faults that struck, in order, as `METHOD /path: fault`. A mid-body fault strikes only when the
    /// body is longer than its byte count.
    public var injected: [String] { state.withLock { $0.injected } }

    /// Stops accepting, closes every connection (ending stalls) and the listening socket.
    public func stop() {
        // Under the lock, so no connection thread closes one of these sockets (and its number is reused)
        // meanwhile.
        let first = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.stopped = true
            for fd in state.sockets { shutdown(fd, Int32(SHUT_RDWR)) }
            return true
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    // MARK: - Connections

    private func acceptLoop() {
        while !state.current.stopped {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            guard track(client) else {
                close(client)
                return
            }
            Self.configure(client)
            let thread = Thread { [self] in
                self.serve(Wire(client))
                self.release(client)
            }
            thread.start()
        }
    }

    /// Remembers a socket so `stop()` can shut it down; false once stopped.
    private func track(_ fd: Int32) -> Bool {
        state.withLock { state in
            guard !state.stopped else { return false }
            state.sockets.insert(fd)
            return true
        }
    }

    /// Forgets and closes a socket, under the lock `stop()` shuts sockets down with.
    private func release(_ fd: Int32) {
        state.withLock { state in
            state.sockets.remove(fd)
            close(fd)
        }
    }

    /// Relays one client connection's exchanges until either side closes or a fault ends it. Each request
    /// gets a new upstream connection, so a registry closing an idle one can't break an exchange.
    private func serve(_ client: Wire) {
        while let head = client.readHead() {
            guard let request = Head(head), let framing = request.requestFraming else { return }
            let fault = fault(for: request)
            if let fault, case .status(let code, let retryAfter) = fault {
                guard Body.drain(client, framing) else { return }
                record(request, fault)
                let extra = retryAfter.map { "Retry-After: \($0)\r\n" } ?? ""
                let answer = "HTTP/1.1 \(code) Injected\r\n\(extra)Content-Length: 0\r\n\r\n"
                guard client.write(Array(answer.utf8)) else { return }
                continue
            }
            if fault == .stall {
                record(request, .stall)
                client.holdUntilClosed()
                return
            }
            guard let server = connectUpstream() else { return }
            guard track(server.fd) else {
                close(server.fd)
                return
            }
            let relayed =
                server.write(head) && Body.relay(client, framing, to: server)
                && relayResponse(from: server, to: client, request: request, fault: fault)
            release(server.fd)
            guard relayed else { return }
        }
    }

    /// Relays one response (skipping over 1xx heads); false when the connection must end.
    private func relayResponse(from server: Wire, to client: Wire, request: Head, fault: Fault?) -> Bool {
        var response: Head
        repeat {
            guard let bytes = server.readHead(), let parsed = Head(bytes), client.write(bytes) else { return false }
            response = parsed
        } while (100...199).contains(response.status ?? 0) && response.status != 101
        let framing = response.responseFraming(method: request.method, status: response.status ?? 0)
        var sent = 0
        var struck = false
        let limit = fault?.bodyLimit
        let finished = Body.forEachPiece(server, framing) { piece in
            if let limit, sent + piece.count > limit {
                let allowed = limit - sent
                if allowed > 0 { _ = client.write(Array(piece.prefix(allowed))) }
                struck = true
                return false
            }
            sent += piece.count
            return client.write(piece)
        }
        if struck, let fault {
            record(request, fault)
            switch fault {
            case .reset: client.reset()
            case .stallBody: client.holdUntilClosed()
            default: break  // .truncate: the caller closes the connection, a FIN after the short body.
            }
            return false
        }
        return finished && framing != .untilClose && !response.closes
    }

    private func fault(for request: Head) -> Fault? {
        state.withLock { state -> Fault? in
            state.log.append("\(request.method) \(request.target)")
            var chosen: Fault?
            for index in state.rules.indices {
                let rule = state.rules[index]
                guard rule.method == nil || rule.method == request.method, rule.path.isEmpty || request.target.contains(rule.path)
                else { continue }
                state.rules[index].matched += 1
                if chosen == nil, rule.occurrence.includes(state.rules[index].matched) { chosen = rule.fault }
            }
            return chosen
        }
    }

    private func record(_ request: Head, _ fault: Fault) {
        state.withLock { $0.injected.append("\(request.method) \(request.target): \(fault)") }
    }

    private func connectUpstream() -> Wire? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(upstreamPort).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(fd)
            return nil
        }
        Self.configure(fd)
        return Wire(fd)
    }

    private static func configure(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if !os(Linux)
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }
}

// MARK: - HTTP/1.1 plumbing

/// A blocking socket with a read buffer.
private final class Wire {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(_ fd: Int32) { self.fd = fd }

    private var available: Int { buffer.count - start }

    /// Reads more bytes into the buffer; false at the end of the stream or on an error.
    private func fill() -> Bool {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: scratch[0..<count])
                return true
            }
            if count < 0 && errno == EINTR { continue }
            return false
        }
    }

    /// A message head up to and including its blank line; nil when the connection ends first.
    func readHead() -> [UInt8]? {
        // Counted from `start`, which `fill()` may move when it compacts the buffer.
        var scanned = 0
        while true {
            if available >= 4 {
                var index = start + max(0, scanned - 3)
                while index + 3 < buffer.count {
                    if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                        let head = Array(buffer[start..<(index + 4)])
                        start = index + 4
                        return head
                    }
                    index += 1
                }
                scanned = available
            }
            guard available < 1 << 20, fill() else { return nil }
        }
    }

    /// One line with its CRLF; nil when the connection ends first.
    func readLine() -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 10) {
                let line = Array(buffer[start...newline])
                start = newline + 1
                return line
            }
            guard available < 64 * 1024, fill() else { return nil }
        }
    }

    /// Up to `limit` bytes, waiting for at least one; nil at the end of the stream.
    func take(upTo limit: Int) -> [UInt8]? {
        if available == 0, !fill() { return nil }
        let count = min(limit, available)
        let piece = Array(buffer[start..<(start + count)])
        start += count
        return piece
    }

    /// Writes everything; false when the peer is gone.
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        #if os(Linux)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0
        #endif
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, flags)
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Reads and drops whatever comes until the peer closes (or `stop()` shuts the socket down).
    func holdUntilClosed() {
        start = buffer.count
        while fill() { start = buffer.count }
    }

    /// Closes with an RST instead of a FIN: SO_LINGER with a zero timeout, then shutdown of both sides.
    func reset() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        // The owner closes the descriptor; closing with the zero linger sends the RST.
    }
}

/// A parsed request or response head.
private struct Head {
    let method: String
    let target: String
    let status: Int?
    let headers: [(String, String)]

    init?(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return nil }
        let first = lines.removeFirst().split(separator: " ", maxSplits: 2).map(String.init)
        guard first.count >= 2 else { return nil }
        if first[0].hasPrefix("HTTP/") {
            method = ""
            target = ""
            status = Int(first[1])
        } else {
            method = first[0]
            target = first[1]
            status = nil
        }
        headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                line[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
    }

    func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }

    var chunked: Bool { header("transfer-encoding")?.lowercased().contains("chunked") == true }

    var closes: Bool { header("connection")?.lowercased() == "close" }

    /// A request body: chunked, Content-Length, or none; nil when the length is not a number.
    var requestFraming: Body.Framing? {
        if chunked { return .chunked }
        guard let length = header("content-length") else { return .length(0) }
        return Int(length).map { .length($0) }
    }

    func responseFraming(method: String, status: Int) -> Body.Framing {
        if method == "HEAD" || status == 204 || status == 304 || (100...199).contains(status) { return .length(0) }
        if chunked { return .chunked }
        if let length = header("content-length").flatMap(Int.init) { return .length(length) }
        return .untilClose
    }
}

/// Message bodies, relayed byte for byte (chunked framing included).
private enum Body {
    enum Framing: Equatable {
        case length(Int)
        case chunked
        case untilClose
    }

    /// Hands the body's raw bytes to `sink` piece by piece; false when the stream ended early or `sink`
    /// said stop.
    static func forEachPiece(_ wire: Wire, _ framing: Framing, _ sink: ([UInt8]) -> Bool) -> Bool {
        switch framing {
        case .length(let length):
            var left = length
            while left > 0 {
                guard let piece = wire.take(upTo: min(left, 64 * 1024)) else { return false }
                left -= piece.count
                guard sink(piece) else { return false }
            }
            return true
        case .untilClose:
            while let piece = wire.take(upTo: 64 * 1024) {
                guard sink(piece) else { return false }
            }
            return true
        case .chunked:
            while true {
                guard let line = wire.readLine(), sink(line) else { return false }
                let size = String(decoding: line, as: UTF8.self).split(separator: ";").first.map {
                    $0.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                guard let size, let count = Int(size, radix: 16) else { return false }
                if count == 0 {
                    // Trailers, then the blank line.
                    while let trailer = wire.readLine() {
                        guard sink(trailer) else { return false }
                        if trailer == [13, 10] || trailer == [10] { return true }
                    }
                    return false
                }
                guard forEachPiece(wire, .length(count + 2), sink) else { return false }
            }
        }
    }

    static func relay(_ from: Wire, _ framing: Framing, to destination: Wire) -> Bool {
        forEachPiece(from, framing) { destination.write($0) }
    }

    static func drain(_ wire: Wire, _ framing: Framing) -> Bool {
        forEachPiece(wire, framing) { _ in true }
    }
}
