import FuseboxBackend
import Testing

@Suite struct BackendErrorTests {
    @Test func retryableCodesAreTheTransientOnes() {
        let retryable = BackendError.Code.allCases.filter(\.isRetryable)
        #expect(retryable == [.unreachable, .timedOut, .serverError, .malformedResponse, .throttled])
        for code in [BackendError.Code.unauthorized, .forbidden, .unsupportedVersion, .notASource, .invalidSource] {
            #expect(!BackendError(code, "x").isRetryable, "\(code) needs a person")
        }
    }

    @Test func codesAreStable() {
        // Scripts match on these strings; changing one is a breaking change.
        #expect(
            BackendError.Code.allCases.map(\.rawValue) == [
                "unreachable", "timed-out", "server-error", "malformed-response", "throttled", "unauthorized",
                "forbidden", "unsupported-version", "not-a-source", "unsupported-command", "invalid-source", "stopped",
            ])
    }

    @Test func aTableTriesItsSchemesInOrder() throws {
        let first = SourceScheme(
            usage: "a:NAME", summary: "first", matches: { $0.hasPrefix("a:") },
            make: { _ throws(BackendError) in throw BackendError(.invalidSource, "first scheme") })
        let second = SourceScheme(
            usage: "any", summary: "second", matches: { _ in true },
            make: { _ throws(BackendError) in throw BackendError(.invalidSource, "second scheme") })
        let table = SourceTable([first, second])
        #expect(table.usage == "a:NAME, any")
        for (specification, expected) in [("a:x", "first scheme"), ("b:x", "second scheme")] {
            do {
                _ = try table.backend(for: specification)
                Issue.record("'\(specification)' should have reached a scheme that throws")
            } catch {
                #expect(error.message == expected)
            }
        }
    }
}
