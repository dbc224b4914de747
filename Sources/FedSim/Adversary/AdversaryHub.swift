import FedAttacks
import FedCore
import FedWire
import Foundation
import Logging

/// The adversary hub: the attackers' own infrastructure, a separate process that colluding
/// malicious clients connect to. Each round it gathers their honest updates (and, when the
/// scenario says `knowledge: omniscient`, the honest clients' updates that the coordinator
/// forwards on a simulation-only tap), crafts the malicious updates (ALIE, IPM, min-max,
/// min-sum) and sends each attacker the update to submit.
///
/// Messages use the fedsim codec (docs/PROTOCOL.md): HELLO/WELCOME to register, UPDATE both
/// ways (honest in, crafted out), SHUTDOWN from a client process that is done. It runs on an
/// `EventLoop` over the transports of a `Network` (`ZMQNetwork` in a run, `MemoryNetwork` in
/// unit tests).
public final class AdversaryHub {
    public let scenario: Scenario
    public let plan: AttackPlan
    public private(set) var endpoint: String
    public private(set) var tapEndpoint: String?

    private let sampler: ClientSampler
    private let attacks: [Int: any ModelAttack]
    /// The server's defence as a black box, for attacks tailored to it (`Adaptive`).
    private let oracle: AggregationOracle
    private let logger: Logger
    private let network: any Network
    private let loop: EventLoop
    private let socket: any ServerTransport
    private let tap: (any ClientTransport)?
    private let limits: CodecLimits
    private let timeout: Double

    private struct Submission {
        var identity: [UInt8]
        var samples: UInt32
        var loss: Float
        var delta: [Float]
    }
    private struct Key: Hashable { var round: Int; var group: Int }

    /// The launcher's pid while running (the hub stops when it is gone).
    private var parentPid: pid_t?
    private var processes: [[UInt8]: [Int]] = [:]
    private var finished: Set<[UInt8]> = []
    private var submissions: [Key: [Int: Submission]] = [:]
    private var firstSubmission: [Key: Date] = [:]
    private var honest: [Int: [Int: [Float]]] = [:]
    private var crafted: Set<Key> = []
    /// Crafted rounds, for the hub's own log and tests.
    public private(set) var craftedCount = 0

    /// A hub over ZeroMQ bound at `bind` (and the tap at `tapBind`).
    public convenience init(scenario: Scenario, attacks: [Int: any ModelAttack], parameterCount: Int,
                            bind: String, tapBind: String?, logger: Logger) throws {
        try self.init(scenario: scenario, attacks: attacks, parameterCount: parameterCount, network: try ZMQNetwork(),
                      bind: bind, tapBind: tapBind, logger: logger)
    }

    /// A hub on `network` (which it owns and closes), bound at `bind` (and the tap at `tapBind`).
    public init(scenario: Scenario, attacks: [Int: any ModelAttack], parameterCount: Int, network: any Network,
                bind: String, tapBind: String?, logger: Logger) throws {
        self.scenario = scenario
        plan = AttackPlan(scenario)
        sampler = ClientSampler(scenario)
        self.attacks = attacks
        oracle = AggregationOracle.defense(of: scenario)
        self.logger = logger
        timeout = max(1, scenario.federation.deadline / 3)
        limits = .federation(parameters: parameterCount, clients: scenario.federation.clients)
        self.network = network
        loop = network.makeLoop()
        do {
            // The ROUTER accepts HELLOs and UPDATEs, the tap UPDATEs only (`MessageSizeLimit.forUpdates`).
            socket = try network.listen(bind, as: .hub(parameters: parameterCount, clients: scenario.federation.clients))
            endpoint = socket.endpoint
            // Forwarded UPDATEs of malicious workers carry their state frame (worker momentum).
            let states = scenario.federation.workerMomentum?.keepsBuffer == true ? 1 : 0
            tap = try tapBind.map { try network.open($0, as: .tapReceiver(parameters: parameterCount, states: states)) }
            tapEndpoint = tap?.endpoint
        } catch {
            network.close()
            throw error
        }
        wire()
    }

