import FuseboxBackend
import Synchronization

/// One poll, or a `timed-out` failure if it has not answered in time. A poll that hangs is left
/// behind (it cannot be forced to stop) and the console goes on.
func pollWithTimeout(
    _ backend: any ResilienceBackend, clock: any ConsoleClock, timeoutMilliseconds: Int64
) async -> Message {
    let first = FirstAnswer()
    let timer = Task {
        guard (try? await clock.sleep(milliseconds: timeoutMilliseconds)) != nil else { return }
        let seconds = Format.age(seconds: Double(timeoutMilliseconds) / 1000)
        let error = BackendError(.timedOut, "the source did not answer within \(seconds)")
        first.give(.pollFailed(error, atMilliseconds: clock.nowMilliseconds()))
    }
    Task {
        let message: Message
        do throws(BackendError) {
            message = .data(try await backend.poll(), atMilliseconds: clock.nowMilliseconds())
        } catch {
            message = .pollFailed(error, atMilliseconds: clock.nowMilliseconds())
        }
        timer.cancel()
        first.give(message)
    }
    return await first.value()
}

/// The first of several racing answers; later ones are dropped.
final class FirstAnswer: Sendable {
    private let state = Mutex<(answer: Message?, waiter: CheckedContinuation<Message, Never>?)>((nil, nil))

    func give(_ message: Message) {
        let waiter = state.withLock { s -> CheckedContinuation<Message, Never>? in
            guard s.answer == nil else { return nil }
            s.answer = message
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: message)
    }

    func value() async -> Message {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> Message? in
                if s.answer == nil { s.waiter = continuation }
                return s.answer
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
