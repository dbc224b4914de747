/// An in-memory network for unit tests: its transports are queues (`MemoryServerTransport`,
/// `MemoryClientTransport`) and its clock a `ManualClock`, so a coordinator, a client runtime
/// or a hub runs in the test's thread, without a process or a socket, and time passes only
/// when the loop waits.
///
/// A test plays the peers in `onIdle`: the poller calls it whenever the loop would wait with
/// nothing to read; there it reads what was sent (`takeSent`) and pushes answers. When it
/// pushes nothing, the wait takes its whole timeout on the manual clock (a deadline of 60 s
/// passes in a few hundred turns, however slow the machine).
public final class MemoryNetwork: Network {
    public let manualClock: ManualClock
    public let poller: MemoryPoller
    /// The server transports made so far, in order.
    public private(set) var servers: [MemoryServerTransport] = []
    /// The client transports made so far, in order.
    public private(set) var clients: [MemoryClientTransport] = []
    public private(set) var isClosed = false

    /// - Parameter timeLimit: seconds on the manual clock after which a wait throws
    ///   `TransportError.timeLimit` (a loop that would never end fails the test instead).
    public init(clock: ManualClock = ManualClock(), timeLimit: Double? = 86_400) {
        manualClock = clock
        poller = MemoryPoller(clock: clock, timeLimit: timeLimit)
    }

    public var clock: any LoopClock { manualClock }

    /// The peers' script (see the type's documentation).
    public var onIdle: (() throws -> Void)? {
        get { poller.onIdle }
        set { poller.onIdle = newValue }
    }

    public func makeLoop() -> EventLoop {
        EventLoop(clock: manualClock, poller: poller)
    }

    public func listen(_ endpoint: String, as role: ServerRole) throws -> any ServerTransport {
        let t = MemoryServerTransport(endpoint: endpoint, role: role)
        servers.append(t)
        return t
    }

    public func open(_ endpoint: String, as role: ClientRole) throws -> any ClientTransport {
        let t = MemoryClientTransport(endpoint: endpoint, role: role)
        clients.append(t)
        return t
    }

    /// The last server transport made for `role` ("coordinator", "hub").
    public func server(_ role: String) -> MemoryServerTransport? {
        servers.last { $0.role.name == role }
    }

    /// The client transports made for `role` ("client", "hubClient", "sybil", "tapSender", "tapReceiver").
    public func clients(_ role: String) -> [MemoryClientTransport] {
        clients.filter { $0.role.name == role }
    }

    /// Closes every transport made.
    public func close() {
        for s in servers { s.close() }
        for c in clients { c.close() }
        isClosed = true
    }
}

/// The memory network's poller: a transport is ready when something was pushed to it. With
/// nothing ready it calls `onIdle` (the test's peers) and, if still nothing is, advances the
/// manual clock by the whole timeout.
public final class MemoryPoller: Poller {
    public let clock: ManualClock
    public var onIdle: (() throws -> Void)?
    public let timeLimit: Double?
    /// Waits that found nothing and let time pass.
    public private(set) var idleWaits = 0

    public init(clock: ManualClock, timeLimit: Double?) {
        self.clock = clock
        self.timeLimit = timeLimit
    }

    public func wait(for sources: [any Pollable], timeout: Double) throws -> [Bool] {
        func ready() throws -> [Bool] {
            try sources.map { source in
                guard let m = source as? any MemoryPollable else { throw TransportError.foreignSource("\(type(of: source))") }
                return m.hasInput
            }
        }
        var flags = try ready()
        if flags.contains(true) { return flags }
        try onIdle?()
        flags = try ready()
        if flags.contains(true) { return flags }
        idleWaits += 1
        clock.advance(by: max(0, timeout))
        if let timeLimit, clock.elapsed > timeLimit { throw TransportError.timeLimit(seconds: timeLimit) }
        return flags
    }
}
