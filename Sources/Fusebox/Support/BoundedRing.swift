/// The newest `capacity` elements of a stream; appending beyond it drops the oldest. Not
/// thread-safe: its owner guards it (the event log and the agent's audit trail, each with a lock).
public struct BoundedRing<Element> {
    public let capacity: Int
    private var storage: [Element] = []
    /// Where the oldest element is, once the ring is full.
    private var head = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Elements held.
    public var count: Int { storage.count }

    /// Keeps `element`, dropping the oldest if the ring is full.
    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
        }
    }

    /// Calls `body` with each element, newest first, until it returns false.
    public func forEachNewestFirst(_ body: (Element) -> Bool) {
        let count = storage.count
        guard count > 0 else { return }
        var index = (head - 1 + count) % count
        for _ in 0..<count {
            guard body(storage[index]) else { return }
            index = (index - 1 + count) % count
        }
    }
}
