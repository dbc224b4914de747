import FedCore
import FedEval
import FedRobust
import FedWire
import Foundation
import Logging

/// The coordinator: owns the round lifecycle (Flower's shape) and keeps the maths elsewhere.
///
/// Per round: sample a fraction of the clients with the seed, send the global model to the
/// processes hosting them, collect updates until all arrived or the deadline passed, require
/// a quorum, aggregate (FedAvg weighted by sample counts), apply with the server learning
/// rate, evaluate on the held-out test set and record. Every received message is validated
/// before anything else touches it; a bad one is counted by reason and dropped.
///
/// It runs on an `EventLoop` over a `ServerTransport` made by its `Network`: `ZMQNetwork` in
/// a run, `MemoryNetwork` in unit tests (manual clock, no socket).
public final class Coordinator {
    public let scenario: Scenario
    public let data: FederationData
    public private(set) var global: [Float]
    public private(set) var boundEndpoint: String
    /// Every finished round, including those before a resume.
    public private(set) var digests: [RoundDigest] = []
    /// The first round this coordinator runs (after a resume, the one after the checkpoint's).
    public private(set) var firstRound = 1
    /// The round after which the global model held a non-finite value, when it did.
    public private(set) var divergedRound: Int?
    /// True once every client has registered (the rounds may start).
    public private(set) var registrationComplete = false

    private let network: any Network
    /// The loop the coordinator runs on (its clock times the rounds, deadlines and liveness).
    let loop: EventLoop
    private let transport: any ServerTransport
    /// Simulation-only tap to the adversary hub (omniscient attackers): every accepted update
    /// is forwarded, whoever sent it; the coordinator does not know who is malicious.
    private let tap: (any ClientTransport)?
    /// CurveZMQ: who may host which ids (the transport's ZAP handler admits the keys).
    private let allowlist: CurveAllowlist?
    /// Ground truth and attack metrics, used for the results only (never by aggregation).
    let plan: AttackPlan
    let evaluator: AttackEvaluator
    /// The threat evaluations of `evaluate:` (results only).
    let threats: ThreatEvaluator
    /// The rule, its state and the privacy accountant.
    let server: ServerAggregation
    /// The workers' momentum buffers (FedSGD with `momentum_buffer: worker`, `momentum` > 0), or nil.
    private(set) var workers: WorkerStates?
    private let logger: Logger
    private let limits: CodecLimits
    private var peers = PeerTable()
    private var collector: RoundCollector?
    /// Rejections seen outside a round (before the first, between rounds); added to the next round.
    private var pendingRejections: [String: Int] = [:]
    private var currentRound = 0
    private var loggedReasons: Set<String> = []
    /// The rejection reasons already warned about in this run (later rounds log them at info).
    private var warnedReasons: Set<String> = []
    /// The clients that sent no update last round, so the same silence warns once.
    private var lastMissing: [Int] = []
    /// Whether an UPDATE's `samples` must be its client's shard size (`wrong_samples`); unit
    /// tests that drive hand-made updates with chosen weights switch it off.
    var checksShardSizes = true
    /// The session document's shard entries, computed once per client (protocol v2 WELCOME).
    private var shards: [Int: SessionDocument.ClientShard] = [:]

    /// The attack success metric reported in rounds.csv, if any.
    public var attackMetric: String? { evaluator.metric }

    /// Called on every loop turn (about every 100 ms); throwing from it stops the run.
    public var tick: () throws -> Void = {}

    /// A coordinator over ZeroMQ bound at `endpoint` (what `fedsim run` and `fedsim coordinator` use).
    public convenience init(scenario: Scenario, data: FederationData, endpoint: String, tapEndpoint: String? = nil,
                            curve: ServerCurve? = nil, logger: Logger) throws {
        try self.init(scenario: scenario, data: data, network: try ZMQNetwork(), endpoint: endpoint,
                      tapEndpoint: tapEndpoint, curve: curve, logger: logger)
    }

