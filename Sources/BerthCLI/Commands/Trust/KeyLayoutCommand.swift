import ArgumentParser
import BerthCore
import BerthTrust
import Foundation

struct KeyLayoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout",
        abstract: "Write an in-toto v0.9 layout, signed by the owner's key, for the links berth attest --in-toto-link writes.",
        discussion:
            "One step, build: its link must be signed by a --functionary key and create one image/* product and "
            + "nothing else. Unless --no-source-check, an inspection named source runs git ls-files where in-toto-verify "
            + "runs (the checkout the image was built from) and fails verification when a file there differs from the "
            + "one the build recorded, or was not recorded (in-toto leaves out .git and *.link files): verify in a clean "
            + "checkout with the layout, keys and links outside it. Check with: in-toto-verify --layout root.layout "
            + "--verification-keys owner.pub --link-dir DIR. The file is replaced if it exists. Exit codes: 0 written, "
            + "1 a file can't be written, 64 usage or an unreadable key, 65 a key berth can't read.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The layout owner's private key (PKCS#8 or SEC1 PEM, encrypted or not).", valueName: "FILE"))
    var ownerKey: String

    @Option(help: ArgumentHelp("The environment variable holding the owner key's passphrase.", valueName: "NAME"))
    var passphraseEnv = SigningKey.passphraseVariable

    @Option(help: ArgumentHelp("A public key (PKIX PEM) that may sign the build step's link; repeatable.", valueName: "FILE"))
    var functionary: [String] = []

    @Option(help: ArgumentHelp("How long the layout is valid: 90d, 12h, … (under 100 years).", valueName: "DURATION"))
    var expires = "365d"

    @Flag(inversion: .prefixedNo, help: "Check the checkout against the build's materials (the source inspection).")
    var sourceCheck = true

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the layout.", valueName: "FILE"))
    var output = "root.layout"

    func validate() throws {
        if functionary.isEmpty { throw ValidationError("give at least one --functionary FILE.pub (the key that signs links)") }
    }

    func run() throws {
        guard let seconds = DurationText.seconds(expires), seconds >= 1, seconds < 100 * 365 * 86_400 else {
            throw BerthError(
                .usage,
                "--expires '\(TerminalText.escaped(expires, limit: 40))': use a duration such as 365d or 12h, under 100 years")
        }
        let owner = try TrustComposition.signer(
            keyPath: ownerKey, passphraseVariable: passphraseEnv, environment: Environment.variables)
        let keys = try functionary.map { try TrustComposition.verifier(keyPath: $0).key }
        let expiry = TrustDocuments.timestamp(Date().addingTimeInterval(seconds.rounded(.up)))
        let layout = InTotoLayout(
            functionaries: keys.map(TrustComposition.inTotoKey), expires: expiry, sourceCheck: sourceCheck,
            readme: "berth build step: links from berth attest --in-toto-link")
        try TrustComposition.writeInTotoLayout(layout, owner: owner, to: output)
        if global.json {
            let document = TrustDocuments.InTotoLayoutDocument(
                layout: output, ownerKeyID: InTotoClassic.keyID(owner.key.publicKey),
                functionaryKeyIDs: layout.functionaries.map(\.id), expires: expiry, sourceCheck: sourceCheck)
            Terminal.write(try JSONOutput.encode(document) + "\n")
        } else if global.quiet {
            Terminal.write(output + "\n")
        } else {
            Terminal.write(
                "\(output): step build, \(keys.count) functionary key(s), expires \(expiry)"
                    + (sourceCheck ? ", source inspection" : "") + "\n")
        }
    }
}
