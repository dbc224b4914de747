import FedWire
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Fires `MessageFuzzer` cases at a coordinator over one or more DEALER sockets.
///
/// Socket 0 is the *claimant*: HELLOs go out on it, so it is the one that may become a
/// registered process (if an id is free). The others send HELLOs only with a broken header,
/// so they stay unregistered peers; the last one (when there are two or more) carries only the oversized
/// frames that make libzmq drop its connection. Sends never block forever: each socket
/// has a small high-water mark; when its queue is full the fuzzer waits up to 2 s for room and
/// retries once (10 ms for the oversized-frame socket, whose connection libzmq drops), and only
/// then counts the message as dropped. Replies are read and
/// discarded. The run stops after `count` messages or `timeLimit` seconds, whichever first.
public final class FuzzRunner {
    public struct Options: Sendable {
        public var endpoint: String
        public var count: Int
        public var seed: UInt64
        /// Messages per second; 0 = as fast as the sockets take them.
        public var rate: Double
        public var sockets: Int
        /// Seconds after which the run stops whatever it has sent.
        public var timeLimit: Double
        /// `ZMQ_SNDHWM` of each socket (messages).
        public var highWaterMark: Int32
        /// The signal that asks the run to stop, or nil; polled before every message (the CLI
        /// passes its signal trap's).
        public var interrupted: @Sendable () -> Int32? = { nil }

        public init(endpoint: String, count: Int, seed: UInt64, rate: Double = 0, sockets: Int = 3,
                    timeLimit: Double = 300, highWaterMark: Int32 = 1000) {
            self.endpoint = endpoint
            self.count = count
            self.seed = seed
            self.rate = rate
            self.sockets = sockets
            self.timeLimit = timeLimit
            self.highWaterMark = highWaterMark
        }
    }

    private var fuzzer: MessageFuzzer
    private let options: Options
    private let logger: Logger
    /// Longest wait for room in a full queue before a message counts as dropped (ms).
    private static let drainWaitMilliseconds = 2000

    public init(target: FuzzTarget, options: Options, logger: Logger) {
        fuzzer = MessageFuzzer(target: target, seed: options.seed)
        self.options = options
        self.logger = logger
    }

    /// Sends the messages and returns what happened. Throws only when a socket cannot be set up.
    public func run() throws -> FuzzReport {
        let context = try ZMQContext()
        defer { context.close() }
        var sockets: [ZMQSocket] = []
        for _ in 0..<max(1, options.sockets) {
            let s = try ZMQSocket(context: context, type: .dealer)
            try s.setSendHighWaterMark(options.highWaterMark)
            try s.setReceiveHighWaterMark(10_000)
            // Replies are small (SHUTDOWN, WELCOME, HEARTBEAT); a TASK would be model-sized.
            try s.setMaxMessageSize(Int64(fuzzer.target.maxFrameBytes) * 2)
            // Give queued messages a moment to leave at the end, never longer.
            try s.setLinger(milliseconds: 1000)
            try s.connect(options.endpoint)
            sockets.append(s)
        }

        var report = FuzzReport()
        let start = Date()
        var peerStalled = false
        for i in 0..<options.count {
            if let sig = options.interrupted() { report.stoppedEarly = "signal \(sig)"; break }
            let elapsed = Date().timeIntervalSince(start)
            if elapsed > options.timeLimit { report.stoppedEarly = "time limit"; break }
            if options.rate > 0 {
                let due = Double(i) / options.rate
                if due > elapsed { usleep(UInt32(min(1, due - elapsed) * 1_000_000)) }
            }

            let c = fuzzer.next()
            report.messages += 1
            report.kinds[c.kind, default: 0] += 1
            let socket = sockets[route(c, index: i, sockets: sockets.count)]
            var sent = try send(c.frames, on: socket)
            if !sent {
                // A full queue: wait (bounded) for room so that the count is really delivered.
                // Not when the coordinator looks gone (the last wait ran out), and only briefly on
                // the oversized-frame socket, which loses its connection to every frame it sends.
                let wait = c.kind == .oversizedFrame || peerStalled ? 10 : Self.drainWaitMilliseconds
                let room = try? zmqPoll([(socket: socket, events: .writable)], timeoutMilliseconds: wait)
                if room?.first?.contains(.writable) == true { sent = try send(c.frames, on: socket) }
                if c.kind != .oversizedFrame { peerStalled = !sent }
            } else if c.kind != .oversizedFrame {
                peerStalled = false
            }
            if sent { report.sent += 1 } else { report.dropped += 1 }
            if i % 32 == 31 { drainReplies(sockets, into: &report) }
        }
        drainReplies(sockets, into: &report)
        report.seconds = Date().timeIntervalSince(start)
        if !report.grantedIds.isEmpty {
            logger.warning("the coordinator granted client ids \(report.grantedIds) to the fuzzer")
        }
        return report
    }

    /// Socket 0 sends the HELLOs; the last socket (of two or more) sends only oversized frames,
    /// which make libzmq drop its connection (it reconnects), so that the queues of the others
    /// keep flowing; everything else goes round-robin over the sockets but the last.
    private func route(_ c: FuzzCase, index: Int, sockets n: Int) -> Int {
        if c.claimant || n == 1 { return 0 }
        if c.kind == .oversizedFrame { return n - 1 }
        return n == 2 ? 0 : index % (n - 1)
    }

    /// A non-blocking send; false when the queue is full. Errors other than EAGAIN (none are
    /// expected on a DEALER) count as a drop and are logged once.
    private func send(_ frames: [[UInt8]], on socket: ZMQSocket) throws -> Bool {
        do {
            return try socket.send(frames, dontWait: true)
        } catch {
            if socket.isClosed { throw error }
            logger.warning("send failed: \(error)")
            return false
        }
    }

    /// Reads every reply waiting, counts it by kind and learns the round from heartbeats.
    private func drainReplies(_ sockets: [ZMQSocket], into report: inout FuzzReport) {
        for socket in sockets {
            while let frames = try? socket.receive(dontWait: true) {
                let limits = CodecLimits(maxParameters: fuzzer.target.parameterCount,
                                         maxClientIds: max(fuzzer.target.clients, 1))
                guard let message = try? MessageCodec.decode(frames, limits: limits) else {
                    report.replies["malformed", default: 0] += 1
                    continue
                }
                report.replies[message.kind.description, default: 0] += 1
                switch message {
                case let .welcome(_, _, ids, _):
                    report.grantedIds = Array(Set(report.grantedIds).union(ids)).sorted()
                case let .heartbeat(round), let .task(round, _, _, _):
                    if round > 0 { fuzzer.roundHint = round }
                default:
                    break
                }
            }
        }
    }
}
