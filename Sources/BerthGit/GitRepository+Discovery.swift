import BerthProcess

extension GitRepository {
    /// Whether `directory` is inside a git repository. False when it isn't, and when git isn't installed:
    /// commands that can work from the CI context alone (docker/metadata-action rules) ask this first.
    public static func exists(at directory: String, environment: [String: String] = [:]) -> Bool {
        guard let git = ProcessRunner.locate("git"),
            let output = try? ProcessRunner.run(
                git, ["-C", directory, "rev-parse", "--git-dir"],
                environment: environment.merging(["GIT_TERMINAL_PROMPT": "0"]) { $1 })
        else { return false }
        return output.status == 0
    }
}
