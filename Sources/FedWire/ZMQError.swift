import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libzmq call: the call's name, what it acted on (endpoint, option...), `errno`
/// and libzmq's text for it, captured right after the call.
///
/// Rendered as `zmq_bind(tcp://x:1): Address already in use (errno 98)`.
public struct ZMQError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The libzmq function that failed, e.g. `"zmq_bind"`.
    public let call: String
    /// What the call acted on (an endpoint, an option name); empty when there is nothing useful.
    public let detail: String
    /// The `zmq_errno()` value right after the failing call.
    public let errno: Int32
    /// `zmq_strerror(errno)`, or a FedWire explanation for errors raised by the wrapper itself.
    public let message: String

    public init(call: String, detail: String = "", errno: Int32, message: String? = nil) {
        self.call = call
        self.detail = detail
        self.errno = errno
        self.message = message ?? String(cString: zmq_strerror(errno))
    }

    /// A blocking call (only `zmqPoll`) was interrupted by a signal. Loops should treat this
    /// as "check your stop flag", not as a failure.
    public var isInterrupted: Bool { errno == EINTR }

    /// The context was terminated (`ETERM`) while the call was in progress or before it.
    public var isContextTerminated: Bool { errno == ETERM }

    /// A ROUTER with `routerMandatory` could not route to the addressed peer (`EHOSTUNREACH`).
    public var isHostUnreachable: Bool { errno == EHOSTUNREACH }

    public var description: String {
        let target = detail.isEmpty ? "" : detail
        return "\(call)(\(target)): \(message) (errno \(errno))"
    }

    /// The operation was attempted on a socket or context that has already been closed.
    static func closed(_ call: String, detail: String = "") -> ZMQError {
        ZMQError(call: call, detail: detail, errno: ENOTSOCK, message: "handle already closed")
    }
}

// MARK: - The gate

/// What a gated call produced.
enum ZMQOutcome {
    /// The call succeeded with this non-negative return value.
    case ok(Int32)
    /// The call would block (`EAGAIN`) and the caller asked for that to be an empty result.
    case wouldBlock
}

/// The one gate every libzmq call goes through: runs `body`, and on `-1` reads `zmq_errno()`
/// immediately and turns it into a `ZMQError` naming `call` and `detail`.
///
/// - `EINTR` is retried unless `surfaceInterrupt` is set (only `zmq_poll` sets it, so that a
///   signal can stop a poll loop; the caller then sees `ZMQError.isInterrupted`).
/// - `EAGAIN` becomes `.wouldBlock` when `allowWouldBlock` is set (non-blocking send/receive,
///   or a send/receive timeout); otherwise it is an error like any other.
@inline(__always)
func zmqGate(
    _ call: String,
    _ detail: @autoclosure () -> String = "",
    allowWouldBlock: Bool = false,
    surfaceInterrupt: Bool = false,
    _ body: () -> Int32
) throws(ZMQError) -> ZMQOutcome {
    while true {
        let rc = body()
        if rc >= 0 { return .ok(rc) }
        let code = zmq_errno()
        if code == EINTR && !surfaceInterrupt { continue }
        if code == EAGAIN && allowWouldBlock { return .wouldBlock }
        throw ZMQError(call: call, detail: detail(), errno: code)
    }
}

/// `zmqGate` for calls where `EAGAIN` is never expected: returns the call's result.
@inline(__always)
@discardableResult
func zmqCheck(_ call: String, _ detail: @autoclosure () -> String = "", _ body: () -> Int32) throws(ZMQError) -> Int32 {
    switch try zmqGate(call, detail(), body) {
    case .ok(let rc): return rc
    case .wouldBlock: return 0  // unreachable: allowWouldBlock is false
    }
}
