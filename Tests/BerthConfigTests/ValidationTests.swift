import BerthConfig
import BerthCore
import Testing

/// Values that are well-typed YAML but can't mean anything: refused on load with file:line:column (exit 64).
@Suite("berth.yaml values that can't mean anything")
struct ValidationTests {
    /// Expects `yaml` to be refused as a one-line usage error starting at `position` and holding `fragment`.
    static func expectRefused(
        _ yaml: String, at position: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(sourceLocation: sourceLocation) {
            try ConfigurationLoader.parse(yaml, file: "berth.yaml")
        } throws: { error in
            guard let error = error as? BerthError else { return false }
            return error.kind == .usage && error.message.hasPrefix(position + ":") && error.message.contains(fragment)
                && !error.message.contains("\n")
        }
    }

    static func ignoreEntry(until: String) -> String {
        "gates:\n  ignore:\n    - id: CVE-2024-0001\n      until: \(until)\n      reason: no fix yet\n"
    }

    @Test(
        "gates.ignore[].until must be a day that exists",
        arguments: ["2024-13-45", "2024-02-30", "2023-02-29", "2024-04-31", "2024-00-10", "2024-01-00", "'2024-1-5'"])
    func impossibleUntil(until: String) {
        Self.expectRefused(Self.ignoreEntry(until: until), at: "berth.yaml:4:14", "'gates.ignore[0].until' is '")
    }

    @Test(
        "real dates in gates.ignore[].until still load, leap days included",
        arguments: ["2024-02-29", "2000-02-29", "2024-12-31"])
    func realUntil(until: String) throws {
        let config = try ConfigurationLoader.parse(Self.ignoreEntry(until: until), file: "berth.yaml")
        #expect(config.gates.exceptions.map(\.until) == [until])
        #expect(config.gates.exceptions.first?.expiry != nil)
    }

    @Test("an empty environments list is refused; leaving the key out keeps the defaults")
    func emptyEnvironments() throws {
        Self.expectRefused("environments: []\n", at: "berth.yaml:1:15", "'environments' is an empty list")
        #expect(
            try ConfigurationLoader.parse("labels:\n  title: x\n", file: "berth.yaml").environments == EnvironmentPolicy.defaults)
    }

    @Test("two environments with one name are refused, naming the name and both entries")
    func duplicateEnvironments() {
        Self.expectRefused(
            "environments:\n  - name: dev\n  - name: prod\n    require_final: true\n  - name: prod\n",
            at: "berth.yaml:5:11", "environment 'prod' is defined twice (environments[1] and environments[2])")
    }

    @Test("an environment with an empty name is refused")
    func emptyEnvironmentName() {
        Self.expectRefused("environments:\n  - name: ''\n", at: "berth.yaml:2:11", "'environments[0].name' is empty")
    }

    @Test("distinct environment names still load, in order")
    func distinctEnvironments() throws {
        let config = try ConfigurationLoader.parse(
            "environments:\n  - name: dev\n  - name: Dev\n  - name: prod\n", file: "berth.yaml")
        #expect(config.environments.map(\.name) == ["dev", "Dev", "prod"])
    }

    @Test(
        "version.path outside the repository is refused",
        arguments: [
            ("../other", "leads out of the repository"), ("/srv/api", "is an absolute path"),
            ("a/../../b", "leads out of the repository"), ("./..", "leads out of the repository"),
            ("services/../../..", "leads out of the repository"),
        ])
    func pathOutside(path: String, fragment: String) {
        Self.expectRefused("version:\n  path: \(path)\n", at: "berth.yaml:2:9", "'version.path': '\(path)' \(fragment)")
    }

    @Test("version.path inside the repository still loads", arguments: ["services/api", "a/../b", "./services/api", "api/"])
    func pathInside(path: String) throws {
        #expect(try ConfigurationLoader.parse("version:\n  path: \(path)\n", file: "berth.yaml").version.path == path)
        #expect(ConfigurationLoader.versionPathProblem(path) == nil)
    }

    @Test(
        "deploy values that kubectl would read as options, or files outside the repository, are refused",
        arguments: [
            ("container: --kubeconfig=/tmp/evil", "berth.yaml:3:16", "'deploy.prod.container' must be a Kubernetes name"),
            ("namespace: -n", "berth.yaml:3:16", "'deploy.prod.namespace' must be a Kubernetes name"),
            ("namespace: Prod", "berth.yaml:3:16", "'deploy.prod.namespace' must be a Kubernetes name"),
            ("kubectl_deployment: api..v2", "berth.yaml:3:25", "'deploy.prod.kubectl_deployment' must be a Kubernetes name"),
            ("kubectl_context: --token=x", "berth.yaml:3:22", "'deploy.prod.kubectl_context' must be a kubeconfig context"),
            ("kustomization: /etc/passwd", "berth.yaml:3:20", "is an absolute path"),
            ("deployment: ../../other/deploy.yaml", "berth.yaml:3:17", "leads out of the repository"),
            ("helm_values: charts/../../values.yaml", "berth.yaml:3:18", "leads out of the repository"),
        ])
    func hostileDeploy(line: String, position: String, fragment: String) {
        Self.expectRefused("deploy:\n  prod:\n    \(line)\n", at: position, fragment)
    }

    @Test("Kubernetes names, dotted Deployment names and kubeconfig contexts with ':' and '@' still load")
    func kubernetesNames() throws {
        let config = try ConfigurationLoader.parse(
            "deploy:\n  prod:\n    kubectl_context: arn:aws:eks:eu-west-1:1:cluster/prod\n    namespace: team-a\n"
                + "    kubectl_deployment: api.v2\n    container: api\n    kustomization: deploy/prod/kustomization.yaml\n",
            file: "berth.yaml")
        let prod = try #require(config.deploy["prod"])
        #expect(prod.kubectlContext == "arn:aws:eks:eu-west-1:1:cluster/prod" && prod.kubectlNamespace == "team-a")
        #expect(prod.kubectlDeployment == "api.v2" && prod.kubectlContainer == "api")
        #expect(KubernetesName.isValid(String(repeating: "a", count: 63), subdomain: false))
        #expect(!KubernetesName.isValid(String(repeating: "a", count: 64), subdomain: false))
        #expect(!KubernetesName.isValid("", subdomain: true) && !KubernetesName.isValid("a-", subdomain: false))
    }

    @Test(
        "a label value with a line break or another control character is refused, naming the label",
        arguments: [
            ("labels:\n  description: \"one\\ntwo\"\n", "berth.yaml:2:16", "label 'labels.description'", "U+000A"),
            ("labels:\n  description: |\n    one\n    two\n", "berth.yaml:2:16", "label 'labels.description'", "U+000A"),
            ("labels:\n  title: \"api\\r\"\n", "berth.yaml:2:10", "label 'labels.title'", "U+000D"),
            ("labels:\n  vendor: \"acme\\u2028x\"\n", "berth.yaml:2:11", "label 'labels.vendor'", "U+2028"),
            ("labels:\n  authors: \"a\\tb\"\n", "berth.yaml:2:12", "label 'labels.authors'", "U+0009"),
        ])
    func labelLineBreaks(yaml: String, position: String, label: String, code: String) {
        Self.expectRefused(yaml, at: position, label)
        Self.expectRefused(yaml, at: position, code)
    }

    @Test("one-line labels still load, a folded block included")
    func oneLineLabels() throws {
        let config = try ConfigurationLoader.parse(
            "labels:\n  title: api\n  description: >-\n    The API,\n    on one line\n", file: "berth.yaml")
        #expect(config.project.title == "api" && config.project.description == "The API, on one line")
    }
}
