/// A cache-aside lookup for one call: serve a fresh entry without calling the downstream, and
/// store every primary result.
public struct CacheAside<Value: Sendable>: Sendable {
    public let store: CacheStore<Value>
    public let key: String

    public init(_ store: CacheStore<Value>, key: String) {
        self.store = store
        self.key = key
    }
}
