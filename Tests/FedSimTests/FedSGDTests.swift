import FedAttacks
import FedCore
@testable import FedSim
import FedWire
import Foundation
import XCTest

/// FedSGD mode and worker momentum through the coordinator on a `MemoryNetwork`: the client
/// processes are played by the test with the clients' own update code (`LocalClient`), so
/// what is checked is the coordinator's side (buffers kept, returned in the TASK, applied with
/// the SGD step, checkpointed) against plain centralised SGD. Manual clock, no socket.
final class FedSGDTests: XCTestCase {
    private struct Rig {
        let coordinator: Coordinator
        let peers: FakeClientProcesses
        let scenario: Scenario
        let data: FederationData
        let clients: [LocalClient]
        let attackers: Set<Int>

        /// The answer of a process hosting any of `clients`.
        func answer(_ test: FedSGDTests) -> (FakeClientProcesses.Task) -> [[[UInt8]]] {
            test.answer(scenario, data, clients, attackers)
        }
    }

    /// A coordinator and one fake process hosting every client; each client answers with
    /// `LocalClient.train` from the TASK's model and buffer (`attackers` sign-flip).
    private func rig(_ yaml: String, attackers: Set<Int> = [], hostAll: Bool = true) throws -> Rig {
        let s = try Tiny.scenario(yaml, name: "fedsgd")
        let data = try FederationData.prepare(s)
        let net = MemoryNetwork(timeLimit: 3600)
        let c = try Coordinator(scenario: s, data: data, network: net, endpoint: "memory://coordinator", logger: Tiny.logger)
        c.checksShardSizes = false   // the fake processes claim chosen weights
        let server = try XCTUnwrap(net.server("coordinator"))
        let peers = FakeClientProcesses(server: server, clock: net.manualClock, scenario: s, parameters: c.global.count)
        net.onIdle = { peers.step() }
        let clients = (0..<s.federation.clients).map { id in
            LocalClient(id: id, clean: data.clientData(id), poisoned: nil, group: attackers.contains(id) ? 0 : nil,
                        modelAttack: attackers.contains(id) ? try? SignFlip() : nil, boost: 1)
        }
        if hostAll { peers.add([1], ids: (0..<UInt32(s.federation.clients)).map { $0 }).respond = answer(s, data, clients, attackers) }
        return Rig(coordinator: c, peers: peers, scenario: s, data: data, clients: clients, attackers: attackers)
    }

    /// A process's answer to a TASK: each listed client's `LocalClient.train` from the TASK's
    /// model and state (a process keeps nothing between TASKs).
    private func answer(_ s: Scenario, _ data: FederationData, _ clients: [LocalClient], _ attackers: Set<Int>)
        -> (FakeClientProcesses.Task) -> [[[UInt8]]] {
        { task in
            task.ids.enumerated().compactMap { k, id in
                let c = clients[Int(id)]
                let buffer = k < task.states.count && !task.states[k].isEmpty ? task.states[k] : nil
                guard let (outcome, samples, loss) = try? c.train(
                    round: Int(task.round), model: task.model, buffer: buffer, active: c.group != nil, architecture: data.model,
                    procedure: LocalClient.Procedure(s.federation), seed: s.seed, sampled: s.federation.clients,
                    attackersSampled: attackers.count, previousChange: nil),
                    case let .send(update, state) = outcome else { return nil }
                return MessageCodec.encode(.update(round: task.round, clientId: id, samples: UInt32(samples),
                                                   trainLoss: Float(loss), delta: update, state: state))
            }
        }
    }

