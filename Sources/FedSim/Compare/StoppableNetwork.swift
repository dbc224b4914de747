import Foundation

/// A flag one thread sets and the loops of another see (`StoppableNetwork`).
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    var isSet: Bool { lock.withLock { set } }
    func raise() { lock.withLock { set = true } }
}

/// Why a loop of a `StoppableNetwork` ended: its cell was stopped from outside.
struct CellStopped: Error, CustomStringConvertible {
    var description: String { "stopped: the comparison ended this cell" }
}

/// A `ZMQNetwork` whose loops another thread can end: every wait of its loops first looks at
/// `flag` and throws `CellStopped` once it is raised. A cell run inside the compare process
/// (`InProcessCell`) gives one to each of its threads, so that a client runtime or a hub whose
/// peer is gone ends within one wait (at most 0.5 s) instead of at its heartbeat timeout, and
/// nothing of a cell outlives it. Transports, clock and sockets are the wrapped network's.
final class StoppableNetwork: Network {
    let inner: ZMQNetwork
    let flag: StopFlag

    init(flag: StopFlag) throws {
        inner = try ZMQNetwork()
        self.flag = flag
    }

    var clock: any LoopClock { inner.clock }

    func makeLoop() -> EventLoop {
        EventLoop(clock: inner.clock, poller: StoppablePoller(inner: ZMQPoller(), flag: flag))
    }

    func listen(_ endpoint: String, as role: ServerRole) throws -> any ServerTransport {
        try inner.listen(endpoint, as: role)
    }

    func open(_ endpoint: String, as role: ClientRole) throws -> any ClientTransport {
        try inner.open(endpoint, as: role)
    }

    func close() { inner.close() }
}

/// `ZMQPoller` that throws `CellStopped` once its flag is raised.
struct StoppablePoller: Poller {
    let inner: ZMQPoller
    let flag: StopFlag

    func wait(for sources: [any Pollable], timeout: Double) throws -> [Bool] {
        if flag.isSet { throw CellStopped() }
        return try inner.wait(for: sources, timeout: timeout)
    }
}