    /// A hub for `scenario`'s colluding groups (the model size comes from the scenario).
    public static func make(scenario: Scenario, bind: String, tapBind: String?, logger: Logger) throws -> AdversaryHub {
        let data = try FederationData.prepare(scenario)
        return try AdversaryHub(scenario: scenario, attacks: try AttackFactory.hubAttacks(scenario),
                                parameterCount: data.model.parameterCount, bind: bind, tapBind: tapBind, logger: logger)
    }

    deinit { close() }

    public func close() {
        tap?.close()
        socket.close()
        network.close()
    }

    /// Serves until every registered client process has said it is done, a signal arrives,
    /// or (when `parentPid` is given) the launcher is gone.
    public func run(parentPid: pid_t?) throws {
        self.parentPid = parentPid
        try loop.run(maxWait: 0.2)
    }

    /// The loop's stop conditions, handlers and per-turn crafting.
    private func wire() {
        loop.atTurnStart { [unowned self] in
            if SignalTrap.interrupted != nil { return loop.stop() }
            if let parentPid, getppid() != parentPid { return loop.stop() }
            if !processes.isEmpty && finished.count >= processes.count { return loop.stop() }
        }
        loop.watch(socket) { [unowned self] in
            while let event = try socket.receive() {
                if case let .message(identity, frames, _) = event { handleClient(identity, frames) }
            }
        }
        if let tap {
            loop.watch(tap) { [unowned self] in
                while let frames = try tap.receive() { handleTap(frames) }
            }
        }
        // Every turn (at least every 200 ms): craft for the groups that have all they wait
        // for, or have waited long enough.
        loop.atTurnEnd { [unowned self] in craftWhatIsReady() }
    }

    // MARK: - Messages

    private func handleClient(_ identity: [UInt8], _ frames: [[UInt8]]) {
        guard !frames.isEmpty else { return }
        let message: Message
        do { message = try MessageCodec.decode(frames, limits: limits) } catch {
            logger.warning("hub dropped a malformed message: \(error)")
            return
        }
        switch message {
        case let .hello(fingerprint, ids):
            guard fingerprint == scenario.fingerprint else {
                _ = try? socket.send(MessageCodec.encode(.shutdown(reason: "rejected: scenario fingerprint differs from the hub's")), to: identity)
                return
            }
            let mine = ids.map(Int.init).filter { plan.group(of: $0) != nil }
            guard !mine.isEmpty else {
                _ = try? socket.send(MessageCodec.encode(.shutdown(reason: "rejected: none of these clients is malicious")), to: identity)
                return
            }
            processes[identity] = mine
            _ = try? socket.send(MessageCodec.encode(.welcome(
                fingerprint: scenario.fingerprint, parameterCount: UInt32(limits.maxParameters),
                clientIds: mine.map(UInt32.init))), to: identity)
        case let .update(round, clientId, samples, loss, delta, _):
            let id = Int(clientId), r = Int(round)
            guard processes[identity]?.contains(id) == true, let g = plan.activeGroup(of: id, round: r),
                  attacks[g] != nil else {
                logger.warning("hub ignored an update from client \(clientId) for round \(round)")
                return
            }
            let key = Key(round: r, group: g)
            guard !crafted.contains(key) else {
                logger.warning("round \(r): client \(id) submitted after the hub crafted; ignored")
                return
            }
            submissions[key, default: [:]][id] = Submission(identity: identity, samples: samples, loss: loss, delta: delta)
            if firstSubmission[key] == nil { firstSubmission[key] = loop.now }
        case .shutdown:
            finished.insert(identity)
        case .heartbeat, .welcome, .task:
            break
        }
    }

