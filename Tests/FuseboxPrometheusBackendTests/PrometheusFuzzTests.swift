import Foundation
import FuseboxTestSupport
import Testing

@testable import FuseboxPrometheusBackend

@Suite struct PrometheusFuzzTests {
    static let seeds = [
        Fixtures.states, Fixtures.values, Fixtures.latency, #"{"status":"error","errorType":"x","error":"y"}"#,
    ]
    /// Fragments that change types or shapes when spliced in.
    static let splices = [
        "null", "[]", "{}", "\"NaN\"", "1e400", "-0", "\"+Inf\"", "[1,\"1\"]", "{\"metric\":{}}", "\"\\u0000\"",
        "true", "\"resultType\":\"matrix\"", "9999999999999999999999", "\"\\ud800\"",
    ]

    @Test func tenThousandMutatedBodiesNeverCrashTheDecoderOrTheMapping() async throws {
        // On a thread of its own: a long loop on the concurrency pool's two threads starves the
        // timers and servers of the tests running beside it.
        let decoded = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Self.fuzz(rounds: 12_000)) }
        }
        #expect(decoded > 100, "some mutations stay valid, so the mapping is exercised too")
    }

    /// Feeds `rounds` seeded mutated bodies to the decoder and whatever decodes to the mapping;
    /// returns how many decoded.
    static func fuzz(rounds: Int) -> Int {
        var random = SplitMix(state: 20_240_601)
        var decoded = 0
        for round in 0..<rounds {
            var bytes = Array(Self.seeds[round % Self.seeds.count].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0..<max(1, bytes.count), using: &random)
                switch Int.random(in: 0..<6, using: &random) {
                case 0: if at < bytes.count { bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &random)) }
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
                case 2: if at < bytes.count { bytes.remove(at: at) }
                case 3: bytes = Array(bytes.prefix(at))
                case 4: bytes.insert(contentsOf: Array(Self.splices.randomElement(using: &random)!.utf8), at: at)
                default:
                    // Replace a value string with a random token.
                    let end = min(bytes.count, at + Int.random(in: 1...12, using: &random))
                    bytes.replaceSubrange(at..<end, with: Array(Self.splices.randomElement(using: &random)!.utf8))
                }
            }
            if round % 10 == 0 {
                bytes = (0..<Int.random(in: 0...256, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            }
            let body = Data(bytes)
            guard let samples = try? PrometheusResponse.samples(from: body) else { continue }
            decoded += 1
            // Whatever decoded must map without trapping, in every role.
            _ = FleetAssembler.snapshots(states: samples, values: samples, latency: samples)
            _ = try? PrometheusBackend.samples(status: 500, contentType: nil, body: body, of: .values, from: "p:1")
        }
        return decoded
    }
}