    /// Centralised minibatch SGD (`SGD`, PyTorch's semantics) on client 0's data and batches.
    private func centralised(_ s: Scenario, _ data: FederationData, steps: Int) -> [Float] {
        let f = s.federation
        let local = data.clientData(0)
        let schedule = MinibatchSchedule(count: local.count, batchSize: f.batchSize)
        let stream = SeededRNG(seed: s.seed).derive("fedsgd", 0)
        var sgd = SGD(config: SGDConfig(learningRate: Float(f.learningRate), momentum: Float(f.momentum),
                                        weightDecay: Float(f.weightDecay)))
        var x = data.initialParameters
        for t in 0..<steps {
            let batch = local.subset(schedule.indices(step: t, rng: stream))
            let (_, g) = data.model.lossAndGradient(parameters: x, inputs: batch.features, labels: batch.labels)
            sgd.step(parameters: &x, gradient: g)
        }
        return x
    }

    // MARK: - FedSGD = centralised SGD

    /// One honest client, no attack: FedSGD is minibatch SGD on the same batches, bit for bit,
    /// without momentum, with worker momentum 0.9 (= SGD momentum 0.9) and with weight decay;
    /// 30 rounds of batches of 16 run through more than one epoch of the client's data.
    func testOneHonestClientIsCentralisedSGDBitForBit() throws {
        for extra in ["momentum: 0", "momentum: 0.9", "momentum: 0.9, weight_decay: 0.01", "momentum: 0, weight_decay: 0.05"] {
            let r = try rig("seed: 3\nfederation: {clients: 1, rounds: 30, mode: fedsgd, batch_size: 16, learning_rate: 0.1, "
                            + "quorum: 1.0, \(extra)}")
            XCTAssertGreaterThan(30, r.data.clientData(0).count / 16, "more than one epoch")
            try r.coordinator.run(results: nil)
            let expected = centralised(r.scenario, r.data, steps: 30)
            XCTAssertEqual(r.coordinator.global.map(\.bitPattern), expected.map(\.bitPattern), extra)
            XCTAssertNotEqual(r.coordinator.global, r.data.initialParameters, extra)
            XCTAssertEqual(r.coordinator.workers == nil, extra.hasPrefix("momentum: 0,") || extra == "momentum: 0",
                           "buffers are kept only when beta > 0 (\(extra))")
        }
    }

    // MARK: - Hand-computed

    /// Softmax regression on one constant-zero feature, so only the bias b = (b0, -b0) moves:
    /// 6 samples of class 0 and 2 of class 1 in one batch (batch_size 8), lr 0.5, beta 0.5.
    /// The bias gradient is (p0 - 3/4, 3/4 - p0) with p0 = sigmoid(2 b0):
    ///   round 1: p0 = 1/2, g = -1/4, m = -1/4, b0 = 0 + 0.5 * 1/4 = 0.125
    ///   round 2: p0 = sigmoid(0.25) = 0.5621765, g = -0.1878235,
    ///            m = 0.5 * -0.25 - 0.1878235 = -0.3128235, b0 = 0.125 + 0.5 * 0.3128235 = 0.2814117
    /// With dampening (m = beta m + (1 - beta) g):
    ///   round 1: m = -0.125, b0 = 0.0625; round 2: p0 = sigmoid(0.125) = 0.5312094,
    ///            g = -0.2187906, m = -0.0625 - 0.1093953 = -0.1718953, b0 = 0.0625 + 0.0859477 = 0.1484477
    func testFedSGDWithWorkerMomentumByHand() throws {
        for (dampening, afterRound) in [(false, [0.125, 0.2814117]), (true, [0.0625, 0.1484477])] {
            var bias: [Double] = []
            for rounds in 1...2 {
                let s = try Tiny.scenario("federation: {clients: 1, rounds: \(rounds), mode: fedsgd, batch_size: 8, "
                                          + "learning_rate: 0.5, momentum: 0.5, momentum_dampening: \(dampening), quorum: 1.0}")
                let data = Dataset(features: [Float](repeating: 0, count: 8), labels: [0, 0, 0, 1, 0, 0, 1, 0],
                                   dimension: 1, classes: 2, name: "constant")
                let model = LogisticRegression(inputDimension: 1, classes: 2)
                let federation = FederationData(train: data, test: data, partition: Partition(clientIndices: [Array(0..<8)]),
                                                model: model, initialParameters: [0, 0, 0, 0])
                let net = MemoryNetwork(timeLimit: 600)
                let c = try Coordinator(scenario: s, data: federation, network: net, endpoint: "memory://coordinator",
                                        logger: Tiny.logger)
                let server = try XCTUnwrap(net.server("coordinator"))
                let peers = FakeClientProcesses(server: server, clock: net.manualClock, scenario: s, parameters: 4)
                net.onIdle = { peers.step() }
                let p = peers.add([1], ids: [0])
                p.respond = { task in
                    let buffer = task.states.first.flatMap { $0.isEmpty ? nil : $0 }
                    let u = LocalClient.honestUpdate(LocalClient.Procedure(s.federation), id: 0, round: Int(task.round),
                                                     model: task.model, buffer: buffer, data: data, architecture: model,
                                                     seed: s.seed)
                    return [MessageCodec.encode(.update(round: task.round, clientId: 0, samples: 8, trainLoss: 0.5, delta: u.update))]
                }
                try c.run(results: nil)
                XCTAssertEqual(Array(c.global.prefix(2)), [0, 0], "the weights of a zero feature do not move")
                XCTAssertEqual(c.global[2], -c.global[3], accuracy: 1e-7)
                bias.append(Double(c.global[2]))
            }
            for (got, want) in zip(bias, afterRound) { XCTAssertEqual(got, want, accuracy: 1e-6, "dampening \(dampening)") }
        }
    }

