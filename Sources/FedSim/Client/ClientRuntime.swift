import FedAttacks
import FedCore
import FedWire
import Foundation
import Logging

/// One client process: hosts one or more logical clients, trains each on its own partition
/// when the coordinator asks, and sends back the model delta (local model − global model).
/// Malicious clients poison their data or their update; colluding ones go through the
/// adversary hub (`hubEndpoint`) before they submit.
///
/// The process ends when the coordinator says the run is over, when the coordinator has been
/// silent for the heartbeat timeout, when its parent (the launcher) is gone, or on SIGTERM.
/// It runs on an `EventLoop` over the transports of a `Network` (`ZMQNetwork` in a run,
/// `MemoryNetwork` in unit tests).
public final class ClientRuntime {
    public let scenario: Scenario
    public let clientIds: [Int]
    private let data: ClientData
    private let clients: [Int: LocalClient]
    private let plan: AttackPlan
    private let sampler: ClientSampler
    private let logger: Logger
    private let parentPid: pid_t?
    /// The last global model received and its round (free riders replay its change).
    private var previousModel: (round: Int, model: [Float])?
    /// Updates sent to the hub and not yet crafted: client id -> (round, earliest send time,
    /// the worker's honest buffer to send beside the crafted update).
    private var awaitingHub: [Int: (round: Int, due: Date, state: [Float]?)] = [:]
    /// Injected faults (dropouts, stragglers); a late update waits on a loop timer.
    private let faults: FaultPlan
    /// Protocol attackers: each one's update of the round before, and the sybil identities.
    private var lastUpdate: [Int: Message] = [:]
    private var sybils: [any ClientTransport] = []
    /// Opens one more connection to the coordinator (a sybil identity); set while running.
    private var openSybil: (() throws -> any ClientTransport)?
    /// The registration and liveness state of a run.
    private var welcomed = false
    private var lastHello = Date.distantPast
    private var lastHeard = Date.distantPast
    private var lastSent = Date.distantPast
    private var round: UInt32 = 0

    /// Prepares the whole federation's data in this process (load, normalise, partition) and
    /// keeps the hosted clients' shares: a client started by hand on another machine.
    public convenience init(scenario: Scenario, clientIds: [Int], parentPid: pid_t?, logger: Logger) throws {
        try Self.checkIds(clientIds, scenario: scenario)
        let data = ClientData(federation: try FederationData.prepare(scenario), clientIds: clientIds)
        try self.init(scenario: scenario, data: data, clientIds: clientIds, parentPid: parentPid, logger: logger)
    }

    /// Hosts `clientIds` on data already cut for them (`ClientData`, e.g. from a shard file).
    public init(scenario: Scenario, data: ClientData, clientIds: [Int], parentPid: pid_t?, logger: Logger) throws {
        try Self.checkIds(clientIds, scenario: scenario)
        if let missing = clientIds.first(where: { data.local[$0] == nil }) {
            throw ClientError.mismatch("no local data for client \(missing)")
        }
        self.scenario = scenario
        self.logger = logger
        self.parentPid = parentPid
        self.clientIds = clientIds.sorted()
        self.data = data
        plan = AttackPlan(scenario)
        sampler = ClientSampler(scenario)
        faults = FaultPlan(scenario)
        var clients: [Int: LocalClient] = [:]
        for id in clientIds {
            guard let clean = data.local[id] else { continue }
            guard let g = plan.group(of: id) else {
                var client = LocalClient(id: id, clean: clean, poisoned: nil, group: nil, modelAttack: nil, boost: 1)
                client.adversarial = scenario.localTraining.adversarial.map { ($0, data.domain) }
                clients[id] = client
                continue
            }
            let group = plan.groups[g]
            var poisonRNG = SeededRNG(seed: scenario.seed).derive("poison", id)
            var facts = data.facts
            facts.attacker = plan.members[g].firstIndex(of: id) ?? 0
            facts.attackers = plan.members[g].count
            let poisoned = try AttackFactory.dataAttack(group, facts: facts).map { $0.poison(clean, rng: &poisonRNG) }
            clients[id] = LocalClient(id: id, clean: clean, poisoned: poisoned, group: g,
                                      modelAttack: try AttackFactory.modelAttack(group),
                                      boost: Float(AttackFactory.boost(group, scenario: scenario, groupSize: plan.members[g].count)))
        }
        self.clients = clients
    }

