/// Kubernetes object names as the API server accepts them: a DNS-1123 label (namespaces, containers) or
/// a DNS-1123 subdomain (Deployments). A valid name never starts with '-', so it can't pass for an
/// option of kubectl.
public enum KubernetesName {
    public static func isValid(_ name: String, subdomain: Bool) -> Bool {
        guard name.utf8.count <= (subdomain ? 253 : 63) else { return false }
        let labels = subdomain ? name.split(separator: ".", omittingEmptySubsequences: false) : [Substring(name)]
        return labels.allSatisfy(isLabel)
    }

    static func isLabel(_ label: Substring) -> Bool {
        let bytes = Array(label.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        return alphanumeric(first) && alphanumeric(last) && bytes.allSatisfy { alphanumeric($0) || $0 == 0x2D }
    }
}
