import BerthCore
import BerthOCI
import BerthTestSupport
import Foundation
import Testing

/// The build step's link and the layout as values: what is recorded, and what the layout's rules say.
@Suite("in-toto v0.9 build link and layout values")
struct InTotoSupplyChainTests {
    struct Tree: SourceTree {
        let files: [String: Data?]
        func trackedFiles() throws -> [String] { files.keys.sorted() }
        func workingTreeContents(of path: String) throws -> Data? { files[path] ?? nil }
    }

    @Test("the link records each tracked file there with its SHA-256, the image by digest; a digest not in the store is refused")
    func buildLink() async throws {
        let store = InMemoryImageStore()
        let image = try await TestImages.push(into: store, repository: "acme/api", tag: "v1", seed: "in-toto")
        let tree = Tree(files: ["go.mod": Data("module x\n".utf8), "gone.go": nil, "vendor/sub": nil])
        let reference = ImageReference(
            store: .registry("registry.example"), repository: "acme/api", tag: nil, digest: image.digest)
        let link = try await InTotoLinkService(source: tree, store: store).buildLink(for: reference, digest: image.digest)
        #expect(link.materials == ["go.mod": .sha256(of: Data("module x\n".utf8))])
        #expect(link.productName == "image/registry.example/acme/api")
        guard case .object(let signed) = link.signed, case .object(let products) = signed["products"] else {
            Issue.record("not an object: \(link.signed)")
            return
        }
        #expect(products["image/registry.example/acme/api"] == .object(["sha256": .string(image.digest.hex)]))
        #expect(signed["name"] == .string("build") && signed["_type"] == .string("link"))

        let other = Digest.sha256(of: Data("not pushed".utf8))
        await #expect(throws: BerthError.self) {
            try await InTotoLinkService(source: tree, store: store).buildLink(for: reference, digest: other)
        }
        await #expect(throws: BerthError.self) {
            try await InTotoLinkService(source: Tree(files: [:]), store: store).buildLink(
                for: reference, digest: image.digest)
        }
    }

    @Test("the layout's step takes the functionaries' keys and one image product; the source inspection only when asked")
    func layout() throws {
        let key = InTotoKey(id: "ab12", description: .object(["keyid": .string("ab12")]))
        let layout = InTotoLayout(functionaries: [key], expires: "2030-01-01T00:00:00Z")
        guard case .object(let signed) = layout.signed, case .array(let steps) = signed["steps"],
            case .object(let step) = steps.first, case .array(let inspections) = signed["inspect"]
        else {
            Issue.record("unexpected layout: \(layout.signed)")
            return
        }
        #expect(signed["keys"] == .object(["ab12": key.description]))
        #expect(step["pubkeys"] == .array([.string("ab12")]))
        #expect(
            step["expected_products"]
                == .array([.array([.string("CREATE"), .string("image/*")]), .array([.string("DISALLOW"), .string("*")])]))
        #expect(inspections.count == 1)
        guard case .object(let source) = inspections.first else { return }
        #expect(
            source["expected_materials"]
                == .array([
                    .array(["MATCH", "*", "WITH", "MATERIALS", "FROM", "build"].map(JSONValue.string)),
                    .array([.string("DISALLOW"), .string("*")]),
                ]))
        guard case .object(let without) = InTotoLayout(functionaries: [key], expires: "x", sourceCheck: false).signed else {
            return
        }
        #expect(without["inspect"] == .array([]))
    }
}