    private static func checkIds(_ ids: [Int], scenario: Scenario) throws {
        let n = scenario.federation.clients
        if let bad = ids.first(where: { $0 < 0 || $0 >= n }) {
            throw ClientError.badClientId(bad, clients: n)
        }
    }

    /// The ids this process hosts that need the adversary hub.
    public var colludingIds: [Int] {
        clientIds.filter { id in clients[id]?.modelAttack?.needsCollusion == true }
    }

    /// Connects to the coordinator at `endpoint` over ZeroMQ (and to the hub when some hosted
    /// client colludes) and serves until the run ends.
    public func run(endpoint: String, hubEndpoint: String? = nil, curve: ClientCurve? = nil) throws {
        try run(network: try ZMQNetwork(), endpoint: endpoint, hubEndpoint: hubEndpoint, curve: curve)
    }

    /// Connects to the coordinator at `endpoint` on `network` (which it closes when done; and
    /// to the hub when some hosted client colludes) and serves until the run ends.
    public func run(network: any Network, endpoint: String, hubEndpoint: String? = nil, curve: ClientCurve? = nil) throws {
        let f = scenario.federation
        let d = data.model.parameterCount
        defer { network.close() }
        // TASKs carry the model and the ids: `MessageSizeLimit.forTasks`, with the client's slack.
        // With worker momentum a TASK carries one state frame per hosted client more.
        let states = f.workerMomentum?.keepsBuffer == true ? clientIds.count : 0
        let socket = try network.open(endpoint, as: .client(parameters: d, clients: f.clients, curve: curve, states: states))
        defer { socket.close() }
        openSybil = { try network.open(endpoint, as: .sybil) }
        defer {
            for s in sybils { s.close() }
            sybils = []
            openSybil = nil
        }

        var hub: (any ClientTransport)?
        defer {
            if let hub {
                _ = try? hub.send(MessageCodec.encode(.shutdown(reason: "done")), wait: false)
                hub.close()
            }
        }
        if !colludingIds.isEmpty {
            guard let hubEndpoint else { throw ClientError.noHub(colludingIds) }
            let h = try network.open(hubEndpoint, as: .hubClient)
            _ = try h.send(MessageCodec.encode(.hello(fingerprint: scenario.fingerprint, clientIds: colludingIds.map(UInt32.init))), wait: true)
            hub = h
        }

        let limits = CodecLimits.federation(parameters: d, clients: f.clients)
        let hello = MessageCodec.encode(.hello(fingerprint: scenario.fingerprint, clientIds: clientIds.map(UInt32.init)))
        _ = try socket.send(hello, wait: true)
        let loop = network.makeLoop()
        welcomed = false
        lastHello = loop.now
        lastHeard = loop.now
        lastSent = loop.now
        round = 0
        let startupDeadline = loop.now.addingTimeInterval(f.startupTimeout)
        logger.info("clients \(clientIds) connecting to \(endpoint)")

        loop.atTurnStart { [unowned self, unowned loop] in
            if SignalTrap.interrupted != nil {
                logger.info("stopping on signal")
                loop.stop()
            } else if let parentPid, getppid() != parentPid {
                logger.info("launcher is gone; stopping")
                loop.stop()
            }
        }
        if let hub {
            loop.watch(hub) { [unowned self, unowned loop] in
                while let frames = try hub.receive() {
                    try forwardCrafted(frames, limits: limits, to: socket, loop: loop)
                }
            }
        }
        loop.watch(socket) { [unowned self, unowned loop] in
            while let frames = try socket.receive() {
                lastHeard = loop.now
                let message: Message
                do { message = try MessageCodec.decode(frames, limits: limits) } catch {
                    logger.warning("dropped a malformed message from the coordinator: \(error)")
                    continue
                }
                if try handle(message, socket: socket, hub: hub, loop: loop) == .stop { return loop.stop() }
            }
        }
        loop.atTurnEnd { [unowned self, unowned loop] in
            let now = loop.now
            if !welcomed {
                if now > startupDeadline { throw ClientError.noCoordinator(endpoint, seconds: f.startupTimeout) }
                if now.timeIntervalSince(lastHello) > 2 { _ = try socket.send(hello, wait: false); lastHello = now }
            } else {
                if now.timeIntervalSince(lastHeard) > f.heartbeatTimeout {
                    throw ClientError.coordinatorSilent(seconds: f.heartbeatTimeout)
                }
                // Silent for three heartbeat intervals: the connection may have dropped and come
                // back; HELLO again, so the coordinator re-sends an open round's task (section 5).
                if now.timeIntervalSince(lastHeard) > 3 * SessionDocument.heartbeatInterval,
                   now.timeIntervalSince(lastHello) > SessionDocument.helloRetry {
                    _ = try socket.send(hello, wait: false)
                    lastHello = now
                }
                if now.timeIntervalSince(lastSent) >= 1 {
                    _ = try socket.send(MessageCodec.encode(.heartbeat(round: round)), wait: false)
                    lastSent = now
                }
            }
        }
        // The longest wait is 500 ms; a straggler's timer wakes the loop sooner.
        try loop.run(maxWait: 0.5)
    }

