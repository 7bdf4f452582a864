/// One line of docker/metadata-action's `images:` input: `ghcr.io/acme/api` or `name=ghcr.io/acme/api,enable=false`.
public struct MetadataImage: Sendable, Equatable {
    /// The name as written; `reference` is what tags are made for.
    public var name: String
    public var enable: Bool

    public init(name: String, enable: Bool = true) {
        self.name = name
        self.enable = enable
    }

    /// The name lower-cased, as the action does for registries that refuse capitals (tags keep their case);
    /// a local layout (`oci:PATH`, berth's own) keeps its path as written.
    public var reference: String { name.hasPrefix("oci:") ? name : name.lowercased() }

    /// Parses the input lines. A single line of plain names separated by commas is a list of names (the
    /// action's older format); otherwise each line is one image, its name bare or as `name=`, with
    /// `enable=true|false`.
    public static func parse(_ lines: [String]) throws(BerthError) -> [MetadataImage] {
        func fail(_ line: String, _ reason: String) -> BerthError {
            BerthError(.usage, "image '\(line)': \(reason); write a name, or name=NAME with enable=true|false")
        }
        if lines.count == 1 {
            let fields = CSVLine.fields(lines[0]).map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
            if !fields.contains(where: { $0.contains("=") }) { return fields.map { MetadataImage(name: $0) } }
        }
        var images: [MetadataImage] = []
        for line in lines {
            var image = MetadataImage(name: "")
            for field in CSVLine.fields(line) where !field.trimmingCharacters().isEmpty {
                let (key, value) = CSVLine.keyValue(field)
                switch key?.lowercased() {
                case nil: image.name = value
                case "name": image.name = value
                case "enable":
                    guard value == "true" || value == "false" else { throw fail(line, "enable must be true or false") }
                    image.enable = value == "true"
                case let other?: throw fail(line, "unknown attribute '\(other)'")
                }
            }
            guard !image.name.isEmpty else { throw fail(line, "the name is empty") }
            images.append(image)
        }
        return images
    }

    /// The names to tag: enabled images, lower-cased.
    public static func references(_ lines: [String]) throws(BerthError) -> [String] {
        try parse(lines).filter(\.enable).map(\.reference)
    }
}
