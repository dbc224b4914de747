import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one libzmq socket. Frames are `[UInt8]`; a message is `[[UInt8]]` (its parts).
///
/// Ownership and threads: like a libzmq socket, an instance belongs to one thread at a time;
/// it is deliberately not `Sendable` (hand it over with `sending` if a thread must take it).
/// The socket keeps its context alive, `close()` is idempotent, and `deinit` is the backstop.
///
/// Linger: every socket is created with `ZMQSocket.defaultLingerMilliseconds` (0), so closing
/// a socket discards unsent messages at once and terminating the context never hangs. Call
/// `setLinger(milliseconds:)` before `close()` when pending messages should get a chance to go.
public final class ZMQSocket {
    /// The libzmq socket types FedWire uses (and the classic others).
    public enum SocketType: Sendable, CaseIterable {
        case router, dealer, pair, pub, sub, push, pull, req, rep

        /// The `ZMQ_*` constant.
        public var rawValue: Int32 {
            switch self {
            case .router: ZMQ_ROUTER
            case .dealer: ZMQ_DEALER
            case .pair: ZMQ_PAIR
            case .pub: ZMQ_PUB
            case .sub: ZMQ_SUB
            case .push: ZMQ_PUSH
            case .pull: ZMQ_PULL
            case .req: ZMQ_REQ
            case .rep: ZMQ_REP
            }
        }
    }

    /// The linger set on every new socket: 0 ms (drop unsent messages on close), so that a
    /// context termination can never block on a peer that went away.
    public static let defaultLingerMilliseconds: Int32 = 0

    /// The context this socket was made from; kept alive as long as the socket.
    public let context: ZMQContext
    public let type: SocketType
    var handle: UnsafeMutableRawPointer?
    /// The file descriptor of the connection the last received message came from
    /// (`ZMQ_SRCFD`; -1 for inproc:// or before the first message). `PeerGuard` keeps such peers.
    public private(set) var lastSourceDescriptor: Int32 = -1

    /// Creates a socket of `type` in `context` and sets the default linger.
    public init(context: ZMQContext, type: SocketType) throws(ZMQError) {
        self.context = context
        self.type = type
        handle = nil
        handle = try context.makeSocket(type: type.rawValue, owner: self)
        try setLinger(milliseconds: Self.defaultLingerMilliseconds)  // deinit closes on failure
    }

    deinit { close() }

    /// Whether `close()` has run (directly or through the context's `close()`).
    public var isClosed: Bool { context.synchronized { handle == nil } }

    /// Closes the socket (respecting its linger). Idempotent; safe after the context's close.
    public func close() {
        let h: UnsafeMutableRawPointer? = context.synchronized {
            let h = handle
            handle = nil
            return h
        }
        guard let h else { return }
        _ = try? zmqCheck("zmq_close") { zmq_close(h) }
        context.unregister(self)
    }