    private enum Next { case goOn, stop }

    /// One message from the coordinator.
    private func handle(_ message: Message, socket: any ClientTransport, hub: (any ClientTransport)?,
                        loop: EventLoop) throws -> Next {
        switch message {
        case let .welcome(fingerprint, count, accepted, _):
            guard fingerprint == scenario.fingerprint, Int(count) == data.model.parameterCount else {
                throw ClientError.mismatch("coordinator runs a different scenario (fingerprint \(hex(fingerprint)), \(count) parameters; ours \(hex(scenario.fingerprint)), \(data.model.parameterCount))")
            }
            if !welcomed {
                let refused = Set(clientIds).subtracting(accepted.map(Int.init)).sorted()
                if refused.isEmpty { logger.info("registered with the coordinator") } else {
                    logger.warning("the coordinator accepted clients \(accepted) and refused \(refused)")
                }
            }
            welcomed = true
        case let .task(r, ids, model, states):
            round = r
            try train(round: Int(r), ids: ids.map(Int.init), model: model, states: states, socket: socket, hub: hub, loop: loop)
            lastSent = loop.now
        case let .heartbeat(r):
            round = max(round, r)
        case let .shutdown(reason):
            if reason.hasPrefix("rejected") { throw ClientError.refused(reason) }
            logger.info("coordinator ended the run: \(reason)")
            return .stop
        case .hello, .update:
            logger.warning("dropped an unexpected message kind from the coordinator")
        }
        return .goOn
    }

    /// Trains every listed client this process hosts from `model`; sends one update each to
    /// the coordinator, or to the hub for colluding attackers.
    private func train(round r: Int, ids: [Int], model: [Float], states: [[Float]], socket: any ClientTransport,
                       hub: (any ClientTransport)?, loop: EventLoop) throws {
        guard model.count == data.model.parameterCount else {
            logger.warning("round \(r): task model has \(model.count) parameters, expected \(data.model.parameterCount); ignored")
            return
        }
        let f = scenario.federation
        let procedure = LocalClient.Procedure(f)
        var change: [Float]?
        if let p = previousModel, p.round == r - 1 {
            // In FedSGD mode the model moved by lr * aggregate: the change in update units is / lr.
            let eta = f.mode == .fedsgd ? f.serverStep : 1
            change = zip(model, p.model).map { f.mode == .fedsgd ? ($0 - $1) / eta : $0 - $1 }
        }
        previousModel = (r, model)
        let sampled = sampler.sample(round: r)
        for (k, id) in ids.enumerated() {
            let buffer = k < states.count && !states[k].isEmpty ? states[k] : nil
            guard let client = clients[id] else {
                logger.warning("round \(r): asked to train client \(id), which this process does not host")
                continue
            }
            let fault = faults.fault(client: id, round: r)
            if fault == .dropout {
                logger.info("round \(r): client \(id) drops out (faults.dropout)")
                continue
            }
            var due = loop.now
            if case let .straggler(delay) = fault {
                due = loop.now.addingTimeInterval(delay)
                logger.info("round \(r): client \(id) answers \(String(format: "%.2f", delay)) s late (faults.straggler)")
            }
            let active = plan.activeGroup(of: id, round: r) != nil
            let attackers = client.group.map { Set(sampled).intersection(plan.members[$0]).count } ?? 0
            let (outcome, samples, loss) = try client.train(
                round: r, model: model, buffer: buffer, active: active, architecture: data.model, procedure: procedure,
                seed: scenario.seed,
                sampled: sampled.count, attackersSampled: attackers, previousChange: change)
            switch outcome {
            case let .send(delta, state):
                let update = Message.update(round: UInt32(r), clientId: UInt32(id), samples: UInt32(samples),
                                            trainLoss: Float(loss), delta: delta, state: state)
                if active, let g = client.group, plan.groups[g].descriptor.isWire {
                    try attackProtocol(plan.groups[g], id: id, honest: update, socket: socket)
                } else {
                    try submit(update, to: socket, at: due, loop: loop)
                }
            case let .collude(delta, state):
                guard let hub else { continue }
                awaitingHub[id] = (r, due, state)
                _ = try hub.send(MessageCodec.encode(.update(round: UInt32(r), clientId: UInt32(id), samples: UInt32(samples),
                                                             trainLoss: Float(loss), delta: delta)), wait: true)
            }
        }
    }

