import BerthOCI

/// Gives the store a reference names: a registry client (one per host, credentials resolved) or an
/// OCI layout. The CLI's `StoreFactory` is one; tests map references to in-memory stores.
public protocol ImageStoreProvider: Sendable {
    func store(for reference: ImageReference) throws -> any ImageStore
}
