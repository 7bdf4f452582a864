import BerthConfig
import BerthCore
import Testing

@Suite("berth.yaml environments[].verify")
struct VerifyConfigTests {
    @Test("verify.keys lists the public keys an environment trusts; environments without it require nothing")
    func keys() throws {
        let config = try ConfigurationLoader.parse(
            """
            environments:
              - name: dev
              - name: prod
                require_final: true
                verify:
                  keys: [keys/release.pub, /etc/berth/ops.pub]
            """, file: "berth.yaml")
        #expect(config.environments.map(\.verifyKeys) == [[], ["keys/release.pub", "/etc/berth/ops.pub"]])
        #expect(config.environments[1].requireFinal)
    }

    @Test(
        "a verify without keys, with an empty list or an unknown key is refused at its line",
        arguments: [
            ("verify: {}", "needs 'keys'"),
            ("verify: {keys: []}", "at least one public key file"),
            ("verify: {keys: [\"\"]}", "none empty"),
            ("verify: {key: a.pub}", "key"),
        ])
    func refusals(line: String, says: String) {
        let error = #expect(throws: BerthError.self) {
            try ConfigurationLoader.parse("environments:\n  - name: prod\n    \(line)\n", file: "berth.yaml")
        }
        #expect(error?.message.contains(says) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("berth.yaml:3") == true, "\(error?.message ?? "")")
    }
}