    // MARK: - Buffers across rounds
    // MARK: - Buffers across rounds

    /// Two workers, beta 0.5, hand-made updates: worker 0 sends its buffer (the update), worker
    /// 1 sends 10x its buffer with the buffer beside it (as a crafted update does). Each TASK
    /// carries what the worker last reported as its buffer; the model moves by lr * mean.
    func testBuffersComeBackInTheNextTask() throws {
        let r = try rig("federation: {clients: 2, rounds: 3, mode: fedsgd, momentum: 0.5, learning_rate: 0.1, quorum: 1.0}")
        let d = r.coordinator.global.count
        let p = try XCTUnwrap(r.peers.processes.first)
        p.respond = { task in
            let v = Float(task.round)
            return [MessageCodec.encode(.update(round: task.round, clientId: 0, samples: 10, trainLoss: 0.5,
                                                delta: [Float](repeating: v, count: d))),
                    MessageCodec.encode(.update(round: task.round, clientId: 1, samples: 10, trainLoss: 0.5,
                                                delta: [Float](repeating: 10 * v, count: d),
                                                state: [Float](repeating: v, count: d)))]
        }
        try r.coordinator.run(results: nil)
        let states = p.tasks.map(\.states)
        XCTAssertEqual(states, [[[], []],
                                [[Float](repeating: 1, count: d), [Float](repeating: 1, count: d)],
                                [[Float](repeating: 2, count: d), [Float](repeating: 2, count: d)]])
        XCTAssertEqual(r.coordinator.workers?.buffers, [0: [Float](repeating: 3, count: d), 1: [Float](repeating: 3, count: d)])
        // Rounds 1..3 aggregate mean(r, 10 r) = 5.5 r: x3 = x0 + 0.1 * 5.5 + 0.1 * 11 + 0.1 * 16.5.
        let eta = Float(0.1)
        XCTAssertEqual(r.coordinator.global, r.data.initialParameters.map { $0 + eta * 5.5 + eta * 11 + eta * 16.5 })
    }

    // MARK: - Process restarts

