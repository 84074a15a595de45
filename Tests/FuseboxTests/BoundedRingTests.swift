import Fusebox
import Testing

@Suite struct BoundedRingTests {
    @Test func keepsTheNewestAndWalksThemNewestFirst() {
        var ring = BoundedRing<Int>(capacity: 3)
        var seen: [Int] = []
        ring.forEachNewestFirst {
            seen.append($0); return true
        }
        #expect(seen.isEmpty)
        for value in 1...5 { ring.append(value) }
        #expect(ring.count == 3)
        ring.forEachNewestFirst {
            seen.append($0); return true
        }
        #expect(seen == [5, 4, 3], "the two oldest were dropped")
        seen = []
        ring.forEachNewestFirst {
            seen.append($0)
            return $0 > 4
        }
        #expect(seen == [5, 4], "the walk stops when the body says so")
    }
}
