import BerthOCI

extension ScanReport {
    /// Clair v4's six `normalized_severity` values (httptransport/types/v1/normalized_severity.schema.json)
    /// and where berth counts them. `Negligible` counts as low, as it does in Grype's reports and in
    /// Harbor's ordering (below Low, above Unknown); any other word is refused, never guessed.
    public static let clairSeverities: [String: Severity] = [
        "Unknown": .unknown, "Negligible": .low, "Low": .low, "Medium": .medium, "High": .high, "Critical": .critical,
    ]

    /// Clair v4's VulnerabilityReport (`GET /matcher/api/v1/vulnerability_report/{manifest_hash}`): each
    /// package id in `package_vulnerabilities` names its vulnerabilities by their keys in `vulnerabilities`,
    /// and each (package, vulnerability) pair is one finding at the vulnerability's `normalized_severity`.
    ///
    /// Fails closed: `manifest_hash` must be a digest (the gate checks it is the image's), `packages`,
    /// `vulnerabilities` and `package_vulnerabilities` must be objects (an index report, which has no
    /// vulnerabilities, is refused by name), every id a pair names must be in its map, and every severity
    /// one of the six. A vulnerability no package names (Clair never writes one) is counted once on its
    /// own: a gate counts too much rather than too little. `enrichments` (CVSS data) are type-checked
    /// but not read: Clair's normalized severity is the one a gate judges. Clair reports carry no
    /// creation time.
    static func clair(_ root: JSONValue, name: String) throws(BerthError) -> ([Finding], Subject, Double?) {
        let top = ReportCursor(value: root, path: "", report: name)
        let hash = try top["manifest_hash"].string()
        guard let manifest = Digest(hash) else {
            throw top["manifest_hash"].fail("is \(String(reflecting: String(hash.prefix(80)))), not a digest")
        }
        if top["vulnerabilities"].value == nil && top["package_vulnerabilities"].value == nil {
            throw BerthError(
                .badInput,
                "report '\(name)' is a Clair index report (no vulnerabilities, no package_vulnerabilities), not a vulnerability report: pass the matcher's GET /matcher/api/v1/vulnerability_report/\(manifest)"
            )
        }
        var packages: [String: (name: String, version: String)] = [:]
        for (id, package) in try top["packages"].members() {
            try package.requireObject()
            packages[id] = (try package["name"].optionalString() ?? id, try package["version"].optionalString() ?? "")
        }
        var vulnerabilities: [String: (finding: String, severity: Severity, fixable: Bool, package: String)] = [:]
        for (key, vulnerability) in try top["vulnerabilities"].members() {
            try vulnerability.requireObject()
            let named = try vulnerability["name"].optionalString() ?? ""
            let id = named.isEmpty ? key : named
            let field = vulnerability["normalized_severity"]
            let word = try field.string()
            guard let severity = clairSeverities[word] else {
                throw BerthError(
                    .badInput,
                    "report '\(name)': \(field.path) \(String(reflecting: String(word.prefix(40)))) of \(id) is not one of Clair's normalized severities (Unknown, Negligible, Low, Medium, High, Critical); berth won't guess: fix the report"
                )
            }
            let fixed = try vulnerability["fixed_in_version"].optionalString() ?? ""
            let package = try vulnerability["package"].optionalObject()
            vulnerabilities[key] = (id, severity, !fixed.isEmpty, try package?["name"].optionalString() ?? "")
        }
        var findings: [Finding] = []
        var named = Set<String>()
        for (packageID, list) in try top["package_vulnerabilities"].members() {
            guard let package = packages[packageID] else {
                throw list.fail("names package \(String(reflecting: String(packageID.prefix(40)))), which packages doesn't hold")
            }
            var seen = Set<String>()
            for entry in try list.entries(absentIsEmpty: false) {
                let key = try entry.string()
                guard let vulnerability = vulnerabilities[key] else {
                    throw entry.fail(
                        "names vulnerability \(String(reflecting: String(key.prefix(40)))), which vulnerabilities doesn't hold")
                }
                named.insert(key)
                guard seen.insert(key).inserted else { continue }
                findings.append(
                    Finding(
                        id: vulnerability.finding, severity: vulnerability.severity, package: package.name,
                        installedVersion: package.version, fixable: vulnerability.fixable, kind: .vulnerability))
            }
        }
        for (key, vulnerability) in vulnerabilities.sorted(by: { $0.key < $1.key }) where !named.contains(key) {
            findings.append(
                Finding(
                    id: vulnerability.finding, severity: vulnerability.severity, package: vulnerability.package,
                    installedVersion: "", fixable: vulnerability.fixable, kind: .vulnerability))
        }
        _ = try top["enrichments"].optionalObject()
        let subject = Subject(name: name, kind: "manifest", configDigest: nil, manifestDigests: [manifest])
        return (findings, subject, nil)
    }
}
