@testable import FedSim
import FedWire
import Foundation

/// Client processes played by a test against a coordinator on a `MemoryNetwork`. Install
/// `step` as the network's `onIdle`: each process says HELLO (at `helloAt`), heartbeats every
/// second while `alive`, and answers every TASK with what `respond` returns, `delay` seconds
/// later; everything the coordinator sent it is kept with its time.
final class FakeClientProcesses {
    struct Task {
        var time: Double
        var round: UInt32
        var ids: [UInt32]
        var model: [Float]
        /// The worker states the TASK carried (empty, or one per id).
        var states: [[Float]] = []
    }

    final class Process {
        let identity: [UInt8]
        var hello: Message
        var userId: String?
        /// Seconds on the manual clock at which it says HELLO.
        var helloAt = 0.0
        /// Heartbeats every second while true; a silent process neither beats nor answers.
        var alive = true
        /// Seconds between a TASK and the answer.
        var delay = 0.0
        /// The messages (frames) it sends for a TASK. Default: one update per id, every
        /// coordinate 1, 10 samples.
        var respond: (Task) -> [[[UInt8]]]
        /// Everything the coordinator sent it, with the time.
        var received: [(time: Double, message: Message)] = []
        fileprivate var greeted = false
        fileprivate var lastBeat = -Double.infinity

        init(identity: [UInt8], ids: [UInt32], fingerprint: UInt64, parameters d: Int) {
            self.identity = identity
            hello = .hello(fingerprint: fingerprint, clientIds: ids)
            respond = { task in
                task.ids.map { FakeClientProcesses.update(round: task.round, client: $0, samples: 10, value: 1, parameters: d) }
            }
        }

        var tasks: [Task] {
            received.compactMap { entry in
                guard case let .task(r, ids, model, states) = entry.message else { return nil }
                return Task(time: entry.time, round: r, ids: ids, model: model, states: states)
            }
        }

        var welcomes: [[UInt32]] {
            received.compactMap { if case let .welcome(_, _, ids, _) = $0.message { return ids } else { return nil } }
        }

        var shutdowns: [String] {
            received.compactMap { if case let .shutdown(reason) = $0.message { return reason } else { return nil } }
        }

        var heartbeatTimes: [Double] {
            received.compactMap { $0.message.isHeartbeat ? $0.time : nil }
        }
    }

    let server: MemoryServerTransport
    let clock: ManualClock
    private(set) var processes: [Process] = []
    /// What the coordinator sent to identities that are not processes here (strangers).
    private(set) var others: [(identity: [UInt8], message: Message)] = []
    private var pending: [(due: Double, frames: [[UInt8]], from: [UInt8], userId: String?)] = []
    let fingerprint: UInt64
    let parameters: Int

    init(server: MemoryServerTransport, clock: ManualClock, scenario: Scenario, parameters: Int) {
        self.server = server
        self.clock = clock
        fingerprint = scenario.fingerprint
        self.parameters = parameters
    }

    @discardableResult
    func add(_ identity: [UInt8], ids: [UInt32]) -> Process {
        let p = Process(identity: identity, ids: ids, fingerprint: fingerprint, parameters: parameters)
        processes.append(p)
        return p
    }

    /// Pushes `frames` from `identity` once the clock reaches `time` (seconds).
    func inject(_ frames: [[UInt8]], from identity: [UInt8], at time: Double, userId: String? = nil) {
        pending.append((time, frames, identity, userId))
    }

    /// An UPDATE whose delta is `value` in every coordinate.
    static func update(round: UInt32, client: UInt32, samples: UInt32, value: Float, parameters d: Int) -> [[UInt8]] {
        MessageCodec.encode(.update(round: round, clientId: client, samples: samples, trainLoss: 0.5,
                                    delta: [Float](repeating: value, count: d)))
    }

    /// The peers' turn (the memory network's `onIdle`).
    func step() {
        let now = clock.elapsed
        for (identity, message) in server.takeMessages() {
            guard let p = processes.first(where: { $0.identity == identity }) else {
                others.append((identity, message))
                continue
            }
            p.received.append((now, message))
            if case let .task(r, ids, model, states) = message, p.alive {
                for frames in p.respond(Task(time: now, round: r, ids: ids, model: model, states: states)) {
                    pending.append((now + p.delay, frames, p.identity, p.userId))
                }
            }
        }
        for p in processes where !p.greeted && now >= p.helloAt {
            server.push(p.hello, from: p.identity, userId: p.userId)
            p.greeted = true
        }
        for p in processes where p.greeted && p.alive && now - p.lastBeat >= 1 {
            server.push(.heartbeat(round: 0), from: p.identity, userId: p.userId)
            p.lastBeat = now
        }
        let due = pending.filter { $0.due <= now }
        pending.removeAll { $0.due <= now }
        for m in due { server.push(m.frames, from: m.from, userId: m.userId) }
    }
}
