import BerthConfig
import BerthCore
import Testing

@Suite("berth.yaml sign:")
struct SigningConfigTests {
    @Test("sign: names the key, the passphrase's variable, whether to attest and write legacy tags; absent: no signing")
    func settings() throws {
        let config = try ConfigurationLoader.parse(
            "sign:\n  key: keys/release.key\n  passphrase_env: RELEASE_KEY_PASS\n  attest: false\n  legacy_tags: false\n",
            file: "berth.yaml")
        #expect(
            config.signing
                == SigningSettings(key: "keys/release.key", passphraseEnv: "RELEASE_KEY_PASS", attest: false, legacyTags: false))
        let defaults = try ConfigurationLoader.parse("sign: {key: k.key}\n", file: "berth.yaml").signing
        #expect(defaults == SigningSettings(key: "k.key", passphraseEnv: "BERTH_KEY_PASSPHRASE", attest: true, legacyTags: true))
        #expect(try ConfigurationLoader.parse("image: {names: [a/b]}\n", file: "berth.yaml").signing == nil)
    }

    @Test(
        "a sign: without a key, with an unknown key or a bad value is refused at its line",
        arguments: [
            ("sign: {}", "needs 'key'"),
            ("sign: {key: \"\"}", "is empty"),
            ("sign: {key: k.key, passphrase: x}", "unknown key 'sign.passphrase'"),
            ("sign: {key: k.key, attest: sometimes}", "must be true or false"),
            ("sign: [k.key]", "must be a mapping"),
        ])
    func refusals(line: String, says: String) {
        let error = #expect(throws: BerthError.self) {
            try ConfigurationLoader.parse("image: {names: [a/b]}\n\(line)\n", file: "berth.yaml")
        }
        #expect(error?.kind == .usage)
        #expect(error?.message.contains(says) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("berth.yaml:2:") == true, "\(error?.message ?? "")")
    }

    @Test("a passphrase written where its variable's name belongs is refused without being repeated")
    func passphraseInPlaceOfName() {
        let error = #expect(throws: BerthError.self) {
            try ConfigurationLoader.parse("sign:\n  key: k.key\n  passphrase_env: hunter2 is my pass!\n", file: "berth.yaml")
        }
        #expect(
            error?.message.contains("berth.yaml:3:") == true
                && error?.message.contains("name of the environment variable") == true)
        #expect(error?.message.contains("hunter2") == false, "\(error?.message ?? "")")
    }
}