    /// A coordinator on `network` (which it owns and closes), bound at `endpoint`, with the
    /// simulation tap to the hub at `tapEndpoint` and CURVE when `curve` is given.
    public init(scenario: Scenario, data: FederationData, network: any Network, endpoint: String,
                tapEndpoint: String? = nil, curve: ServerCurve? = nil, logger: Logger) throws {
        self.scenario = scenario
        self.data = data
        self.logger = logger
        plan = AttackPlan(scenario)
        evaluator = try AttackEvaluator(scenario: scenario, data: data)
        threats = ThreatEvaluator(scenario: scenario, data: data)
        server = try ServerAggregation(scenario: scenario, data: data)
        global = data.initialParameters
        let d = data.model.parameterCount
        let n = scenario.federation.clients
        let keepsBuffers = scenario.federation.workerMomentum?.keepsBuffer == true
        workers = keepsBuffers ? WorkerStates(parameters: d, clients: n) : nil
        limits = .federation(parameters: d, clients: n)
        if let problem = scenario.transport.exposure(binding: endpoint) {
            network.close()
            throw CoordinatorError.exposed(endpoint: endpoint, problem)
        }
        self.network = network
        loop = network.makeLoop()
        allowlist = curve?.allowlist
        do {
            // The ROUTER accepts an UPDATE (header + d floats) or a HELLO listing every client
            // (`MessageSizeLimit.forUpdates`); under CURVE its ZAP handler is bound first.
            // With worker momentum an UPDATE may carry one state frame more.
            transport = try network.listen(endpoint, as: .coordinator(parameters: d, clients: n, curve: curve,
                                                                      maxPeers: scenario.transport.maxPeers,
                                                                      states: keepsBuffers ? 1 : 0))
            boundEndpoint = transport.endpoint
            tap = try tapEndpoint.map { try network.open($0, as: .tapSender) }
        } catch {
            network.close()
            throw error
        }
        loop.atTurnStart { [unowned self] in
            if let sig = SignalTrap.interrupted { throw CoordinatorError.interrupted(signal: sig) }
            try tick()
        }
        loop.watch(transport) { [unowned self] in try drain() }
        loop.every(1) { [unowned self] in sendHeartbeats() }
    }

    deinit { close() }

    /// Closes the tap, the transport and the network (idempotent).
    public func close() {
        tap?.close()
        transport.close()
        network.close()
    }

    // MARK: - Run

    /// Waits for every client to register, runs all rounds, then tells the clients to stop.
    /// `onRound` sees each finished round (after it was recorded in `results`).
    public func run(results: RunResults?, onRound: (RoundRecord) -> Void = { _ in }) throws {
        let f = scenario.federation
        try waitForRegistration(timeout: f.startupTimeout)
        defer { broadcastShutdown("run complete") }
        guard firstRound <= f.rounds else { return }
        for r in firstRound...f.rounds {
            var record = try runRound(r)
            // A model with non-finite values (an attack that blew it up) is the run's result,
            // not a failure: the round is recorded, and the run ends as diverged.
            // Diverged: a parameter is not finite, or the model's outputs overflow (its test
            // loss is not finite), after which clients can only send non-finite updates.
            var diverged: String?
            if let bad = global.firstIndex(where: { !$0.isFinite }) {
                diverged = "global parameter \(bad) is \(global[bad])"
            } else if !record.testLoss.isFinite {
                diverged = "the test loss is \(record.testLoss) (the model's outputs overflow)"
            }
            if let diverged {
                record.note = "diverged: " + diverged
                divergedRound = r
            }
            digests.append(RoundDigest(record))
            try results?.record(record)
            if diverged != nil {
                onRound(record)
                throw CoordinatorError.diverged(round: r)
            }
            try results?.checkpoint(Checkpoint(
                fingerprint: hex(scenario.fingerprint), round: r, digests: digests, states: savedStates, model: global))
            onRound(record)
        }
    }

