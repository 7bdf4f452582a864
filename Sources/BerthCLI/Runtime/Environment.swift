import Foundation

/// The process environment, read in one place (the composition root's concern, never the core's).
enum Environment {
    static var variables: [String: String] { ProcessInfo.processInfo.environment }
}
