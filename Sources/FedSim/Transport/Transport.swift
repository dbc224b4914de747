/// The transport seam: what the coordinator, the client runtime and the adversary hub need
/// from the network, and nothing more. Two implementations: `ZMQNetwork` (libzmq sockets,
/// what every run uses) and `MemoryNetwork` (queues a test fills and reads, with a manual
/// clock), so the three loops are unit-tested without a process or a socket.
///
/// Every operation is non-blocking except a client-side `send(_:wait: true)`; waiting for
/// something to arrive is the `EventLoop`'s job (through a `Poller`).

/// Something an `EventLoop` can wait on until it has input.
public protocol Pollable: AnyObject {}

/// The server side (a ZeroMQ ROUTER): many peers, each known by its routing identity.
public protocol ServerTransport: Pollable {
    /// Where it listens, resolved (a `tcp://127.0.0.1:*` bind reads back with its port).
    var endpoint: String { get }
    /// The next event waiting, or nil when nothing is (never blocks).
    func receive() throws -> ServerEvent?
    /// Queues `frames` for the peer `identity` without blocking; false when it cannot be
    /// queued now (high-water mark). A message to an unknown identity is dropped.
    @discardableResult
    func send(_ frames: [[UInt8]], to identity: [UInt8]) throws -> Bool
    /// Closes it (idempotent).
    func close()
}

/// What a server transport delivers.
public enum ServerEvent: Equatable, Sendable {
    /// A message from the peer `identity`: its frames, and the authenticated user id of its
    /// connection (the client's Z85 public key under CURVE; nil when not authenticated).
    case message(identity: [UInt8], frames: [[UInt8]], userId: String?)
    /// A connection the transport's authenticator refused (a CURVE key not on the allowlist),
    /// described for the log. Nothing from it is ever delivered.
    case refused(String)
    /// Connections the transport closed because more than its cap were open and these had
    /// never delivered a message (`PeerGuard`), described for the log.
    case peersDropped(count: Int, detail: String)
}

/// The client side (a ZeroMQ DEALER): one stream of messages to and from one peer. The
/// simulation tap uses it as well (send only on the coordinator, receive only on the hub).
public protocol ClientTransport: Pollable {
    /// The endpoint it connected to (or, for a bound tap, where it listens, resolved).
    var endpoint: String { get }
    /// The next message waiting, or nil when none is (never blocks).
    func receive() throws -> [[UInt8]]?
    /// Sends one message. With `wait`, blocks while the queue is full; without, returns false
    /// at once when the message cannot be queued now.
    @discardableResult
    func send(_ frames: [[UInt8]], wait: Bool) throws -> Bool
    /// Closes it (idempotent).
    func close()
}

/// Waits until some of a loop's transports have input.
public protocol Poller {
    /// Waits at most `timeout` seconds (0: only look) until one of `sources` has input;
    /// returns, per source in order, whether it has. An interrupting signal ends the wait
    /// early with nothing ready, so that the loop can look at its stop conditions.
    func wait(for sources: [any Pollable], timeout: Double) throws -> [Bool]
}

/// Makes the transports of one process and the loops that wait on them. The process owns
/// its network: closing it closes what it made.
public protocol Network: AnyObject {
    /// The time the loops of this network run on.
    var clock: any LoopClock { get }
    /// A loop on this network's clock and poller.
    func makeLoop() -> EventLoop
    /// Binds a server side at `endpoint` with the settings of `role`.
    func listen(_ endpoint: String, as role: ServerRole) throws -> any ServerTransport
    /// Opens a client side to (or, for the hub's tap, at) `endpoint` with the settings of `role`.
    func open(_ endpoint: String, as role: ClientRole) throws -> any ClientTransport
    /// Closes everything this network made (idempotent).
    func close()
}

/// Why a transport could not be used.
public enum TransportError: Error, CustomStringConvertible {
    /// A poller was given a transport of another network (a ZeroMQ poller cannot wait on a
    /// memory transport, nor the other way round).
    case foreignSource(String)
    /// The transport was closed.
    case closed(String)
    /// A memory network's clock passed the time limit its test set (a loop that never ends).
    case timeLimit(seconds: Double)

    public var description: String {
        switch self {
        case let .foreignSource(what): return "cannot wait on \(what) with this poller (another network's transport)"
        case let .closed(what): return "\(what) is closed"
        case let .timeLimit(s): return "the manual clock passed the test's limit of \(s) s; the loop never ended"
        }
    }
}