    /// Continues from a checkpoint of the same scenario: the next round is the one after it.
    /// The checkpoint is validated first (`Checkpoint.validate`); nothing is changed when it fails.
    public func resume(from c: Checkpoint, path: String = Checkpoint.fileName) throws {
        try c.validate(scenario: scenario, parameters: global.count, path: path)
        if var w = workers {
            guard let s = c.states[WorkerStates.checkpointKey] else {
                throw CheckpointError.corrupt(path, "no worker momentum buffers, which this scenario keeps (federation.momentum_buffer: worker)")
            }
            do { try w.restore(s) } catch { throw CheckpointError.corrupt(path, "\(error)") }
            workers = w
        }
        try server.restore(c.states)
        global = c.model
        digests = c.digests
        firstRound = c.round + 1
    }

    /// What the checkpoint keeps of every stateful component: the server's and the workers' buffers.
    var savedStates: [String: SavedState] {
        var states = server.savedStates
        if let workers { states[WorkerStates.checkpointKey] = workers.savedState }
        return states
    }

    /// The TASK of round `r` for `ids` (with their worker states when the scenario keeps them).
    private func task(round r: Int, ids: [Int]) -> [[UInt8]] {
        MessageCodec.encode(.task(round: UInt32(r), clientIds: ids.map(UInt32.init), model: global,
                                  states: workers?.states(for: ids) ?? []))
    }

    private func waitForRegistration(timeout: Double) throws {
        let n = scenario.federation.clients
        let deadline = loop.now.addingTimeInterval(timeout)
        logger.info("waiting for \(n) clients on \(boundEndpoint)")
        guard try loop.run(maxWait: Self.maxWait, deadline: deadline, until: { peers.registeredCount >= n }) else {
            throw CoordinatorError.registrationTimeout(registered: peers.registeredCount, expected: n, seconds: timeout)
        }
        registrationComplete = true
        logger.info("all \(n) clients registered")
    }

    private func runRound(_ r: Int) throws -> RoundRecord {
        let f = scenario.federation
        let start = loop.now
        currentRound = r
        let sampled = sampleClients(round: r)
        var c = RoundCollector(round: r, sampled: sampled, parameterCount: global.count,
                               shardSizes: checksShardSizes ? data.partition.sizes : nil)
        for (reason, count) in pendingRejections { for _ in 0..<count { c.reject(reason) } }
        pendingRejections = [:]
        collector = c
        defer { collector = nil }

        let now = loop.now
        for (identity, ids) in peers.tasks(for: sampled) where peers.isAlive(identity, now: now, liveness: f.heartbeatTimeout) {
            _ = try transport.send(task(round: r, ids: ids), to: identity)
        }

        // Until every sampled client answered, the deadline passed, or every client still
        // missing is hosted by a silent process.
        let deadline = start.addingTimeInterval(f.deadline)
        try loop.run(maxWait: Self.maxWait, deadline: deadline) {
            guard let col = collector else { return true }
            return col.isComplete || allMissingAreSilent(col)
        }
        guard let done = collector else { throw CoordinatorError.internalState }

        let required = max(1, Int((f.quorum * Double(sampled.count)).rounded(.up)))
        let updates = done.orderedUpdates
        if updates.count < required {
            throw CoordinatorError.quorumNotMet(round: r, received: updates.count, sampled: sampled.count,
                                                required: required, deadline: f.deadline)
        }

        // Every accepted update is its worker's new buffer, whatever the rule makes of it.
        for u in updates { workers?.record(client: u.client, update: u.delta, state: u.state) }

        let aggStart = loop.now
        var matrix = UpdateMatrix(rows: updates.count, columns: global.count)
        for (i, u) in updates.enumerated() { matrix.setRow(i, u.delta) }
        let outcome = server.aggregate(matrix, clientIds: updates.map(\.client),
                                       weights: updates.map { Double($0.samples) }, round: r, global: global)
        let previous = global
        if outcome.applied {
            // FedAvg: x += server_lr * agg(deltas); FedSGD: x += lr * server_lr * agg(-g or -m).
            let eta = f.serverStep
            for j in 0..<global.count { global[j] += eta * outcome.aggregate[j] }
        } else if let note = outcome.note {
            logger.warning("round \(r): the global model was not updated: \(note)")
        }
        let aggMs = loop.now.timeIntervalSince(aggStart) * 1000
        if !done.missing.isEmpty {
            let text = "round \(r): no update from clients \(done.missing) (deadline passed or their process is silent)"
            if done.missing == lastMissing { logger.info("\(text)") } else { logger.warning("\(text)") }
        }
        lastMissing = done.missing
        var record = report(round: r, sampled: sampled, collected: done, updates: updates, matrix: matrix, outcome: outcome,
                            aggregationMilliseconds: aggMs, started: start)
        if threats.evaluates(round: r) {
            let evalStart = loop.now
            let (threats, model) = (threats, global)
            let observed = updates.map { ObservedUpdate(client: $0.client, delta: $0.delta, samples: $0.samples) }
            let result = try offLoop {
                threats.evaluate(round: r, parameters: model, previous: previous, updates: observed)
            }
            for failure in result.failures { logger.warning("round \(r): evaluation failed: \(failure)") }
            record.evaluations = result.figures
            record.evaluations[ThreatEvaluator.costFigure] = loop.now.timeIntervalSince(evalStart) * 1000
            record.panels = result.panels
        }
        return record
    }

