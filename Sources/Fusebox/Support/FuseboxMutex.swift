import CFuseboxSystem
import Synchronization

/// `Synchronization.Mutex`, visible to the thread sanitizer.
///
/// The standard library's `Mutex` takes and releases its lock in `libswiftSynchronization`, which
/// is not built with the sanitizer: TSan never sees the acquire and the release, so it reports
/// every access the lock guards as a race (a two-thread `Mutex<[Int]>` control test does too).
/// This wrapper tells it, with `__tsan_acquire`/`__tsan_release` on the mutex's address,
/// exactly the ordering the lock provides, and nothing more: a real race outside the lock is still
/// reported. Without the sanitizer the annotations are a load and a branch.
struct FuseboxMutex<Value: ~Copyable>: ~Copyable, Sendable {
    private let mutex: Mutex<Value>

    init(_ initialValue: consuming sending Value) {
        mutex = Mutex(initialValue)
    }

    @inline(__always)
    borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        // The mutex's own address names the lock for the sanitizer (a `Mutex` never moves).
        let address = withUnsafePointer(to: mutex) { UnsafeMutableRawPointer(mutating: $0) }
        return try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            fusebox_tsan_acquire(address)
            defer { fusebox_tsan_release(address) }
            return try body(&value)
        }
    }
}
