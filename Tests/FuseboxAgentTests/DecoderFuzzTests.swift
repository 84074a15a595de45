import Foundation
import Fusebox
import FuseboxBackend
import FuseboxProtocol
import FuseboxTestSupport
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

@testable import FuseboxAgentBackend

/// Random and mutated bodies, seeded, against every decoder an agent's answers go through (the
/// snapshot, a command result, events, the problem body): none may crash, and every failure must be
/// one line a person can act on.
@Suite struct DecoderFuzzTests {

    /// Samples of what an agent really sends.
    static func samples() throws -> [[UInt8]] {
        let registry = try makeTestRegistry(clock: ManualClock())
        _ = registry.apply(
            Command(id: "f1", actor: "alice", reason: "fuzz", action: .forceOpen(dependency: "payments")))
        let snapshot = try JSONEncoder().encode(registry.snapshot())
        let result = try JSONEncoder().encode(
            CommandResult(
                commandId: "c1", instance: "checkout-1", status: .refused, target: "payments", before: .breaker(.open),
                after: nil, refusal: .notAllowed, message: "not allowed", atMilliseconds: 1))
        let problem = Data(
            """
            {"type":"urn:fusebox:problem:command-not-allowed","title":"Not allowed","status":409,
            "detail":"payments does not allow force-open","result":\(String(decoding: result, as: UTF8.self))}
            """.utf8)
        return [Array(snapshot), Array(result), Array(problem)]
    }

    /// One mutation of `body`: bytes flipped, inserted, deleted or duplicated, a cut, a value of
    /// another type, or noise.
    static func mutate(_ body: [UInt8], _ random: inout SplitMix) -> [UInt8] {
        var bytes = body
        let swaps: [[UInt8]] = [
            "null", "\"x\"", "-1", "1e400", "[]", "{}", "true", "\"\\ud800\"", "18446744073709551616",
        ]
        .map { Array($0.utf8) }
        for _ in 0...random.below(4) {
            guard !bytes.isEmpty else { break }
            let at = random.below(bytes.count)
            switch random.below(7) {
            case 0: bytes[at] ^= UInt8(1 << random.below(8))
            case 1: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
            case 2: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(32)))
            case 3: bytes = Array(bytes.prefix(at))
            case 4:
                let end = min(bytes.count, at + random.below(64))
                bytes.insert(contentsOf: bytes[at..<end], at: end)
            case 5:
                // A value of another type where a value was.
                if let colon = bytes[at...].firstIndex(of: UInt8(ascii: ":")) {
                    let end = bytes[(colon + 1)...].firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") }
                    bytes.replaceSubrange((colon + 1)..<(end ?? bytes.count), with: swaps[random.below(swaps.count)])
                }
            default: bytes = (0..<random.below(256)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
        }
        return bytes
    }

    @Test func tenThousandMutatedBodiesNeverCrashTheWireDecoders() async throws {
        let samples = try Self.samples()
        // On a thread of its own: a long loop on the concurrency pool's two threads starves the
        // timers and servers of the tests running beside it.
        let (decoded, refused) = try await offThePool { Self.fuzz(samples, rounds: 10_000) }
        // Mutations that keep a body readable and ones that break it: both kinds were tried.
        #expect(decoded > 100 && refused > 10_000, "decoded \(decoded), refused \(refused)")
        #expect(decoded + refused == 40_000, "10,000 bodies through each of the four decoders")
    }

    /// `rounds` mutated bodies through each decoder; how many decoded and how many were refused.
    static func fuzz(_ samples: [[UInt8]], rounds: Int) -> (Int, Int) {
        var random = SplitMix(state: 20_261_129)
        var decoded = 0
        var refused = 0
        for round in 0..<rounds {
            let body = Data(Self.mutate(samples[round % samples.count], &random))
            let decoder = JSONDecoder()
            for attempt in [
                { _ = try decoder.decode(Snapshot.self, from: body) },
                { _ = try decoder.decode(CommandResult.self, from: body) },
                { _ = try decoder.decode([Event].self, from: body) },
                // The problem body of an agent's error answers, as the backend reads it.
                { _ = try decoder.decode(AgentProblem.self, from: body) },
            ] as [() throws -> Void] {
                do {
                    try attempt()
                    decoded += 1
                } catch {
                    refused += 1
                }
            }
        }
        return (decoded, refused)
    }

    @Test func mutatedAnswersOverHTTPBecomeOneLineErrors() async throws {
        var random = SplitMix(state: 7)
        let samples = try Self.samples()
        let statuses: [HTTPResponse.Status] = [
            .ok, .ok, .ok, .badRequest, .unauthorized, .forbidden, .notFound,
            .tooManyRequests, .internalServerError, .serviceUnavailable,
        ]
        let answers = (0..<1_000).map { index -> (HTTPResponse.Status, [UInt8]) in
            let status = statuses[random.below(statuses.count)]
            return (status, Self.mutate(samples[status == .ok ? 0 : 2], &random))
        }
        let next = Atomic(0)
        try await withRouter({ router in
            router.get("/fusebox/v1/snapshot") { _, _ -> Response in
                let (status, body) = answers[next.wrappingAdd(1, ordering: .relaxed).oldValue % answers.count]
                return Response(
                    status: status,
                    headers: [.contentType: status == .ok ? "application/json" : "application/problem+json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
        }) { base in
            let backend = try AgentBackend(specification: base, authorization: nil)
            var failures = 0
            for _ in answers.indices {
                do throws(BackendError) {
                    _ = try await backend.poll()
                } catch {
                    failures += 1
                    #expect(!error.message.isEmpty && !error.message.contains("\n"), "\(error.message)")
                }
            }
            #expect(failures > 300, "most answers are refusals or broken: \(failures)")
        }
    }
}