    /// The process hosting worker 1 dies after round 1; a new process (which knows nothing)
    /// takes worker 1 over while round 2 waits, is sent round 2's TASK with worker 1's buffer,
    /// and the run ends with the model of a run where nothing died, bit for bit.
    func testARestartedProcessContinuesTheBufferBitForBit() throws {
        let yaml = "seed: 6\nfederation: {clients: 2, rounds: 4, mode: fedsgd, batch_size: 8, learning_rate: 0.05, "
            + "momentum: 0.9, deadline: 60, heartbeat_timeout: 3, quorum: 1.0}"
        let steady = try rig(yaml, hostAll: false)
        steady.peers.add([1], ids: [0]).respond = steady.answer(self)
        steady.peers.add([2], ids: [1]).respond = steady.answer(self)
        try steady.coordinator.run(results: nil)

        let r = try rig(yaml, hostAll: false)
        let a = r.peers.add([1], ids: [0])
        a.respond = r.answer(self)
        a.delay = 10                                       // keeps each round open for 10 s
        let dies = r.peers.add([2], ids: [1])
        let answer = r.answer(self)
        dies.respond = { task in
            dies.alive = false                             // answers round 1, then falls silent
            return answer(task)
        }
        let replacement = r.peers.add([3], ids: [1])
        replacement.respond = answer
        replacement.helloAt = 12                           // during round 2 (10...20 s), [2] silent > 3 s
        try r.coordinator.run(results: nil)

        XCTAssertEqual(dies.tasks.map(\.round), [1])
        XCTAssertEqual(replacement.tasks.map(\.round), [2, 3, 4])
        let handedOver = try XCTUnwrap(replacement.tasks.first?.states.first)
        XCTAssertEqual(handedOver.count, r.coordinator.global.count, "round 2's TASK carries worker 1's buffer")
        XCTAssertEqual(r.coordinator.global.map(\.bitPattern), steady.coordinator.global.map(\.bitPattern))
        XCTAssertEqual(r.coordinator.workers?.buffers, steady.coordinator.workers?.buffers)
    }

    // MARK: - Checkpoint and resume

    /// A run stopped after round 5 and resumed from its checkpoint (through the file's bytes,
    /// by a coordinator whose client processes are new and remember nothing) ends with the
    /// same model and the same buffers, bit for bit, as the run never stopped. Three workers,
    /// two sampled per round (buffers wait across skipped rounds), one a sign-flipper whose
    /// honest buffer rides beside its crafted update.
    func testResumeIsBitIdentical() throws {
        let yaml = "seed: 8\nfederation: {clients: 3, rounds: 10, fraction: 0.67, mode: fedsgd, batch_size: 8, "
            + "learning_rate: 0.05, momentum: 0.9, quorum: 1.0}"
        let whole = try rig(yaml, attackers: [2])
        try whole.coordinator.run(results: nil)

        let cut = try rig(yaml, attackers: [2])
        cut.coordinator.tick = { if cut.coordinator.digests.count == 5 { throw CoordinatorError.internalState } }
        XCTAssertThrowsError(try cut.coordinator.run(results: nil))
        let saved = Checkpoint(fingerprint: hex(cut.scenario.fingerprint), round: 5, digests: cut.coordinator.digests,
                               states: cut.coordinator.savedStates, model: cut.coordinator.global)
        let checkpoint = try Checkpoint.decode(try saved.encoded(), path: "checkpoint.bin")
        XCTAssertEqual(checkpoint.states[WorkerStates.checkpointKey]?.perClient["buffer"]?.keys.sorted(), [0, 1, 2])

        let resumed = try rig(yaml, attackers: [2])
        try resumed.coordinator.resume(from: checkpoint)
        try resumed.coordinator.run(results: nil)
        XCTAssertEqual(resumed.coordinator.firstRound, 6)
        XCTAssertEqual(resumed.coordinator.global.map(\.bitPattern), whole.coordinator.global.map(\.bitPattern))
        XCTAssertEqual(resumed.coordinator.workers?.buffers, whole.coordinator.workers?.buffers)

        // Without the buffers the checkpoint cannot continue this scenario.
        var stripped = checkpoint
        stripped.states[WorkerStates.checkpointKey] = nil
        let fresh = try rig(yaml, attackers: [2])
        XCTAssertThrowsError(try fresh.coordinator.resume(from: stripped)) { error in
            XCTAssertEqual("\(error)", "checkpoint.bin: unreadable checkpoint: no worker momentum buffers, which this "
                           + "scenario keeps (federation.momentum_buffer: worker)")
        }
    }
}