    /// Sends what a protocol attacker sends this round (see `ProtocolAttacker`).
    private func attackProtocol(_ group: AttackGroupConfig, id: Int, honest: Message, socket: any ClientTransport) throws {
        guard let behaviour = ProtocolAttacker.Behaviour(rawValue: group.kind) else { return }
        let count = ProtocolAttacker.count(group.parameters, behaviour)
        let victim = (0..<scenario.federation.clients).first { plan.group(of: $0) == nil } ?? 0
        for frames in ProtocolAttacker.messages(behaviour, count: count, honest: honest, previous: lastUpdate[id], victim: victim) {
            _ = try socket.send(frames, wait: true)
        }
        lastUpdate[id] = honest
        if behaviour == .sybil, sybils.isEmpty, let openSybil {
            // Join under many identities: fresh connections claiming an honest client's id
            // (id_taken) or ids outside the federation (unknown_client).
            for k in 0..<count {
                let s = try openSybil()
                sybils.append(s)
                let ids = [UInt32(k % 2 == 0 ? victim : scenario.federation.clients + k)]
                _ = try s.send(MessageCodec.encode(.hello(fingerprint: scenario.fingerprint, clientIds: ids)), wait: false)
            }
            logger.info("client \(id) opened \(count) sybil identities")
        }
    }

    /// A crafted update from the hub: submit it to the coordinator as the client's update.
    private func forwardCrafted(_ frames: [[UInt8]], limits: CodecLimits, to socket: any ClientTransport,
                                loop: EventLoop) throws {
        guard let message = try? MessageCodec.decode(frames, limits: limits) else {
            logger.warning("dropped a malformed message from the hub")
            return
        }
        switch message {
        case let .update(round, clientId, samples, loss, delta, _) where awaitingHub[Int(clientId)]?.round == Int(round):
            let waiting = awaitingHub[Int(clientId)]
            awaitingHub[Int(clientId)] = nil
            // The crafted update goes out with the worker's own honest buffer beside it.
            let crafted = Message.update(round: round, clientId: clientId, samples: samples, trainLoss: loss,
                                         delta: delta, state: waiting?.state)
            try submit(crafted, to: socket, at: waiting?.due ?? loop.now, loop: loop)
        case let .shutdown(reason):
            logger.warning("the adversary hub refused this process: \(reason)")
        case .welcome:
            logger.info("registered colluding clients \(colludingIds) with the adversary hub")
        default:
            break
        }
    }

    /// Sends an update to the coordinator now, or holds it on a loop timer until `due` (a straggler).
    private func submit(_ update: Message, to socket: any ClientTransport, at due: Date, loop: EventLoop) throws {
        if due > loop.now {
            loop.schedule(at: due) { _ = try socket.send(MessageCodec.encode(update), wait: true) }
        } else {
            _ = try socket.send(MessageCodec.encode(update), wait: true)
        }
    }
}

public enum ClientError: Error, CustomStringConvertible {
    case badClientId(Int, clients: Int)
    case mismatch(String)
    case refused(String)
    case noCoordinator(String, seconds: Double)
    case coordinatorSilent(seconds: Double)
    case noHub([Int])

    public var description: String {
        switch self {
        case let .badClientId(id, n): return "client id \(id) is out of range; the scenario has clients 0..<\(n)"
        case let .mismatch(s): return s
        case let .refused(reason): return "the coordinator refused this process: \(reason)"
        case let .noCoordinator(ep, s): return "no answer from a coordinator at \(ep) within \(fmt(s)) s (federation.startup_timeout)"
        case let .coordinatorSilent(s): return "the coordinator has been silent for \(fmt(s)) s (federation.heartbeat_timeout); stopping"
        case let .noHub(ids): return "clients \(ids) collude and need the adversary hub; give its endpoint with --hub"
        }
    }
}
