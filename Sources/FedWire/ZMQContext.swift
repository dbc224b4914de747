import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one libzmq context (`zmq_ctx_new` / `zmq_ctx_term`).
///
/// A libzmq context is thread-safe, and inproc:// endpoints only connect sockets of the same
/// context, so a context is meant to be shared by the threads of one process. That is why this
/// class is `@unchecked Sendable`: its only mutable state (the handle and the registry of open
/// sockets) is guarded by an internal mutex. Sockets are *not* Sendable (see `ZMQSocket`).
///
/// `close()` first closes every socket of this context that is still open (each with its own
/// linger, 0 ms by default, so pending messages never make it hang) and then terminates the
/// context. Call it once the threads that use those sockets have stopped using them: libzmq
/// sockets must not be closed while another thread is inside a call on them.
public final class ZMQContext: @unchecked Sendable {
    private let lock = PThreadMutex()
    private var handle: UnsafeMutableRawPointer?
    private var openSockets: [ObjectIdentifier: WeakSocket] = [:]

    /// Creates a context with libzmq's defaults (one I/O thread).
    public init() throws(ZMQError) {
        guard let h = zmq_ctx_new() else {
            throw ZMQError(call: "zmq_ctx_new", errno: zmq_errno())
        }
        handle = h
    }

    deinit { close() }

    /// Whether `close()` has run.
    public var isClosed: Bool { lock.withLock { handle == nil } }

    /// Closes the sockets of this context that are still open, then terminates the context.
    /// Idempotent; never throws (`EINTR` is retried, nothing else can fail on a valid handle).
    public func close() {
        let (h, sockets): (UnsafeMutableRawPointer?, [ZMQSocket]) = lock.withLock {
            let h = handle
            handle = nil
            let sockets = openSockets.values.compactMap(\.socket)
            return (h, sockets)
        }
        guard let h else { return }
        for socket in sockets { socket.close() }
        _ = try? zmqCheck("zmq_ctx_term") { zmq_ctx_term(h) }
    }

    // MARK: - Internal: socket registry

    /// Creates a raw socket and registers `owner` so that `close()` can close it.
    func makeSocket(type: Int32, owner: ZMQSocket) throws(ZMQError) -> UnsafeMutableRawPointer {
        let result: Result<UnsafeMutableRawPointer, ZMQError> = lock.withLock {
            guard let h = handle else { return .failure(.closed("zmq_socket", detail: "context")) }
            guard let s = zmq_socket(h, type) else {
                return .failure(ZMQError(call: "zmq_socket", errno: zmq_errno()))
            }
            openSockets[ObjectIdentifier(owner)] = WeakSocket(socket: owner)
            return .success(s)
        }
        return try result.get()
    }

    /// Forgets a socket that has been closed.
    func unregister(_ owner: ZMQSocket) {
        lock.withLock { _ = openSockets.removeValue(forKey: ObjectIdentifier(owner)) }
    }

    /// Runs `body` under the context's mutex (used by sockets to swap their handle on close,
    /// so that a socket closed by itself and by `close()` at once is closed exactly once).
    func synchronized<T>(_ body: () -> T) -> T { lock.withLock(body) }

    /// The raw context pointer; nil once closed. For future extensions (e.g. a ZAP handler).
    var rawHandle: UnsafeMutableRawPointer? { lock.withLock { handle } }
}

private struct WeakSocket {
    weak var socket: ZMQSocket?
}

// MARK: - Mutex

/// A minimal pthread mutex (Synchronization.Mutex needs macOS 15; the package targets 14).
final class PThreadMutex: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