    /// The clients of round `r` (see `ClientSampler`).
    func sampleClients(round r: Int) -> [Int] {
        ClientSampler(scenario).sample(round: r)
    }

    /// True when every client still missing is hosted by a process not heard from within the
    /// heartbeat timeout: waiting for the deadline would be pointless.
    private func allMissingAreSilent(_ c: RoundCollector) -> Bool {
        let now = loop.now
        let liveness = scenario.federation.heartbeatTimeout
        return c.missing.allSatisfy { id in
            guard let o = peers.owner[id] else { return true }
            return !peers.isAlive(o, now: now, liveness: liveness)
        }
    }

    // MARK: - Messages

    /// The longest wait of a loop turn: the turn-start checks (signals, the launcher's
    /// `tick`) run at least this often.
    static let maxWait = 0.1

    /// Handles every event waiting, at most 500 messages, so that a flood cannot hold back
    /// heartbeats or the deadline check (the rest waits for the next turn).
    private func drain() throws {
        var drained = 0
        while drained < 500, let event = try transport.receive() {
            switch event {
            case let .message(identity, frames, userId):
                handle(identity, frames, userId: userId)
                drained += 1
            case let .refused(detail):
                countRejection("unauthorized_key", detail: detail)
            case let .peersDropped(count, detail):
                for _ in 0..<count { countRejection("peer_cap", detail: detail) }
            }
        }
    }

