#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZeroMQ
import Foundation

/// Caps the connections a bound socket holds, so that peers that connect and never speak
/// cannot use up the process's file descriptors (and with them every file the run must write).
///
/// libzmq accepts every TCP or IPC connection and has no limit of its own; when the process
/// runs out of descriptors its listener fails each accept with `EMFILE` and every `open(2)`
/// of the process fails too. The guard watches the socket with `zmq_socket_monitor` on its own
/// thread (it needs no help from the event loop, which may be busy aggregating) and, whenever
/// more than `cap` connections are open, calls `shutdown(2)` on the oldest one that has not yet
/// delivered a whole message (`noteSpoke`). libzmq then sees end-of-file and closes that
/// connection itself, so the descriptor is freed by its owner. A peer that has delivered a
/// message (under CURVE: an authenticated client) is never dropped this way.
///
/// What it cannot do: a peer that speaks is not limited (plain text has no authentication; see
/// docs/DEPLOY.md), and a descriptor number libzmq closed and reused before the guard saw the
/// event may be dropped once by mistake (a client's DEALER then simply reconnects).
public final class PeerGuard: @unchecked Sendable {
    /// The most connections kept open at once.
    public let cap: Int
    private let lock = NSLock()
    private var live: [Int32] = []          // accept order
    private var spoken: Set<Int32> = []
    private var shut: Set<Int32> = []
    private var droppedTotal = 0
    private var droppedReported = 0
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    private let monitored: ZMQSocket
    private let address: String

    private static let counter = NSLock()
    nonisolated(unsafe) private static var next = 0

    /// Starts watching `socket` (bound or about to bind). Call `close()` before closing it.
    public init(socket: ZMQSocket, cap: Int) throws(ZMQError) {
        precondition(cap >= 1, "PeerGuard needs a cap of at least 1; got \(cap)")
        self.cap = cap
        monitored = socket
        let n = Self.counter.withLock { Self.next += 1; return Self.next }
        address = "inproc://fedsim-peer-guard-\(getpid())-\(n)"
        let h = try socket.open("zmq_socket_monitor")
        let events = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_CLOSED
        try zmqCheck("zmq_socket_monitor", address) { zmq_socket_monitor(h, address, Int32(events)) }
        // The PAIR end must connect before the first event, or libzmq drops events.
        let pair = try ZMQSocket(context: socket.context, type: .pair)
        do { try pair.connect(address) } catch { pair.close(); throw error }
        // The PAIR socket moves to the thread (libzmq allows that across a memory barrier,
        // which starting a thread is) and is used nowhere else.
        nonisolated(unsafe) let owned = pair
        let thread = Thread { [self] in watch(owned) }
        thread.name = "fedsim-peer-guard"
        thread.start()
    }

    /// The process's soft limit on open files, minus what is open now and `reserve` for the
    /// run's own files: the most connections it can hold without `EMFILE` elsewhere.
    public static func descriptorBudget(reserve: Int = 64) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Int.max }
        let soft = limit.rlim_cur == rlim_t.max ? Int.max / 2 : Int(limit.rlim_cur)
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 32
        return max(1, soft - open - reserve)
    }

    /// Raises the soft limit on open files to the hard limit (a process may always do so).
    /// Returns the new soft limit.
    @discardableResult
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return limit.rlim_cur == rlim_t.max ? Int.max : Int(limit.rlim_cur)
    }

    /// The connection on descriptor `fd` delivered a whole message: keep it.
    public func noteSpoke(_ fd: Int32) {
        guard fd >= 0 else { return }
        lock.withLock { if live.contains(fd) { spoken.insert(fd) } }
    }

    /// Connections dropped since the last call (for the log and the rejection counts).
    public func takeDropped() -> Int {
        lock.withLock {
            let n = droppedTotal - droppedReported
            droppedReported = droppedTotal
            return n
        }
    }

    /// Open connections as the guard sees them (not counting those it has shut down).
    public var openConnections: Int { lock.withLock { live.count - shut.count } }

    /// Stops the monitor and its thread. Idempotent.
    public func close() {
        let first: Bool = lock.withLock {
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        if let h = try? monitored.open("zmq_socket_monitor") { _ = zmq_socket_monitor(h, nil, 0) }
        finished.wait()
    }

    deinit { close() }

    // MARK: - The monitor thread

    private func watch(_ pair: ZMQSocket) {
        defer {
            pair.close()
            finished.signal()
        }
        while !lock.withLock({ stopping }) {
            guard let ready = try? zmqPoll([(pair, .readable)], timeoutMilliseconds: 100) else { continue }
            guard ready.first?.contains(.readable) == true else { continue }
            while let frames = try? pair.receive(dontWait: true), let first = frames.first, first.count >= 6 {
                let event = Int32(UInt16(first[0]) | UInt16(first[1]) << 8)
                let value = Int32(bitPattern: UInt32(first[2]) | UInt32(first[3]) << 8 | UInt32(first[4]) << 16 | UInt32(first[5]) << 24)
                handle(event: event, fd: value)
            }
        }
    }

    private func handle(event: Int32, fd: Int32) {
        lock.withLock {
            switch event {
            case ZMQ_EVENT_ACCEPTED:
                live.append(fd)
                while live.count - shut.count > cap,
                      let victim = live.first(where: { !spoken.contains($0) && !shut.contains($0) }) {
                    Glibc.shutdown(victim, Int32(SHUT_RDWR))
                    shut.insert(victim)
                    droppedTotal += 1
                }
            case ZMQ_EVENT_DISCONNECTED, ZMQ_EVENT_CLOSED:
                if let i = live.firstIndex(of: fd) { live.remove(at: i) }
                spoken.remove(fd)
                shut.remove(fd)
            default:
                break
            }
        }
    }
}
