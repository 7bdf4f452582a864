import BerthCore
import BerthOCI
import Foundation

/// Where blobs were last seen on one registry host: the repositories known to hold a digest, so a copy or
/// sync can mount a blob (one request) instead of uploading its bytes again, as skopeo's blob-info cache does.
///
/// One small file per digest, `<root>/<host>/<algorithm>/<hex>`: repository names, newest first, at most
/// `maximumLocations`, replaced atomically (written aside, renamed), so processes running at once never
/// read half a file; a lost update between them costs one upload, nothing more. What is kept are only
/// hints: a location becomes the `from` of a mount, which the registry checks against its own storage
/// and the caller's access; one it declines (202, an error) is forgotten, and the blob is uploaded. No
/// credentials, tokens or bytes are stored. Entries unchanged for `maximumAge` are not used, and are
/// removed by a sweep at most once a day. Failures to read or write the cache are ignored: it can cost
/// an upload, never a copy.
public final class BlobLocationCache: Sendable {
    /// This host's directory.
    public let directory: String
    /// Repositories kept per digest.
    public static let maximumLocations = 4
    /// How long an entry is trusted without being seen again.
    public static let maximumAge: TimeInterval = 30 * 24 * 3600
    /// The environment variable naming the cache's root directory, or `off`.
    public static let variable = "BERTH_BLOB_CACHE"
    /// Whether this process has swept the host's directory already.
    private let swept = Locked(false)

    /// The cache of `host` under `root`.
    public init(root: String, host: String) {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-"))
        let name = host.lowercased().addingPercentEncoding(withAllowedCharacters: allowed) ?? "host"
        directory = "\(root)/\(name)"
    }

    /// The root for this user: `BERTH_BLOB_CACHE` (`off` keeps none), else `$XDG_CACHE_HOME/berth/blob-locations`,
    /// else `~/.cache/berth/blob-locations` (`~/Library/Caches/berth/blob-locations` on macOS); nil without a
    /// home directory.
    public static func root(environment: [String: String]) -> String? {
        if let chosen = environment[variable], !chosen.isEmpty {
            return chosen.lowercased() == "off" ? nil : chosen
        }
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") { return "\(cache)/berth/blob-locations" }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        #if os(macOS)
            return "\(home)/Library/Caches/berth/blob-locations"
        #else
            return "\(home)/.cache/berth/blob-locations"
        #endif
    }

    func file(_ digest: Digest) -> String { "\(directory)/\(digest.algorithm)/\(digest.hex)" }

    /// The repositories `digest` was last seen in, newest first; none when the entry is older than `maximumAge`.
    public func repositories(holding digest: Digest) -> [String] {
        read(digest, now: Date())?.repositories ?? []
    }

    /// Notes that `repository` holds `digest` (pushed, mounted, found or read there).
    public func remember(_ digest: Digest, in repository: String) {
        guard RepositoryName(repository) != nil else { return }
        let now = Date()
        let entry = read(digest, now: now)
        // Already the newest, and recent: nothing to write (a sync sees the same blobs again and again).
        if let entry, entry.repositories.first == repository, now.timeIntervalSince(entry.modified) < 24 * 3600 { return }
        let others = (entry?.repositories ?? []).filter { $0 != repository }
        write(digest, [repository] + others.prefix(Self.maximumLocations - 1))
        sweepOnce(now: now)
    }

    /// Notes that `repository` does not hold `digest` (a 404, a mount declined).
    public func forget(_ digest: Digest, in repository: String) {
        guard let entry = read(digest, now: Date()), entry.repositories.contains(repository) else { return }
        let rest = entry.repositories.filter { $0 != repository }
        if rest.isEmpty { try? FileManager.default.removeItem(atPath: file(digest)) } else { write(digest, rest) }
    }

    private func read(_ digest: Digest, now: Date) -> (repositories: [String], modified: Date)? {
        let path = file(digest)
        guard let modified = Self.modified(path), let data = FileManager.default.contents(atPath: path) else { return nil }
        guard now.timeIntervalSince(modified) < Self.maximumAge else { return nil }
        // Only well-formed repository names: the file is outside berth's control, and its lines end up in URLs.
        let names = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter {
            RepositoryName($0) != nil
        }
        return (Array(names.prefix(Self.maximumLocations)), modified)
    }

    private func write(_ digest: Digest, _ repositories: [String]) {
        try? FileManager.default.createDirectory(
            atPath: "\(directory)/\(digest.algorithm)", withIntermediateDirectories: true)
        // Written aside and renamed into place by Foundation.
        try? Data((repositories.joined(separator: "\n") + "\n").utf8).write(
            to: URL(fileURLWithPath: file(digest)), options: .atomic)
    }

    static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// Removes entries unchanged for `maximumAge` (and files a killed writer left half-way), at most once
    /// a day per host, as the `.swept` file's time says.
    private func sweepOnce(now: Date) {
        guard
            swept.withLock({ done in
                defer { done = true }; return !done
            })
        else { return }
        let files = FileManager.default
        let marker = "\(directory)/.swept"
        if let last = Self.modified(marker), now.timeIntervalSince(last) < 24 * 3600 { return }
        _ = files.createFile(atPath: marker, contents: nil)
        for algorithm in (try? files.contentsOfDirectory(atPath: directory)) ?? [] where !algorithm.hasPrefix(".") {
            let folder = "\(directory)/\(algorithm)"
            for name in (try? files.contentsOfDirectory(atPath: folder)) ?? [] {
                let path = "\(folder)/\(name)"
                let limit = Digest("\(algorithm):\(name)") == nil ? 3600 : Self.maximumAge
                guard let modified = Self.modified(path), now.timeIntervalSince(modified) > limit else { continue }
                try? files.removeItem(atPath: path)
            }
        }
    }
}
