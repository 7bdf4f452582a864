/// How the CI files `berth init` writes put berth on the runner: its release archive for the runner's
/// architecture, checked against its SHA-256 file, in seconds and with no Swift toolchain (building
/// berth from source took over ten minutes a run). The lines are scripts/install-berth.sh's, which
/// action.yml runs; scripts/test-archive.sh checks that they are equal and runs the generated steps
/// against a local server.
enum BerthInstallScript {
    /// The shell, one command a line (POSIX sh, as GitLab runs it, and bash, as GitHub does).
    static let lines = [
        #": "${BERTH_VERSION:?set BERTH_VERSION to the berth release to install, such as 1.4.0}""#,
        #": "${BERTH_RELEASES:?set BERTH_RELEASES to where berth releases are published}""#,
        #"archive="berth-$BERTH_VERSION-linux-$(uname -m).tar.gz""#,
        #"dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}""#,
        #"curl -fsSLo "$dest/$archive" "$BERTH_RELEASES/v$BERTH_VERSION/$archive""#,
        #"curl -fsSLo "$dest/$archive.sha256" "$BERTH_RELEASES/v$BERTH_VERSION/$archive.sha256""#,
        #"(cd "$dest" && sha256sum -c "$archive.sha256" >/dev/null)"#,
        #"tar -xzf "$dest/$archive" -C "$dest""#,
        #"export PATH="$dest/${archive%.tar.gz}:$PATH""#,
        #"if [ -n "${GITHUB_PATH:-}" ]; then echo "$dest/${archive%.tar.gz}" >>"$GITHUB_PATH"; fi"#,
        "berth --version",
    ]

    /// The GitHub Actions step, indented as a step of `jobs.<job>.steps`.
    static let githubStep = """
              - name: Install berth
                env:
                  BERTH_VERSION: ${{ vars.BERTH_VERSION }}     # the berth release to install, such as 1.4.0
                  BERTH_RELEASES: ${{ vars.BERTH_RELEASES }}   # e.g. https://github.com/OWNER/berth/releases/download
                run: |
        \(lines.map { "          " + $0 }.joined(separator: "\n"))
        """

    /// GitLab's `before_script`, indented as a key of a job.
    static let gitlabBeforeScript = """
          before_script:             # BERTH_VERSION and BERTH_RELEASES: CI/CD variables, as for GitHub
            - |
        \(lines.map { "      " + $0 }.joined(separator: "\n"))
        """
}
