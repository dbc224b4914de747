import FedCore
import FedWire
import Foundation
import Logging

/// One client process: hosts one or more logical clients, trains each on its own partition
/// when the coordinator asks, and sends back the model delta (local model − global model).
///
/// The process ends when the coordinator says the run is over, when the coordinator has been
/// silent for the heartbeat timeout, when its parent (the launcher) is gone, or on SIGTERM.
public final class ClientRuntime {
    public let scenario: Scenario
    public let clientIds: [Int]
    private let data: FederationData
    private let local: [Int: Dataset]
    private let logger: Logger
    private let parentPid: pid_t?

    public init(scenario: Scenario, clientIds: [Int], parentPid: pid_t?, logger: Logger) throws {
        self.scenario = scenario
        self.logger = logger
        self.parentPid = parentPid
        let n = scenario.federation.clients
        if let bad = clientIds.first(where: { $0 < 0 || $0 >= n }) {
            throw ClientError.badClientId(bad, clients: n)
        }
        self.clientIds = clientIds.sorted()
        // Many client processes share the cores: one BLAS thread each (DESIGN.md).
        setBLASThreads(1)
        data = try FederationData.prepare(scenario)
        var local: [Int: Dataset] = [:]
        for id in clientIds { local[id] = data.clientData(id) }
        self.local = local
    }

    /// Connects to `endpoint` and serves until the run ends.
    public func run(endpoint: String) throws {
        let f = scenario.federation
        let context = try ZMQContext()
        defer { context.close() }
        let socket = try ZMQSocket(context: context, type: .dealer)
        defer { socket.close() }
        try socket.setLinger(milliseconds: 2000)
        try socket.setMaxMessageSize(Int64(MessageCodec.headerSize + 8 * max(data.model.parameterCount, f.clients) + 1024))
        try socket.connect(endpoint)

        let limits = CodecLimits(maxParameters: data.model.parameterCount, maxClientIds: f.clients,
                                 maxReasonBytes: 1024, requireFinite: true)
        let hello = MessageCodec.encode(.hello(fingerprint: scenario.fingerprint, clientIds: clientIds.map(UInt32.init)))
        _ = try socket.send(hello)
        var welcomed = false
        var lastHello = Date()
        var lastHeard = Date()
        var lastSent = Date()
        var round: UInt32 = 0
        let startupDeadline = Date().addingTimeInterval(f.startupTimeout)
        logger.info("clients \(clientIds) connecting to \(endpoint)")

        while true {
            if SignalTrap.interrupted != nil { logger.info("stopping on signal"); return }
            if let parentPid, getppid() != parentPid { logger.info("launcher is gone; stopping"); return }
            var ready: [PollEvents] = []
            do {
                ready = try zmqPoll([(socket: socket, events: .readable)], timeoutMilliseconds: 500)
            } catch {
                guard error.isInterrupted else { throw error }
            }

            if ready.first?.contains(.readable) == true {
                while let frames = try socket.receive(dontWait: true) {
                    lastHeard = Date()
                    let message: Message
                    do { message = try MessageCodec.decode(frames, limits: limits) } catch {
                        logger.warning("dropped a malformed message from the coordinator: \(error)")
                        continue
                    }
                    switch message {
                    case let .welcome(fingerprint, count, accepted):
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
                    case let .task(r, ids, model):
                        round = r
                        try train(round: r, ids: ids.map(Int.init), model: model, socket: socket)
                        lastSent = Date()
                    case let .heartbeat(r):
                        round = max(round, r)
                    case let .shutdown(reason):
                        if reason.hasPrefix("rejected") { throw ClientError.refused(reason) }
                        logger.info("coordinator ended the run: \(reason)")
                        return
                    case .hello, .update:
                        logger.warning("dropped an unexpected message kind from the coordinator")
                    }
                }
            }
            let now = Date()
            if !welcomed {
                if now > startupDeadline { throw ClientError.noCoordinator(endpoint, seconds: f.startupTimeout) }
                if now.timeIntervalSince(lastHello) > 2 { _ = try socket.send(hello, dontWait: true); lastHello = now }
            } else {
                if now.timeIntervalSince(lastHeard) > f.heartbeatTimeout {
                    throw ClientError.coordinatorSilent(seconds: f.heartbeatTimeout)
                }
                if now.timeIntervalSince(lastSent) >= 1 {
                    _ = try socket.send(MessageCodec.encode(.heartbeat(round: round)), dontWait: true)
                    lastSent = now
                }
            }
        }
    }

    /// Trains every listed client this process hosts from `model`; sends one update each.
    private func train(round: UInt32, ids: [Int], model: [Float], socket: ZMQSocket) throws {
        guard model.count == data.model.parameterCount else {
            logger.warning("round \(round): task model has \(model.count) parameters, expected \(data.model.parameterCount); ignored")
            return
        }
        let config = FederationData.localTraining(scenario.federation)
        let root = SeededRNG(seed: scenario.seed)
        for id in ids {
            guard let dataset = local[id] else {
                logger.warning("round \(round): asked to train client \(id), which this process does not host")
                continue
            }
            var rng = root.derive("train", Int(round), id)
            let result = trainLocally(model: data.model, start: model, data: dataset, config: config, rng: &rng)
            var delta = result.parameters
            for j in 0..<delta.count { delta[j] -= model[j] }
            let update = Message.update(round: round, clientId: UInt32(id), samples: UInt32(dataset.count),
                                        trainLoss: Float(result.meanLoss), delta: delta)
            _ = try socket.send(MessageCodec.encode(update))
        }
    }
}

public enum ClientError: Error, CustomStringConvertible {
    case badClientId(Int, clients: Int)
    case mismatch(String)
    case refused(String)
    case noCoordinator(String, seconds: Double)
    case coordinatorSilent(seconds: Double)

    public var description: String {
        switch self {
        case let .badClientId(id, n): return "client id \(id) is out of range; the scenario has clients 0..<\(n)"
        case let .mismatch(s): return s
        case let .refused(reason): return "the coordinator refused this process: \(reason)"
        case let .noCoordinator(ep, s): return "no answer from a coordinator at \(ep) within \(fmt(s)) s (federation.startup_timeout)"
        case let .coordinatorSilent(s): return "the coordinator has been silent for \(fmt(s)) s (federation.heartbeat_timeout); stopping"
        }
    }
}
