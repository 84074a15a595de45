import Foundation
import FuseboxProtocol
import FuseboxTestSupport
import Testing

@testable import FuseboxResilience4jBackend

/// Feeds random and mutated actuator answers to every decoder and to the ledger: none may trap.
@Suite struct ActuatorFuzzTests {

    static let samples: [String] = [
        """
        {"circuitBreakers":{"payments":{"failureRate":"66.666664%","slowCallRate":"-1.0%",\
        "failureRateThreshold":"50.0%","slowCallRateThreshold":"100.0%","bufferedCalls":6,"failedCalls":4,\
        "slowCalls":0,"slowFailedCalls":0,"notPermittedCalls":9223372036854775807,"state":"OPEN"},\
        "legacy":{"failureRate":"53.84%","slowCallRate":"0.0%","failureRateThreshold":"50.0%",\
        "slowCallRateThreshold":"100.0%","bufferedCalls":13,"failedCalls":7,"slowCalls":0,"slowFailedCalls":0,\
        "notPermittedCalls":0,"state":"METRICS_ONLY"}}}
        """,
        """
        {"circuitBreakerEvents":[{"circuitBreakerName":"payments","type":"STATE_TRANSITION",\
        "creationTime":"2026-11-29T09:30:22.536+01:00[Europe/Paris]","errorMessage":null,"durationInMs":null,\
        "stateTransition":"CLOSED_TO_OPEN"},{"circuitBreakerName":"payments","type":"ERROR",\
        "creationTime":"2026-11-29T08:30Z[Etc/UTC]","errorMessage":"java.io.IOException: BAM!","durationInMs":12,\
        "stateTransition":null},{"circuitBreakerName":"payments","type":"SUCCESS",\
        "creationTime":"2026-11-29T08:30:22.536921906Z[Etc/UTC]","errorMessage":null,"durationInMs":3,\
        "stateTransition":null}]}
        """,
        """
        {"retryEvents":[{"retryName":"payments","type":"RETRY","creationTime":"2026-11-29T08:30:22.5Z[Etc/UTC]",\
        "errorMessage":"java.io.IOException: reset","numberOfAttempts":1},{"retryName":"payments","type":"SUCCESS",\
        "creationTime":"2026-11-29T08:30:23Z[Etc/UTC]","errorMessage":null,"numberOfAttempts":1}]}
        """,
        "{\"retries\":[\"payments\",\"search\"]}",
        "{\"bulkheads\":[\"payments\"]}",
        "{\"rateLimiters\":[]}",
        "{\"circuitBreakerName\":\"payments\",\"currentState\":\"FORCED_OPEN\",\"message\":\"payments state has been changed successfully\"}",
    ]

    /// Replacements that change a value's type or size.
    static let swaps = [
        "null", "\"\"", "-1", "1e308", "-9223372036854775809", "18446744073709551616", "[]", "{}", "true", "\"-1.0%\"",
        "\"\u{0}\"", "0.5", "\"2026-13-45T99:99Z[x]\"", "\"OPEN_TO_CLOSED\"",
    ]

    static func mutate(_ sample: [UInt8], _ random: inout SplitMix) -> [UInt8] {
        var bytes = sample
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
            case 2: bytes.remove(at: at)
            case 3: bytes.removeSubrange(at...)
            case 4:
                // Replace the value after a colon with one of another type.
                if let colon = bytes[at...].firstIndex(of: UInt8(ascii: ":")) {
                    let end =
                        bytes[(colon + 1)...].firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") }
                        ?? bytes.count
                    bytes.replaceSubrange((colon + 1)..<end, with: Array(swaps.randomElement(using: &random)!.utf8))
                }
            case 5: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 16)], at: at)
            default: bytes[at] = Array("{}[]\",:%-.0Z".utf8).randomElement(using: &random)!
            }
        }
        return bytes
    }

    @Test func decodersAndTheLedgerNeverTrap() async {
        // On a thread of its own: a long loop on the concurrency pool's two threads starves the
        // timers and servers of the tests running beside it.
        let (decoded, violations) = await onOwnThread { Self.fuzz(iterations: 12_000) }
        #expect(violations.isEmpty, "\(violations.prefix(5))")
        // The mutations must leave enough valid answers for the ledger to be exercised.
        #expect(decoded > 12_000 / 50)
    }

    /// Feeds `iterations` seeded random and mutated bodies to every decoder and the ledger; returns
    /// how many decoded as breakers, and every broken rule seen.
    static func fuzz(iterations: Int) -> (Int, [String]) {
        var random = SplitMix(state: 0x5EED_F00D)
        let samples = Self.samples.map { Array($0.utf8) }
        var ledger = ActuatorLedger()
        var decoded = 0
        var violations: [String] = []
        for iteration in 0..<iterations {
            let bytes: [UInt8] =
                iteration % 10 == 0
                ? (0..<Int.random(in: 0..<64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                : Self.mutate(samples[iteration % samples.count], &random)
            let data = Data(bytes)
            var reading = ActuatorReading(breakers: [:])
            if case .success(let value) = ActuatorDecoding.decode(CircuitBreakersResponse.self, from: data) {
                reading.breakers = value.circuitBreakers ?? [:]
                decoded += 1
            }
            if case .success(let value) = ActuatorDecoding.decode(CircuitBreakerEventsResponse.self, from: data) {
                reading.breakerEvents = value.circuitBreakerEvents
                for event in value.circuitBreakerEvents ?? [] { _ = event.creationTime.map(JavaDateTime.milliseconds) }
            }
            if case .success(let value) = ActuatorDecoding.decode(RetryEventsResponse.self, from: data) {
                reading.retryEvents = value.retryEvents
            }
            reading.retries = try? ActuatorDecoding.decode(RetriesResponse.self, from: data).get().retries
            reading.bulkheads = try? ActuatorDecoding.decode(BulkheadsResponse.self, from: data).get().bulkheads
            reading.rateLimiters = try? ActuatorDecoding.decode(RateLimitersResponse.self, from: data).get()
                .rateLimiters
            _ = ActuatorDecoding.decode(CircuitBreakerUpdateStateResponse.self, from: data)
            let text = String(decoding: bytes, as: UTF8.self)
            _ = JavaDateTime.milliseconds(text)
            _ = ActuatorValues.percentage(text)
            _ = Printable.clipped(text)
            if case .success(let snapshot) = ledger.absorb(reading, service: "s", instance: "i", now: Int64(iteration))
            {
                if snapshot.events.count > ActuatorLedger.maxEvents {
                    violations.append("\(iteration): too many events")
                }
                for dependency in snapshot.dependencies {
                    let counts = dependency.calls
                    if counts.calls < counts.rejected { violations.append("\(iteration): calls < rejected") }
                    if !(dependency.breaker.failureRate.map { (0...100).contains($0) } ?? true) {
                        violations.append("\(iteration): failure rate out of range")
                    }
                }
            }
        }
        return (decoded, violations)
    }
}

/// `work`'s result, computed on a Dispatch thread rather than the concurrency pool.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}
