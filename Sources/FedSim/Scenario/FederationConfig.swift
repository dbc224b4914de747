import FedCore

/// How a sampled client works in a round (`federation.mode`).
public enum FederationMode: String, CaseIterable, Sendable {
    /// FedAvg: `local_epochs` of minibatch SGD, the client sends its model delta.
    case fedavg
    /// FedSGD: one minibatch gradient at the global model; the server takes the SGD step.
    case fedsgd
}

/// Where a client's SGD momentum lives (`federation.momentum_buffer`).
public enum MomentumBuffer: String, CaseIterable, Sendable {
    /// Inside one round's local training, starting at zero every round (FedAvg).
    case local
    /// The worker's buffer, kept across rounds and sent instead of the fresh gradient
    /// (Karimireddy, He & Jaggi, ICML 2021 / ICLR 2022); FedSGD mode only.
    case worker
}

/// The `federation:` section: who takes part, how they train, and how long the coordinator waits.
public struct FederationConfig: Sendable, Equatable {
    /// Logical clients (1...100,000).
    public var clients: Int
    /// Client processes hosting them (1...clients); defaults to one process per client.
    public var processes: Int
    /// Federated rounds (1...1,000,000).
    public var rounds: Int
    /// Share of clients sampled each round (0 < x <= 1).
    public var fraction: Double
    /// Passes over the local data per round (>= 1).
    public var localEpochs: Int
    /// Local mini-batch size (>= 1).
    public var batchSize: Int
    /// Client SGD learning rate (> 0).
    public var learningRate: Double
    /// Client SGD momentum (0 <= x < 1): the local optimizer's in FedAvg mode, the worker
    /// buffer's `beta` with `momentumBuffer == .worker`.
    public var momentum: Double
    /// FedAvg (local epochs, deltas) or FedSGD (one gradient per round).
    public var mode: FederationMode
    /// Local momentum (reset every round) or worker momentum (kept across rounds).
    public var momentumBuffer: MomentumBuffer
    /// Worker momentum as the exponential average `beta m + (1 - beta) g` (ICML 2021) instead
    /// of `beta m + g` (the papers' code).
    public var momentumDampening: Bool
    /// L2 weight decay on the client (>= 0).
    public var weightDecay: Double
    /// Step applied to the aggregated update on the server (> 0; 1 = plain FedAvg). In FedSGD
    /// mode the server's step is `learningRate * serverLearningRate`.
    public var serverLearningRate: Double
    /// Seconds the coordinator waits for updates in a round (> 0).
    public var deadline: Double
    /// Share of the sampled clients that must respond for the round to count (0 < x <= 1).
    public var quorum: Double
    /// Seconds to wait for all client processes to connect (> 0).
    public var startupTimeout: Double
    /// Seconds without a heartbeat after which a process is considered gone (> 0).
    public var heartbeatTimeout: Double

    public init(clients: Int = 10, processes: Int? = nil, rounds: Int = 20, fraction: Double = 1.0,
                localEpochs: Int = 1, batchSize: Int = 32, learningRate: Double = 0.05,
                momentum: Double = 0.9, weightDecay: Double = 0, serverLearningRate: Double = 1.0,
                deadline: Double = 60, quorum: Double = 0.5, startupTimeout: Double = 120,
                heartbeatTimeout: Double = 30, mode: FederationMode = .fedavg,
                momentumBuffer: MomentumBuffer? = nil, momentumDampening: Bool = false) {
        self.clients = clients
        self.processes = processes ?? clients
        self.rounds = rounds
        self.fraction = fraction
        self.localEpochs = localEpochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.serverLearningRate = serverLearningRate
        self.deadline = deadline
        self.quorum = quorum
        self.startupTimeout = startupTimeout
        self.heartbeatTimeout = heartbeatTimeout
        self.mode = mode
        self.momentumBuffer = momentumBuffer ?? (mode == .fedsgd ? .worker : .local)
        self.momentumDampening = momentumDampening
    }

    /// The worker momentum rule, when clients keep a buffer across rounds.
    public var workerMomentum: WorkerMomentum? {
        momentumBuffer == .worker ? WorkerMomentum(beta: Float(momentum), dampening: momentumDampening) : nil
    }

