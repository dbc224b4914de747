import FedWire

/// What `MemoryPoller` needs from a memory transport.
protocol MemoryPollable: Pollable {
    var hasInput: Bool { get }
}

/// A server transport made of two queues (like swift-nio's `EmbeddedChannel`): a test pushes
/// what peers send with `push`, and reads what the server sent with `takeSent`.
///
/// It keeps the wire rules a test can observe: a message with a frame larger than the role's
/// `maxMessageSize` never arrives (libzmq drops the peer's connection; counted in
/// `oversizedDropped`), and a closed transport throws.
public final class MemoryServerTransport: ServerTransport, MemoryPollable {
    public let endpoint: String
    public let role: ServerRole
    public private(set) var isClosed = false
    /// Messages dropped because a frame was larger than the role's limit.
    public private(set) var oversizedDropped = 0
    /// Everything sent so far, in order.
    public private(set) var sent: [(identity: [UInt8], frames: [[UInt8]])] = []
    private var read = 0
    private var inbox: [ServerEvent] = []

    init(endpoint: String, role: ServerRole) {
        self.endpoint = endpoint
        self.role = role
    }

    // MARK: - Test side

    /// Delivers `frames` as sent by the peer `identity` over a connection authenticated as
    /// `userId` (nil: not authenticated).
    public func push(_ frames: [[UInt8]], from identity: [UInt8], userId: String? = nil) {
        if let limit = role.maxMessageSize, frames.contains(where: { $0.count > limit }) {
            oversizedDropped += 1
            return
        }
        inbox.append(.message(identity: identity, frames: frames, userId: userId))
    }

    /// Delivers `message`, encoded, as sent by the peer `identity`.
    public func push(_ message: Message, from identity: [UInt8], userId: String? = nil) {
        push(MessageCodec.encode(message), from: identity, userId: userId)
    }

    /// Makes the authenticator refuse a connection (what ZAP does with an unknown key).
    public func pushRefusal(_ description: String) {
        inbox.append(.refused(description))
    }

    /// What was sent since the last call.
    public func takeSent() -> [(identity: [UInt8], frames: [[UInt8]])] {
        defer { read = sent.count }
        return Array(sent[read...])
    }

    /// Messages pushed and not yet received.
    public var queued: Int { inbox.count }

    // MARK: - ServerTransport

    var hasInput: Bool { !inbox.isEmpty }

    public func receive() throws -> ServerEvent? {
        guard !isClosed else { throw TransportError.closed(endpoint) }
        return inbox.isEmpty ? nil : inbox.removeFirst()
    }

    public func send(_ frames: [[UInt8]], to identity: [UInt8]) throws -> Bool {
        guard !isClosed else { throw TransportError.closed(endpoint) }
        sent.append((identity, frames))
        return true
    }

    public func close() { isClosed = true }
}

/// A client transport made of two queues: a test pushes what the peer sends with `push`, and
/// reads what was sent with `takeSent`. A frame larger than the role's limit never arrives.
public final class MemoryClientTransport: ClientTransport, MemoryPollable {
    public let endpoint: String
    public let role: ClientRole
    public private(set) var isClosed = false
    /// Messages dropped because a frame was larger than the role's limit.
    public private(set) var oversizedDropped = 0
    /// Everything sent so far, in order.
    public private(set) var sent: [[[UInt8]]] = []
    private var read = 0
    private var inbox: [[[UInt8]]] = []

    init(endpoint: String, role: ClientRole) {
        self.endpoint = endpoint
        self.role = role
    }

    // MARK: - Test side

    /// Delivers `frames` as sent by the peer.
    public func push(_ frames: [[UInt8]]) {
        if let limit = role.maxMessageSize, frames.contains(where: { $0.count > limit }) {
            oversizedDropped += 1
            return
        }
        inbox.append(frames)
    }

    /// Delivers `message`, encoded, as sent by the peer.
    public func push(_ message: Message) {
        push(MessageCodec.encode(message))
    }

    /// What was sent since the last call.
    public func takeSent() -> [[[UInt8]]] {
        defer { read = sent.count }
        return Array(sent[read...])
    }

    /// Messages pushed and not yet received.
    public var queued: Int { inbox.count }

    // MARK: - ClientTransport

    var hasInput: Bool { !inbox.isEmpty }

    public func receive() throws -> [[UInt8]]? {
        guard !isClosed else { throw TransportError.closed(endpoint) }
        return inbox.isEmpty ? nil : inbox.removeFirst()
    }

    public func send(_ frames: [[UInt8]], wait: Bool) throws -> Bool {
        guard !isClosed else { throw TransportError.closed(endpoint) }
        sent.append(frames)
        return true
    }

    public func close() { isClosed = true }
}