    /// The open handle, or a `ZMQError` naming `call` when the socket is closed.
    @inline(__always)
    func open(_ call: String, _ detail: @autoclosure () -> String = "") throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let h = handle else { throw .closed(call, detail: detail()) }
        return h
    }

    // MARK: - Endpoints

    /// `zmq_bind`. For `tcp://127.0.0.1:0` (or `:*`) libzmq picks a free port; read it back
    /// from `lastEndpoint`.
    public func bind(_ endpoint: String) throws(ZMQError) {
        let h = try open("zmq_bind", endpoint)
        try zmqCheck("zmq_bind", endpoint) { zmq_bind(h, endpoint) }
    }

    /// `zmq_connect`. Connecting is asynchronous: it succeeds before the peer exists.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let h = try open("zmq_connect", endpoint)
        try zmqCheck("zmq_connect", endpoint) { zmq_connect(h, endpoint) }
    }

    /// `zmq_unbind`. Use the resolved endpoint (`lastEndpoint`) for wildcard binds.
    public func unbind(_ endpoint: String) throws(ZMQError) {
        let h = try open("zmq_unbind", endpoint)
        try zmqCheck("zmq_unbind", endpoint) { zmq_unbind(h, endpoint) }
    }

    /// `zmq_disconnect`.
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let h = try open("zmq_disconnect", endpoint)
        try zmqCheck("zmq_disconnect", endpoint) { zmq_disconnect(h, endpoint) }
    }

    // MARK: - Send and receive

    /// Sends one multipart message (`ZMQ_SNDMORE` on all parts but the last).
    ///
    /// - Parameter dontWait: `ZMQ_DONTWAIT`. When the message cannot be queued right now
    ///   (high-water mark, no peer), returns `false` and nothing was sent. A send timeout
    ///   (`setSendTimeout`) expiring on the first part also returns `false`.
    /// - Returns: `true` when the whole message was queued.
    /// - Throws: `ZMQError` (e.g. `EHOSTUNREACH` for an unroutable ROUTER message with
    ///   `routerMandatory`); `EINVAL` for an empty `frames` array (a message has >= 1 part).
    @discardableResult
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) -> Bool {
        let h = try open("zmq_send")
        guard !frames.isEmpty else {
            throw ZMQError(call: "zmq_send", errno: EINVAL, message: "a message needs at least one frame")
        }
        let base: Int32 = dontWait ? ZMQ_DONTWAIT : 0
        for (index, frame) in frames.enumerated() {
            let more = index < frames.count - 1
            let flags = base | (more ? ZMQ_SNDMORE : 0)
            let outcome = try zmqGate("zmq_send", "part \(index + 1) of \(frames.count)", allowWouldBlock: true) {
                frame.withUnsafeBytes { zmq_send(h, $0.baseAddress, $0.count, flags) }
            }
            if case .wouldBlock = outcome {
                if index == 0 { return false }
                // libzmq queues multipart messages atomically once the first part is accepted;
                // getting here means a torn message, which we report rather than hide.
                throw ZMQError(call: "zmq_send", detail: "part \(index + 1) of \(frames.count)", errno: EAGAIN,
                               message: "would block after the first part of a multipart message")
            }
        }
        return true
    }

    /// Receives all parts of one multipart message, copying each part's bytes out once.
    ///
    /// - Parameter dontWait: `ZMQ_DONTWAIT`: return `nil` at once when nothing is queued.
    /// - Returns: the parts, or `nil` when nothing was available (non-blocking, or the
    ///   receive timeout set with `setReceiveTimeout` expired).
    public func receive(dontWait: Bool = false) throws(ZMQError) -> [[UInt8]]? {
        try receiveParts(dontWait: dontWait, userId: false)?.frames
    }

    /// The one receive loop behind `receive` and `receiveWithMetadata`: all parts of one
    /// message, each copied out once, and (when `userId`) the connection's ZAP User-Id.
    func receiveParts(dontWait: Bool, userId readUserId: Bool) throws(ZMQError) -> (frames: [[UInt8]], userId: String?)? {
        let h = try open("zmq_msg_recv")
        let msg = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { msg.deallocate() }
        var parts: [[UInt8]] = []
        var userId: String?
        while true {
            zmq_msg_init(msg)
            defer { zmq_msg_close(msg) }
            // Parts after the first are already queued (atomic delivery): receive them blocking.
            let flags: Int32 = (parts.isEmpty && dontWait) ? ZMQ_DONTWAIT : 0
            let outcome = try zmqGate("zmq_msg_recv", "part \(parts.count + 1)", allowWouldBlock: parts.isEmpty) {
                zmq_msg_recv(msg, h, flags)
            }
            if case .wouldBlock = outcome { return nil }
            // The first part carries the connection's metadata (a ROUTER copies it onto the
            // routing-id part it prepends); later parts are checked only if it has none.
            if readUserId, userId == nil, let value = zmq_msg_gets(msg, "User-Id") {
                let text = String(cString: value)
                userId = text.isEmpty ? nil : text
            }
            let size = zmq_msg_size(msg)
            let data = zmq_msg_data(msg)
            let part = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                if size > 0, let data, let dest = buffer.baseAddress {
                    memcpy(dest, data, size)
                }
                initialized = size
            }
            parts.append(part)
            if zmq_msg_more(msg) == 0 {
                lastSourceDescriptor = zmq_msg_get(msg, ZMQ_SRCFD)
                return (parts, userId)
            }
        }
    }

    // MARK: - Subscriptions (SUB sockets)

    /// `ZMQ_SUBSCRIBE` with a prefix (empty = everything).
    public func subscribe(_ prefix: [UInt8] = []) throws(ZMQError) {
        try setOption(ZMQ_SUBSCRIBE, bytes: prefix)
    }

    /// `ZMQ_UNSUBSCRIBE`.
    public func unsubscribe(_ prefix: [UInt8] = []) throws(ZMQError) {
        try setOption(ZMQ_UNSUBSCRIBE, bytes: prefix)
    }
}