    /// One message: `frames` are its body (the transport took the routing identity off).
    private func handle(_ identity: [UInt8], _ frames: [[UInt8]], userId: String?) {
        guard !frames.isEmpty else { return countRejection("no_body") }
        // With CURVE every accepted connection carries its client key (inproc:// skips the
        // handshake, so a message without one is not authenticated).
        if allowlist != nil && userId == nil { return countRejection("unauthenticated") }
        let message: Message
        do {
            message = try MessageCodec.decode(frames, limits: limits)
        } catch {
            if MessageCodec.isPreviousVersionHello(frames) {
                // A version-1 client gets a refusal it can decode instead of silence.
                let reason = "rejected: protocol version \(MessageCodec.previousVersion) is not supported; this coordinator "
                    + "speaks version \(MessageCodec.version) (docs/PROTOCOL.md)"
                _ = try? transport.send(MessageCodec.legacyRefusal(reason), to: identity)
            }
            return countRejection(error.reasonCode, detail: error.description)
        }
        let now = loop.now
        switch message {
        case let .hello(fingerprint, ids):
            var wanted = ids.map(Int.init)
            if let allowlist, let userId {
                // A key may only host the ids the allowlist binds to it.
                let mine = Set((allowlist.clientIds(forUserId: userId) ?? []).map(Int.init))
                let foreign = wanted.filter { !mine.contains($0) }
                if !foreign.isEmpty {
                    countRejection("key_mismatch", detail: "a client key asked for ids \(foreign) that are not bound to it")
                    wanted.removeAll { !mine.contains($0) }
                    if wanted.isEmpty {
                        return refuse(identity, "client ids \(foreign) are not bound to this client's key in the allowlist")
                    }
                }
            }
            register(identity, fingerprint: fingerprint, ids: wanted, now: now)
        case let .update(round, clientId, samples, trainLoss, delta, state):
            guard peers.isKnown(identity) else { return countRejection("unknown_sender") }
            peers.touch(identity, now: now)
            guard collector != nil else {
                return countRejection(Int(round) < currentRound ? "stale_round" : "no_round_open")
            }
            let verdict = collector?.offer(round: Int(round), client: Int(clientId), samples: Int(samples),
                                           trainLoss: trainLoss, delta: delta, state: workers == nil ? nil : state,
                                           senderOwnsClient: peers.owns(identity, client: Int(clientId)))
            switch verdict {
            case let .reject(reason)?: logOnce(reason, "update from client \(clientId) for round \(round)")
            case .accept?: if let tap { _ = try? tap.send(frames, wait: false) }
            case nil: break
            }
        case .heartbeat:
            guard peers.isKnown(identity) else { return countRejection("unknown_sender") }
            peers.touch(identity, now: now)
        case .welcome, .task, .shutdown:
            countRejection("unexpected_kind")
        }
    }

    private func register(_ identity: [UInt8], fingerprint: UInt64, ids: [Int], now: Date) {
        let f = scenario.federation
        // Fingerprint 0: a foreign client that takes the scenario from the session document
        // (it proves nothing about what it loaded; the shard digests tell it what to train on).
        guard fingerprint == scenario.fingerprint || fingerprint == Self.adoptingFingerprint else {
            refuse(identity, "fingerprint mismatch (expected 0x\(hex(scenario.fingerprint)), got 0x\(hex(fingerprint))); load the same scenario file")
            return countRejection("fingerprint")
        }
        let outcome = peers.register(identity, ids: ids, clients: f.clients, now: now, liveness: f.heartbeatTimeout)
        if !outcome.unknown.isEmpty {
            countRejection("unknown_client", detail: "refused client ids \(outcome.unknown): this federation has clients 0..<\(f.clients)")
        }
        if !outcome.taken.isEmpty {
            countRejection("id_taken", detail: "refused client ids \(outcome.taken): registered by another live process")
        }
        guard !outcome.accepted.isEmpty else {
            return refuse(identity, "none of the client ids \(ids) can be registered (unknown or taken by another process)")
        }
        let session = SessionDocument(scenario: scenario, data: data, ids: outcome.accepted, shards: &shards).json()
        let welcome = MessageCodec.encode(.welcome(fingerprint: scenario.fingerprint,
                                                   parameterCount: UInt32(global.count),
                                                   clientIds: outcome.accepted.map(UInt32.init), session: session))
        _ = try? transport.send(welcome, to: identity)
        logger.debug("registered clients \(outcome.accepted)")
        // A process that lost all its ids to this one (it was silent) is told so, instead of
        // being left waiting for tasks that will never come.
        for (old, ids) in outcome.displaced {
            logger.info("clients \(ids) moved to another process; told the old one to stop")
            _ = try? transport.send(MessageCodec.encode(.shutdown(reason: "rejected: clients \(ids) are now hosted by another process (this one was silent for more than \(fmt(f.heartbeatTimeout)) s)")), to: old)
        }
        // A process that takes over clients the open round still waits for (a restarted client
        // process) is given their task now; otherwise the round would wait out its deadline for
        // clients nobody asked to train.
        if let open = collector {
            let waiting = Set(open.missing)
            let owed = outcome.accepted.filter { waiting.contains($0) }
            if !owed.isEmpty {
                _ = try? transport.send(task(round: open.round, ids: owed), to: identity)
                logger.info("round \(open.round): sent the task of clients \(owed) to the process that now hosts them")
            }
        }
    }

