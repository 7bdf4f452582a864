import Foundation

/// The files a build reads from its checkout: what git tracks, with their bytes as the working tree
/// holds them. `BerthGit`'s `GitRepository` implements it with `git ls-files`.
public protocol SourceTree: Sendable {
    /// The paths git tracks, relative to the top of the working tree, in git's order.
    func trackedFiles() throws -> [String]
    /// A tracked file's bytes in the working tree (a symbolic link followed); nil when it is gone or is
    /// not a file (a submodule's folder).
    func workingTreeContents(of path: String) throws -> Data?
}