    /// The step the server applies to the aggregate: `server_learning_rate` in FedAvg mode,
    /// `learning_rate * server_learning_rate` in FedSGD mode (the SGD step on the aggregate).
    public var serverStep: Float {
        mode == .fedsgd ? Float(learningRate * serverLearningRate) : Float(serverLearningRate)
    }
}

extension FederationConfig: ScenarioSection {
    static let key = "federation"

    init(reading reader: ScenarioReader) throws {
        let clients = try reader.int("clients", default: 10, range: Interval(1...100_000))
        let processes = try reader.int("processes", range: Interval(1...100_000))
        self.init(
            clients: clients,
            processes: processes,
            rounds: try reader.int("rounds", default: 20, range: Interval(1...1_000_000)),
            fraction: try reader.double("fraction", default: 1.0, range: .openClosed(0, 1)),
            localEpochs: try reader.int("local_epochs", default: 1, range: Interval(1...)),
            batchSize: try reader.int("batch_size", default: 32, range: Interval(1...)),
            learningRate: try reader.double("learning_rate", default: 0.05, range: .greaterThan(0)),
            momentum: try reader.double("momentum", default: 0.9, range: .closedOpen(0, 1)),
            weightDecay: try reader.double("weight_decay", default: 0, range: .atLeast(0)),
            serverLearningRate: try reader.double("server_learning_rate", default: 1.0, range: .greaterThan(0)),
            deadline: try reader.double("deadline", default: 60, range: .greaterThan(0)),
            quorum: try reader.double("quorum", default: 0.5, range: .openClosed(0, 1)),
            startupTimeout: try reader.double("startup_timeout", default: 120, range: .greaterThan(0)),
            heartbeatTimeout: try reader.double("heartbeat_timeout", default: 30, range: .greaterThan(0)),
            mode: try reader.choice("mode", default: FederationMode.fedavg))
        momentumBuffer = try reader.choice("momentum_buffer", default: momentumBuffer)
        momentumDampening = try reader.bool("momentum_dampening", default: false)
        switch (mode, momentumBuffer) {
        case (.fedavg, .worker):
            throw reader.error("momentum_buffer", "worker momentum keeps a buffer of gradients across rounds and needs "
                               + "federation.mode: fedsgd (in fedavg mode the momentum is local to a round)")
        case (.fedsgd, .local):
            throw reader.error("momentum_buffer", "local momentum would restart at zero for the one gradient a fedsgd "
                               + "client computes per round; use worker (momentum: 0 for plain SGD)")
        default: break
        }
        if momentumDampening && momentumBuffer != .worker {
            throw reader.error("momentum_dampening", "applies to the worker momentum buffer only "
                               + "(federation.mode: fedsgd, momentum_buffer: worker)")
        }
        if mode == .fedsgd && localEpochs != 1 {
            throw reader.error("local_epochs", "\(localEpochs) local epochs in fedsgd mode, which takes one minibatch "
                               + "gradient per round; leave it out (or 1), or use mode: fedavg")
        }
        if let processes, processes > clients {
            throw reader.error("processes", "\(processes) is more than federation.clients (\(clients)); "
                               + "allowed: 1 <= processes <= clients")
        }
    }

    var resolvedFields: [(String, ResolvedValue)] {
        [("clients", .int(clients)), ("processes", .int(processes)), ("rounds", .int(rounds)),
         ("fraction", .number(fraction)), ("local_epochs", .int(localEpochs)), ("batch_size", .int(batchSize)),
         ("learning_rate", .number(learningRate)), ("momentum", .number(momentum)),
         ("weight_decay", .number(weightDecay)), ("server_learning_rate", .number(serverLearningRate)),
         ("deadline", .number(deadline)), ("quorum", .number(quorum)),
         ("startup_timeout", .number(startupTimeout)), ("heartbeat_timeout", .number(heartbeatTimeout))]
        // FedAvg with a local buffer (the default) adds nothing: the resolved form, and so the
        // fingerprint, of every scenario written before these keys stays as it was.
        + (mode == .fedavg && momentumBuffer == .local && !momentumDampening ? [] :
            [("mode", .choice(mode)), ("momentum_buffer", .choice(momentumBuffer)),
             ("momentum_dampening", .word(momentumDampening ? "true" : "false"))])
    }
}
