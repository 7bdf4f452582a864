import BerthTestSupport
import Testing

@Suite("berth semver, for shell scripts")
struct SemverCLITests {
    let dir = "/"

    @Test("validate prints the invalid ones and exits 65; all valid exits 0")
    func validate() throws {
        let cli = try CLIHarness()
        let ok = try cli.run(["semver", "validate", "1.2.3", "1.0.0-rc.1+b"], in: dir)
        #expect(ok.status == 0 && ok.stdout.isEmpty)
        let bad = try cli.run(["semver", "validate", "1.2.3", "01.2.3", "v1.0.0"], in: dir)
        #expect(bad.status == 65)
        #expect(bad.stdout == "01.2.3\nv1.0.0\n")
        #expect(bad.stderr.contains("leading zero"))
        let prefixed = try cli.run(["semver", "validate", "--prefix", "v", "v1.0.0", "1.0.0"], in: dir)
        #expect(prefixed.status == 0)
        let stdin = try cli.run(["semver", "validate"], in: dir, stdin: "1.0.0\nnope\n2.0.0\n")
        #expect(stdin.status == 65 && stdin.stdout == "nope\n")
    }

    @Test(
        "compare prints -1, 0 or 1",
        arguments: [
            ("1.0.0", "2.0.0", "-1"), ("1.0.0+a", "1.0.0+b", "0"), ("1.0.0", "1.0.0-rc.1", "1"),
            ("1.0.0-18446744073709551616", "1.0.0-18446744073709551615", "1"),
        ])
    func compare(a: String, b: String, expected: String) throws {
        let result = try CLIHarness().run(["semver", "compare", a, b], in: dir)
        #expect(result.status == 0 && result.stdout == expected + "\n")
    }

    @Test("compare refuses invalid input with 65 and hints at --prefix")
    func compareInvalid() throws {
        let result = try CLIHarness().run(["semver", "compare", "v1.0.0", "1.0.0"], in: dir)
        #expect(result.status == 65 && result.stderr.contains("--prefix v"))
    }

    @Test("sort is ascending and stable; invalid lines exit 65 unless --ignore-invalid")
    func sort() throws {
        let cli = try CLIHarness()
        let input = "1.10.0\n1.2.0\n1.0.0-rc.1\nbad\n1.0.0\n1.0.0+b\n"
        let strict = try cli.run(["semver", "sort"], in: dir, stdin: input)
        #expect(strict.status == 65)
        #expect(strict.stdout == "1.0.0-rc.1\n1.0.0\n1.0.0+b\n1.2.0\n1.10.0\n")
        #expect(strict.stderr.contains("'bad'"))
        let lenient = try cli.run(["semver", "sort", "--ignore-invalid"], in: dir, stdin: input)
        #expect(lenient.status == 0 && lenient.stderr.isEmpty)
        let reversed = try cli.run(["semver", "sort", "-r", "--prefix", "v"], in: dir, stdin: "v1.0.0\nv2.0.0\n")
        #expect(reversed.stdout == "v2.0.0\nv1.0.0\n")
    }

    @Test(
        "bump",
        arguments: [
            (["major", "1.2.3"], "2.0.0"), (["minor", "1.2.3"], "1.3.0"), (["patch", "1.2.3"], "1.2.4"),
            (["pre", "1.2.3", "--preid", "rc"], "1.2.4-rc.1"), (["pre", "1.2.4-rc.1"], "1.2.4-rc.2"),
            (["minor", "1.2.3", "--preid", "rc"], "1.3.0-rc.1"), (["patch", "--prefix", "v", "v1.2.3"], "v1.2.4"),
        ])
    func bump(arguments: [String], expected: String) throws {
        let result = try CLIHarness().run(["semver", "bump"] + arguments, in: dir)
        #expect(result.status == 0 && result.stdout == expected + "\n", "\(result.stderr)")
    }

    static let bumpFailures: [([String], Int32)] = [
        (["pre", "1.2.3"], 64), (["huge", "1.2.3"], 64), (["patch", "1.2"], 65), (["pre", "1.2.3", "--preid", "r_c"], 64),
    ]

    @Test("bump refuses what it can't do", arguments: bumpFailures)
    func bumpErrors(arguments: [String], code: Int32) throws {
        let result = try CLIHarness().run(["semver", "bump"] + arguments, in: dir)
        #expect(result.status == code)
        #expect(!result.stderr.isEmpty)
    }
}