    private func handleTap(_ frames: [[UInt8]]) {
        guard case let .update(round, clientId, _, _, delta, _)? = try? MessageCodec.decode(frames, limits: limits) else { return }
        let id = Int(clientId)
        // The tap carries every update the coordinator accepted; the hub keeps the honest ones.
        guard plan.group(of: id) == nil else { return }
        honest[Int(round), default: [:]][id] = delta
    }

    // MARK: - Crafting

    private func craftWhatIsReady() {
        let now = loop.now
        for (key, subs) in submissions where !crafted.contains(key) {
            let group = plan.groups[key.group]
            let sampled = sampler.sample(round: key.round)
            let registered = Set(processes.values.joined())
            let expected = Set(sampled).intersection(plan.members[key.group]).intersection(registered)
            let honestExpected = Set(sampled).subtracting(plan.allMalicious)
            let haveAll = Set(subs.keys).isSuperset(of: expected)
                && (group.knowledge == .colluding || (honest[key.round]?.count ?? 0) >= honestExpected.count)
            let waited = now.timeIntervalSince(firstSubmission[key] ?? now)
            guard haveAll || waited >= timeout else { continue }
            if !haveAll {
                logger.warning("round \(key.round): crafting with \(subs.count) of \(expected.count) attackers and \(honest[key.round]?.count ?? 0) of \(honestExpected.count) honest updates after \(Int(timeout)) s")
            }
            craft(key, subs: subs, sampled: sampled.count)
        }
        // Forget rounds that are over.
        if let newest = crafted.map(\.round).max() {
            for k in submissions.keys where k.round < newest - 1 { submissions[k] = nil; firstSubmission[k] = nil }
            for r in honest.keys where r < newest - 1 { honest[r] = nil }
            crafted = crafted.filter { $0.round >= newest - 1 }
        }
    }

    private func craft(_ key: Key, subs: [Int: Submission], sampled n: Int) {
        crafted.insert(key)
        guard let attack = attacks[key.group] else { return }
        let ids = subs.keys.sorted()
        let d = subs[ids[0]]?.delta.count ?? 0
        var own = UpdateMatrix(rows: ids.count, columns: d)
        for (i, id) in ids.enumerated() { if let s = subs[id] { own.setRow(i, s.delta) } }
        var benign = own
        if plan.groups[key.group].knowledge == .omniscient, let h = honest[key.round], !h.isEmpty {
            let hid = h.keys.sorted()
            benign = UpdateMatrix(rows: hid.count, columns: d)
            for (i, id) in hid.enumerated() { if let v = h[id] { benign.setRow(i, v) } }
        }
        let f = Set(sampler.sample(round: key.round)).intersection(plan.members[key.group]).count
        var rng = SeededRNG(seed: scenario.seed).derive("craft", key.round, key.group)
        let input = AttackInput(own: own, benign: benign, totalClients: n, maliciousClients: f, round: key.round,
                                oracle: oracle)
        do {
            let out = try attack.craft(input, rng: &rng)
            // Counted before the replies leave, so whoever receives one sees the count.
            craftedCount += 1
            for (i, id) in ids.enumerated() {
                guard let s = subs[id] else { continue }
                let reply = Message.update(round: UInt32(key.round), clientId: UInt32(id), samples: s.samples,
                                           trainLoss: s.loss, delta: out.row(i))
                _ = try? socket.send(MessageCodec.encode(reply), to: s.identity)
            }
            logger.info("round \(key.round): crafted \(attack.name) for clients \(ids) from \(benign.rows) known updates")
        } catch {
            // The attack cannot run this round (e.g. min-max with one known update): the
            // attackers submit their honest updates rather than stall the round.
            logger.warning("round \(key.round): \(attack.name) could not craft: \(error); its attackers send their honest updates")
            for id in ids {
                guard let s = subs[id] else { continue }
                let reply = Message.update(round: UInt32(key.round), clientId: UInt32(id), samples: s.samples,
                                           trainLoss: s.loss, delta: s.delta)
                _ = try? socket.send(MessageCodec.encode(reply), to: s.identity)
            }
        }
    }
}