    /// Sends a `rejected:` SHUTDOWN; the cause is counted by the caller under its own token
    /// (`fingerprint`, `key_mismatch`, `unknown_client`, `id_taken`).
    /// The HELLO fingerprint of a client that has not loaded the scenario and adopts the
    /// coordinator's (docs/PROTOCOL.md section 4).
    static let adoptingFingerprint: UInt64 = 0

    private func refuse(_ identity: [UInt8], _ reason: String) {
        let key = "\(currentRound):refusal"
        if loggedReasons.insert(key).inserted {
            logger.warning("round \(currentRound): sent a refusal (SHUTDOWN) to a client process: \(reason)")
        }
        _ = try? transport.send(MessageCodec.encode(.shutdown(reason: "rejected: " + reason)), to: identity)
    }

    private func countRejection(_ reason: String, detail: String = "") {
        if collector != nil { collector?.reject(reason) } else { pendingRejections[reason, default: 0] += 1 }
        logOnce(reason, detail)
    }

    /// Logs the first rejection of each reason per round (the counts go to rounds.csv): the
    /// run's first of each reason as a warning, the later rounds' at info, so a scenario whose
    /// attackers send hostile messages every round (scenarios/attacks/protocol.yaml) warns once
    /// per reason instead of flooding the terminal.
    private func logOnce(_ reason: String, _ detail: String) {
        let key = "\(currentRound):\(reason)"
        guard !loggedReasons.contains(key) else { return }
        loggedReasons.insert(key)
        let first = warnedReasons.insert(reason).inserted
        let text = "round \(currentRound): dropped a message (\(reason))\(detail.isEmpty ? "" : ": " + detail)"
        if first {
            logger.warning("\(text) (later ones are counted in rounds.csv reject_reasons and logged at info)")
        } else {
            logger.info("\(text)")
        }
    }

    /// Every second (a loop timer): a HEARTBEAT with the current round to every process.
    private func sendHeartbeats() {
        let hb = MessageCodec.encode(.heartbeat(round: UInt32(currentRound)))
        for identity in peers.peers.keys { _ = try? transport.send(hb, to: identity) }
    }

    private func broadcastShutdown(_ reason: String) {
        let msg = MessageCodec.encode(.shutdown(reason: reason))
        for identity in peers.peers.keys { _ = try? transport.send(msg, to: identity) }
    }
}

func hex(_ v: UInt64) -> String { String(v, radix: 16) }

/// Why a run stopped early.
public enum CoordinatorError: Error, CustomStringConvertible {
    /// Not every client registered before the start-up timeout.
    case registrationTimeout(registered: Int, expected: Int, seconds: Double)
    /// Fewer updates than the quorum arrived before the deadline.
    case quorumNotMet(round: Int, received: Int, sampled: Int, required: Int, deadline: Double)
    /// The global model held non-finite values after this round (an attack blew it up).
    case diverged(round: Int)
    /// SIGINT or SIGTERM.
    case interrupted(signal: Int32)
    /// A client process of a local run ended early.
    case clientProcessFailed(String)
    case internalState
    /// Plain tcp:// on a non-loopback address without an explicit `security: none`.
    case exposed(endpoint: String, String)

    public var description: String {
        switch self {
        case let .registrationTimeout(registered, expected, seconds):
            return "only \(registered) of \(expected) clients registered within \(fmt(seconds)) s (federation.startup_timeout)"
        case let .quorumNotMet(round, received, sampled, required, deadline):
            return "round \(round): \(received) of \(sampled) sampled clients sent a valid update within the \(fmt(deadline)) s deadline; the quorum needs \(required) (federation.quorum)"
        case let .diverged(round):
            return "the global model diverged in round \(round) (non-finite parameters or test loss); the rounds up to it are recorded"
        case let .interrupted(signal):
            return "interrupted by \(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)")"
        case let .clientProcessFailed(what):
            return what
        case let .exposed(endpoint, problem):
            return "\(endpoint): \(problem)"
        case .internalState:
            return "internal error: no round open"
        }
    }
}
