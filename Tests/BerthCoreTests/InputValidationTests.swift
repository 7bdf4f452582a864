import BerthCore
import BerthTestSupport
import Testing

/// Inputs of the core that used to be taken as they came: SOURCE_DATE_EPOCH, the clock, impossible
/// dates, and a changelog asked for backwards.
@Suite("input validation in the core")
struct InputValidationTests {
    /// A one-commit history with `v1.1.0` and `v1.2.0` tagged.
    static func history() -> InMemoryGitHistory {
        var git = InMemoryGitHistory()
        git.commit("feat: first")
        git.tag("v1.1.0")
        git.commit("fix: second")
        git.tag("v1.2.0")
        return git
    }

    static func request(environment: [String: String] = [:], now: Double = 1_704_067_200) -> PlanRequest {
        var request = PlanRequest(configuration: BerthConfiguration(), ci: .local, environment: environment, now: now)
        request.checkRemote = false
        return request
    }

    @Test(
        "a malformed SOURCE_DATE_EPOCH is bad input naming the variable and the value",
        arguments: [
            "abc", "-1", "1.5", "", " 1700000000", "1700000000\n", "+1700000000", "1e9", "0x10", "253402300800",
            "99999999999999999999999",
        ])
    func malformedSourceDateEpoch(value: String) {
        #expect {
            try SourceDateEpoch.parse(value)
        } throws: { error in
            guard let error = error as? BerthError else { return false }
            return error.kind == .badInput && error.message.hasPrefix("SOURCE_DATE_EPOCH '\(value)' is not a time")
        }
        #expect {
            try PlanService(git: Self.history()).plan(Self.request(environment: ["SOURCE_DATE_EPOCH": value]))
        } throws: { error in
            (error as? BerthError).map { $0.kind == .badInput && $0.message.contains("SOURCE_DATE_EPOCH") } ?? false
        }
    }

    @Test("a well-formed SOURCE_DATE_EPOCH sets created; unset, the commit time does")
    func wellFormedSourceDateEpoch() throws {
        #expect(try SourceDateEpoch.parse("0") == 0)
        #expect(try SourceDateEpoch.parse("253402300799") == 253_402_300_799)
        #expect(try SourceDateEpoch.seconds(in: [:]) == nil)
        let stamped = try PlanService(git: Self.history()).plan(Self.request(environment: ["SOURCE_DATE_EPOCH": "1700000000"]))
        #expect(stamped.metadata.created == "2023-11-14T22:13:20Z")
        let unset = try PlanService(git: Self.history()).plan(Self.request())
        #expect(unset.metadata.created == "2024-01-01T00:00:00Z")
    }

    @Test("a clock that is not a time between 1970 and 9999 is a usage error", arguments: [.nan, .infinity, -1, 1e20])
    func clockOutOfRange(now: Double) {
        #expect {
            try PlanService(git: Self.history()).plan(Self.request(now: now))
        } throws: { error in
            (error as? BerthError).map { $0.kind == .usage && $0.message.contains("--now") } ?? false
        }
    }

    @Test(
        "RFC 3339 times naming a day or time that doesn't exist are not times",
        arguments: [
            "2024-13-45T00:00:00Z", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
            "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z",
            "2024-01-01T00:00:61Z", "2024-01-01T00:00:00+24:00", "2024-01-01T00:00:00+01:60",
        ])
    func impossibleTimes(text: String) {
        #expect(RFC3339.seconds(text) == nil)
    }

    @Test("real RFC 3339 times still parse: leap days, offsets, fractions, lower-case t and z")
    func realTimes() {
        #expect(RFC3339.seconds("2024-02-29T23:59:59Z") == 1_709_251_199)
        #expect(RFC3339.seconds("2000-02-29T00:00:00Z") == 951_782_400)
        #expect(RFC3339.seconds("2024-01-01T01:00:00+01:00") == 1_704_067_200)
        #expect(RFC3339.seconds("2024-01-01t00:00:00.5z") == 1_704_067_200.5)
        #expect(RFC3339.seconds("9999-12-31T23:59:59Z") == Double(RFC3339.supportedSeconds.upperBound))
    }

    @Test("an ignore entry until a day that doesn't exist never expires into force: it has no expiry")
    func impossibleExceptionDate() {
        #expect(GatePolicy.Exception(id: "CVE-1", until: "2024-02-30", reason: "x").expiry == nil)
        #expect(GatePolicy.Exception(id: "CVE-1", until: "2024-13-45", reason: "x").expiry == nil)
        #expect(GatePolicy.Exception(id: "CVE-1", until: "2024-02-29", reason: "x").expiry == 1_709_251_199)
    }

    @Test(
        "a changelog asked for backwards is a usage error saying which comes first",
        arguments: [("1.2.0", "1.1.0"), ("1.2.0", "1.2.0-rc.1"), ("2.0.0", "1.10.0"), ("1.2.0-rc.2", "1.2.0-rc.1")])
    func reversedChangelog(from: String, to: String) {
        #expect {
            try ChangelogService(git: Self.history(), tagPrefix: "v", path: nil).changelog(from: from, to: to)
        } throws: { error in
            guard let error = error as? BerthError else { return false }
            return error.kind == .usage && error.message.contains("'\(from)' is newer than '\(to)'")
                && error.message.contains("berth diff \(to) \(from)")
        }
    }

    @Test(
        "a changelog between versions that aren't SemVer is bad input",
        arguments: [("v1.1.0", "1.2.0"), ("1.1.0", "1.2"), ("", "1.2.0")])
    func nonSemVerChangelog(from: String, to: String) {
        #expect {
            try ChangelogService(git: Self.history(), tagPrefix: "v", path: nil).changelog(from: from, to: to)
        } throws: { error in
            (error as? BerthError).map { $0.kind == .badInput && $0.message.contains("is not a SemVer version") } ?? false
        }
    }

    @Test("a changelog in order lists the commits between; one version to itself is empty")
    func orderedChangelog() throws {
        let service = ChangelogService(git: Self.history(), tagPrefix: "v", path: nil)
        let changelog = try service.changelog(from: "1.1.0", to: "1.2.0")
        #expect(changelog.sections.map(\.title) == ["Fixes"])
        #expect(try service.changelog(from: "1.2.0", to: "1.2.0").sections.isEmpty)
    }
}
