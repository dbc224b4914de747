import FedWire

/// The transports of one process over libzmq: one context, the sockets each role needs.
///
/// Every socket setting fedsim uses is in `listen` and `open` below:
///
/// | role           | socket | linger  | ZMQ_MAXMSGSIZE              | HWM in/out | security          | endpoint |
/// |----------------|--------|---------|-----------------------------|------------|-------------------|----------|
/// | `.coordinator` | ROUTER | 1000 ms | `forUpdates(d, n)`          | 100,000    | CURVE server, ZAP | bind     |
///
/// (the coordinator's ROUTER also has a `PeerGuard` capping its connections at
/// `transport.max_peers` and the open-file budget, with a listen backlog as long)
///
/// | `.hub`         | ROUTER | 1000 ms | `forUpdates(d, n)`          | default    | none              | bind     |
/// | `.client`      | DEALER | 2000 ms | `forClients(d, n)`          | default    | CURVE client      | connect  |
/// | `.hubClient`   | DEALER | 1000 ms | none                        | default    | none              | connect  |
/// | `.sybil`       | DEALER | 0 ms    | none                        | default    | none              | connect  |
/// | `.tapSender`   | PUSH   | 0 ms    | none                        | default    | none              | connect  |
/// | `.tapReceiver` | PULL   | 0 ms    | `forUpdates(d, clients: 0)` | default    | none              | bind     |
///
/// The limits come from the roles (`ServerRole.maxMessageSize`, `ClientRole.maxMessageSize`,
/// i.e. `MessageSizeLimit`). 0 ms is `ZMQSocket.defaultLingerMilliseconds`.
public final class ZMQNetwork: Network {
    public let context: ZMQContext
    public let clock: any LoopClock

    public init(clock: any LoopClock = SystemClock()) throws {
        context = try ZMQContext()
        self.clock = clock
    }

    public func makeLoop() -> EventLoop {
        EventLoop(clock: clock, poller: ZMQPoller())
    }

    public func listen(_ endpoint: String, as role: ServerRole) throws -> any ServerTransport {
        switch role {
        case let .coordinator(_, _, curve, maxPeers, _):
            return try ZMQServerTransport(context: context, bind: endpoint, curve: curve, linger: 1000,
                                          maxMessageSize: role.maxMessageSize, highWaterMark: 100_000, maxPeers: maxPeers)
        case .hub:
            return try ZMQServerTransport(context: context, bind: endpoint, curve: nil, linger: 1000,
                                          maxMessageSize: role.maxMessageSize, highWaterMark: nil)
        }
    }

    public func open(_ endpoint: String, as role: ClientRole) throws -> any ClientTransport {
        let (type, linger, curve): (ZMQSocket.SocketType, Int32?, ClientCurve?)
        switch role {
        case let .client(_, _, c, _): (type, linger, curve) = (.dealer, 2000, c)
        case .hubClient: (type, linger, curve) = (.dealer, 1000, nil)
        case .sybil: (type, linger, curve) = (.dealer, nil, nil)
        case .tapSender: (type, linger, curve) = (.push, 0, nil)
        case .tapReceiver: (type, linger, curve) = (.pull, nil, nil)
        }
        return try ZMQClientTransport(context: context, type: type, address: endpoint, binds: role.binds,
                                      linger: linger, maxMessageSize: role.maxMessageSize, curve: curve)
    }

    /// Closes the context and every socket still open in it (each with its linger).
    public func close() { context.close() }
}

/// Waits on ZeroMQ transports with one `zmq_poll`.
public struct ZMQPoller: Poller {
    public init() {}

    public func wait(for sources: [any Pollable], timeout: Double) throws -> [Bool] {
        var items: [(socket: ZMQSocket, events: PollEvents)] = []
        var owners: [(any ZMQPollable, Range<Int>)] = []
        for source in sources {
            guard let z = source as? any ZMQPollable else { throw TransportError.foreignSource("\(type(of: source))") }
            let first = items.count
            items += z.pollSockets.map { (socket: $0, events: PollEvents.readable) }
            owners.append((z, first..<items.count))
        }
        // Whole milliseconds, rounded up so that a timer is never woken for too early.
        let milliseconds = Int((min(max(0, timeout), 86_400) * 1000).rounded(.up))
        var ready: [PollEvents] = []
        do {
            ready = try zmqPoll(items, timeoutMilliseconds: milliseconds)
        } catch {
            guard error.isInterrupted else { throw error }
        }
        guard ready.count == items.count else { return sources.map { _ in false } }
        return owners.map { z, range in
            let events = Array(ready[range])
            z.noteReady(events)
            return events.contains { $0.contains(.readable) }
        }
    }
}
