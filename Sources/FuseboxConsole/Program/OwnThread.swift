import Foundation

/// Runs `body` on a new thread named `name` and returns its result. The console's loop blocks
/// while it waits for keys, so it runs here rather than on one of the concurrency pool's few
/// threads; the calling task waits without holding one either.
public func onOwnThread<T: Sendable>(named name: String, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            Thread.current.name = name
            continuation.resume(returning: body())
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
}
