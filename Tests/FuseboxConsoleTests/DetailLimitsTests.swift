import FuseboxConsole
import FuseboxProtocol
import Testing

/// The detail screen's facts beyond the breaker: the bulkhead and rate limit its fallbacks name
/// (`bulkhead-full`, `rate-limited`), and hedged attempts.
@Suite struct DetailLimitsTests {
    typealias Builder = SnapshotBuilder
    let origin = ConsoleFixtures.origin

    func detailOf(_ dependency: DependencySnapshot, width: Int = 120, height: Int = 40) -> String {
        var state = ConsoleState(
            source: "test", readOnly: false, intervalSeconds: 1, width: width, height: height, actor: "alice",
            availableThemes: ["dark"])
        let snapshot = SnapshotBuilder(at: origin).with(dependency).build()
        _ = update(&state, .data([snapshot], atMilliseconds: origin))
        ConsoleFixtures.press([.enter], &state)
        return render(state).text
    }

    @Test func anAdaptiveBulkheadAtItsLimitShowsItsRangeQueueAndTurnedAway() {
        var recommendations = Builder.dependency("recommendations", calls: 500)
        recommendations.bulkhead = BulkheadSnapshot(
            maxConcurrent: 2, inFlight: 2, waiting: 3, maxWaiting: 10, rejected: 41, adaptiveMinLimit: 1,
            adaptiveMaxLimit: 100)
        let text = detailOf(recommendations)
        #expect(text.contains("LIMITS"))
        #expect(text.contains("in flight 2, limit 2, adaptive 1...100"))
        #expect(text.contains("waiting 3 of 10, 41 turned away"))
    }

    /// search with a fixed bulkhead (no queue, 3 turned away) and a rate limit (9 turned away).
    let limitedSearch = {
        var search = Builder.dependency("search", calls: 500)
        search.bulkhead = BulkheadSnapshot(maxConcurrent: 40, inFlight: 7, waiting: 0, maxWaiting: 0, rejected: 3)
        search.rateLimiter = RateLimiterSnapshot(ratePerSecond: 200, burst: 50, availableTokens: 12.4, rejected: 9)
        return search
    }()

    @Test func aFixedBulkheadAndARateLimit() {
        let text = detailOf(limitedSearch)
        #expect(text.contains("in flight 7, limit 40") && !text.contains("adaptive"))
        #expect(text.contains("no queue, 3 turned away"))
        #expect(text.contains("rate 200/s, burst 50"))
        #expect(text.contains("9 turned away, 12 tokens left"))
    }

    @Test func aRateLimitShowsOnlyWholeTokens() {
        var search = Builder.dependency("search", calls: 500)
        search.rateLimiter = RateLimiterSnapshot(ratePerSecond: 5, burst: 5, availableTokens: 0.6, rejected: 3)
        #expect(detailOf(search).contains("3 turned away, 0 tokens left"), "0.6 of a token admits no call")
        search.rateLimiter?.availableTokens = 1.9
        #expect(detailOf(search).contains("3 turned away, 1 token left"))
    }

    @Test func aConfiguredRateShowsAsConfigured() {
        var search = Builder.dependency("search", calls: 500)
        search.rateLimiter = RateLimiterSnapshot(ratePerSecond: 12.5, burst: 5, availableTokens: 2, rejected: 0)
        #expect(detailOf(search).contains("rate 12.5/s, burst 5"), "not rounded to 13/s")
    }

    @Test func factsThatDoNotFitSaySoOnTheirLastRow() {
        let search = limitedSearch
        let tall = detailOf(search)
        #expect(tall.contains("9 turned away, 12 tokens left") && !tall.contains("more line"))
        // At every height the facts either all show, or their last row says more are hidden; a
        // taller terminal never shows fewer, and no heading is left without its lines.
        var cut = 0
        var completeFrom: Int?
        for height in 12...40 {
            let text = detailOf(search, width: 100, height: height)
            guard text.contains("BREAKER") else { continue }
            let complete = text.contains("9 turned away, 12 tokens left")
            #expect(complete != text.contains("a taller terminal shows them"), "100x\(height):\n\(text)")
            if complete, completeFrom == nil { completeFrom = height }
            if let completeFrom { #expect(complete, "complete from \(completeFrom) rows, not at \(height)") }
            if !complete { cut += 1 }
            let lines = text.split(separator: "\n")
            for (line, next) in zip(lines, lines.dropFirst()) where line.contains("LIMITS") {
                #expect(!next.contains("more line"), "a heading with nothing under it at 100x\(height)")
            }
        }
        #expect(cut > 0, "some height cuts the facts")
    }

    @Test func withoutLimitsThereIsNoLimitsSection() {
        let text = detailOf(Builder.dependency("auth"))
        #expect(text.contains("BREAKER") && text.contains("RETRIES"), "the detail screen is open")
        #expect(!text.contains("LIMITS"))
    }

    @Test func hedgedAttemptsShowWhenThereWereAny() {
        var pricing = Builder.dependency("pricing")
        pricing.retry.hedges = 12
        pricing.retry.hedgeWins = 5
        #expect(detailOf(pricing).contains("hedged attempts 12, won 5"))
        pricing.retry.hedges = 0
        #expect(!detailOf(pricing).contains("hedged"))
    }
}
