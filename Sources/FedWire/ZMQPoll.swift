import CZeroMQ

/// What to wait for, and what happened, on one socket in `zmqPoll`.
public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// `ZMQ_POLLIN`: at least one message can be received without blocking.
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// `ZMQ_POLLOUT`: at least one message can be sent without blocking.
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// `ZMQ_POLLERR` (only meaningful for raw file descriptors in libzmq).
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// `zmq_poll` over sockets: waits until one of the requested events is ready or the timeout
/// passes, and returns the ready events per item (in the order given; empty = not ready).
///
/// - Parameter timeoutMilliseconds: -1 waits forever, 0 returns at once.
/// - Throws: `ZMQError`; a signal during the wait throws an error whose `isInterrupted` is
///   true (not retried), so that a loop can check its stop flag.
public func zmqPoll(
    _ items: [(socket: ZMQSocket, events: PollEvents)],
    timeoutMilliseconds: Int
) throws(ZMQError) -> [PollEvents] {
    var raw: [zmq_pollitem_t] = []
    raw.reserveCapacity(items.count)
    for item in items {
        let h = try item.socket.open("zmq_poll")
        raw.append(zmq_pollitem_t(socket: h, fd: 0, events: item.events.rawValue, revents: 0))
    }
    let count = Int32(raw.count)
    _ = try zmqGate("zmq_poll", "\(items.count) items", surfaceInterrupt: true) {
        raw.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, count, timeoutMilliseconds) }
    }
    return raw.map { PollEvents(rawValue: $0.revents) }
}
