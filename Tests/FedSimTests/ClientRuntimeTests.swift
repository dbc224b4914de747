import FedCore
@testable import FedSim
import FedWire
import Foundation
import XCTest

/// The client runtime on a `MemoryNetwork`, against a coordinator (and a hub) played by the
/// test: it answers a TASK with the delta of local training, drops out and answers late as
/// its `FaultPlan` says, stops with an error when refused or when the coordinator falls
/// silent, and goes through the hub for colluding clients. Manual clock, no socket.
final class ClientRuntimeTests: XCTestCase {
    /// The coordinator side of the runtime's transports, played at every idle turn.
    private final class FakeCoordinator {
        let net: MemoryNetwork
        /// The WELCOME sent for the first HELLO (nil: the coordinator never answers).
        var welcome: Message?
        /// Runs at every idle turn, after what the runtime sent was read.
        var script: (FakeCoordinator) -> Void = { _ in }
        private(set) var received: [(time: Double, message: Message)] = []
        private(set) var fromHub: [(time: Double, message: Message)] = []
        private var welcomed = false

        init(net: MemoryNetwork, welcome: Message?) {
            self.net = net
            self.welcome = welcome
        }

        var link: MemoryClientTransport? { net.clients("client").first }
        var hubLink: MemoryClientTransport? { net.clients("hubClient").first }
        var now: Double { net.manualClock.elapsed }

        func step() {
            guard let link else { return }
            for m in link.takeMessages() {
                received.append((now, m))
                if case .hello = m, !welcomed, let welcome {
                    link.push(welcome)
                    welcomed = true
                }
            }
            if let hubLink { for m in hubLink.takeMessages() { fromHub.append((now, m)) } }
            script(self)
        }

        func send(_ m: Message) { link?.push(m) }

        var updates: [(time: Double, round: UInt32, client: UInt32, samples: UInt32, loss: Float, delta: [Float])] {
            received.compactMap { entry in
                guard case let .update(r, id, samples, loss, delta, _) = entry.message else { return nil }
                return (entry.time, r, id, samples, loss, delta)
            }
        }

        var hellos: [(time: Double, ids: [UInt32])] {
            received.compactMap { if case let .hello(_, ids) = $0.message { return ($0.time, ids) } else { return nil } }
        }

        var heartbeatTimes: [Double] { received.compactMap { $0.message.isHeartbeat ? $0.time : nil } }
    }

    private func setUp(_ yaml: String, hosting ids: [Int], welcomeIds: [UInt32]? = nil)
        throws -> (ClientRuntime, FakeCoordinator, MemoryNetwork, Scenario, FederationData) {
        let s = try Tiny.scenario(yaml, name: "client-runtime")
        let data = try FederationData.prepare(s)
        let runtime = try ClientRuntime(scenario: s, clientIds: ids, parentPid: nil, logger: Tiny.logger)
        let net = MemoryNetwork(timeLimit: 600)
        let welcome = Message.welcome(fingerprint: s.fingerprint, parameterCount: UInt32(data.model.parameterCount),
                                      clientIds: welcomeIds ?? ids.map(UInt32.init))
        let fake = FakeCoordinator(net: net, welcome: welcome)
        net.onIdle = { fake.step() }
        return (runtime, fake, net, s, data)
    }

    /// What client `id` sends for round `r` from `model`: local training's delta (LocalClient's recipe).
    private func expectedDelta(_ s: Scenario, _ data: FederationData, id: Int, round r: Int, model: [Float]) -> (delta: [Float], loss: Float, samples: Int) {
        var rng = SeededRNG(seed: s.seed).derive("train", r, id)
        let local = data.clientData(id)
        let result = trainLocally(model: data.model, start: model, data: local,
                                  config: FederationData.localTraining(s.federation), rng: &rng)
        return (zip(result.parameters, model).map { $0 - $1 }, Float(result.meanLoss), local.count)
    }

    // MARK: - Tasks

    func testTaskIsAnsweredWithTheLocallyTrainedDelta() throws {
        let (runtime, fake, net, s, data) = try setUp("federation: {clients: 3, rounds: 1}", hosting: [0, 2])
        let model = data.initialParameters
        var sentTask = false
        fake.script = { f in
            if !sentTask, !f.received.isEmpty {
                f.send(.task(round: 1, clientIds: [0, 2], model: model))
                sentTask = true
            }
            if f.updates.count == 2 { f.send(.shutdown(reason: "run complete")) }
        }

        try runtime.run(network: net, endpoint: "memory://coordinator")

        XCTAssertEqual(fake.hellos.map(\.ids), [[0, 2]])
        XCTAssertEqual(fake.updates.map(\.client), [0, 2])
        for u in fake.updates {
            let expected = expectedDelta(s, data, id: Int(u.client), round: 1, model: model)
            XCTAssertEqual(u.round, 1)
            XCTAssertEqual(u.delta, expected.delta, "client \(u.client): the same bits as training here")
            XCTAssertEqual(u.loss, expected.loss)
            XCTAssertEqual(Int(u.samples), expected.samples)
        }
        XCTAssertTrue(net.clients.allSatisfy(\.isClosed), "run closes its transports")
        XCTAssertTrue(net.isClosed)
    }

    /// FedSGD with worker momentum: each client's update is its buffer from the TASK carried on
    /// with this round's negative minibatch gradient (an empty state frame: no buffer yet). An
    /// honest client's update is its buffer, so no state frame goes with it.
    func testFedSGDTaskIsAnsweredWithTheBufferCarriedOn() throws {
        let (runtime, fake, net, s, data) = try setUp("seed: 4\nfederation: {clients: 3, rounds: 5, mode: fedsgd, batch_size: 8, "
                                                      + "momentum: 0.5}", hosting: [0, 2])
        let model = data.initialParameters
        let buffer = (0..<model.count).map { Float($0) / 8 }
        var sentTask = false
        fake.script = { f in
            if !sentTask, !f.received.isEmpty {
                f.send(.task(round: 3, clientIds: [0, 2], model: model, states: [buffer, []]))
                sentTask = true
            }
            if f.updates.count == 2 { f.send(.shutdown(reason: "run complete")) }
        }
        try runtime.run(network: net, endpoint: "memory://coordinator")

        let states = fake.received.compactMap { entry -> [Float]?? in
            if case let .update(_, _, _, _, _, state) = entry.message { return .some(state) } else { return nil }
        }
        XCTAssertEqual(states, [nil, nil], "honest updates are their buffers")
        for (u, previous) in zip(fake.updates, [buffer, nil]) {
            let local = data.clientData(Int(u.client))
            let batch = MinibatchSchedule(count: local.count, batchSize: 8)
                .indices(step: 2, rng: SeededRNG(seed: s.seed).derive("fedsgd", Int(u.client)))
            let (loss, g) = minibatchGradient(model: data.model, parameters: model, data: local, indices: batch)
            let step = g.map { -$0 }
            let expected = previous.map { b in zip(b, step).map { Float(0.5) * $0 + $1 } } ?? step
            XCTAssertEqual(u.delta, expected, "client \(u.client)")
            XCTAssertEqual(u.loss, loss)
            XCTAssertEqual(Int(u.samples), local.count)
        }
    }

    func testDropoutsAndStragglersFollowTheFaultPlan() throws {
        let (runtime, fake, net, s, data) = try setUp(
            "seed: 3\nfederation: {clients: 8, rounds: 3}\nfaults: {dropout: 0.3, straggler: 0.4, delay: 2, distribution: fixed}",
            hosting: Array(0..<8))
        let model = data.initialParameters
        var taskTimes: [UInt32: Double] = [:]
        fake.script = { f in
            guard !f.received.isEmpty else { return }
            let next = UInt32(taskTimes.count + 1)
            // One round every 5 s: every straggler (2 s late) is in before the next round.
            if next <= 3, f.now >= Double(next - 1) * 5 {
                f.send(.task(round: next, clientIds: Array(0..<8), model: model))
                taskTimes[next] = f.now
            } else if next > 3, f.now >= 15 {
                f.send(.shutdown(reason: "run complete"))
            }
        }

        try runtime.run(network: net, endpoint: "memory://coordinator")

        let plan = FaultPlan(s)
        var kinds: Set<String> = []
        for r in 1...3 {
            for id in 0..<8 {
                let fault = plan.fault(client: id, round: r)
                kinds.insert(fault.label)
                let sent = fake.updates.filter { $0.round == UInt32(r) && $0.client == UInt32(id) }
                let start = try XCTUnwrap(taskTimes[UInt32(r)])
                switch fault {
                case .dropout:
                    XCTAssertEqual(sent.count, 0, "round \(r) client \(id) drops out")
                case .none:
                    XCTAssertEqual(sent.map(\.time), [start], "round \(r) client \(id) answers at once")
                case let .straggler(delay):
                    XCTAssertEqual(delay, 2)
                    XCTAssertEqual(sent.count, 1)
                    XCTAssertEqual(sent.first?.time ?? 0, start + 2, accuracy: 1e-6, "round \(r) client \(id) is 2 s late")
                }
            }
        }
        XCTAssertEqual(kinds, ["", "dropout", "straggler"], "seed 3 gives every kind of fault")
    }

    // MARK: - Stopping

    func testRefusedProcessStopsWithAnError() throws {
        let (runtime, fake, net, _, _) = try setUp("federation: {clients: 2}", hosting: [1])
        fake.welcome = .shutdown(reason: "rejected: client ids [1] are taken")
        XCTAssertThrowsError(try runtime.run(network: net, endpoint: "memory://coordinator")) { error in
            guard case let ClientError.refused(reason)? = error as? ClientError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "rejected: client ids [1] are taken")
        }
        XCTAssertTrue(net.clients.allSatisfy(\.isClosed))
    }

    func testWelcomeForAnotherScenarioIsAMismatch() throws {
        let (runtime, fake, net, s, _) = try setUp("federation: {clients: 2}", hosting: [0])
        fake.welcome = .welcome(fingerprint: s.fingerprint &+ 1, parameterCount: 10, clientIds: [0])
        XCTAssertThrowsError(try runtime.run(network: net, endpoint: "memory://coordinator")) { error in
            guard case ClientError.mismatch? = error as? ClientError else { return XCTFail("\(error)") }
        }
    }

    func testSilentCoordinatorIsAnErrorAfterTheHeartbeatTimeout() throws {
        let (runtime, fake, net, _, _) = try setUp("federation: {clients: 2, heartbeat_timeout: 7}", hosting: [0, 1])
        XCTAssertThrowsError(try runtime.run(network: net, endpoint: "memory://coordinator")) { error in
            guard case let ClientError.coordinatorSilent(seconds)? = error as? ClientError else { return XCTFail("\(error)") }
            XCTAssertEqual(seconds, 7)
        }
        // Silent since the WELCOME at 0 s: the error comes in the first turn after 7 s (turns
        // are at most 0.5 s apart); meanwhile the runtime heartbeats every second.
        let t = net.manualClock.elapsed
        XCTAssertGreaterThan(t, 7)
        XCTAssertLessThanOrEqual(t, 7.5 + 1e-9)
        let beats = fake.heartbeatTimes
        XCTAssertEqual(beats.count, 7, "\(beats)")
        for (t0, t1) in zip(beats, beats.dropFirst()) { XCTAssertEqual(t1 - t0, 1, accuracy: 1e-6) }
    }

    func testNoWelcomeRepeatsTheHelloThenGivesUp() throws {
        let (runtime, fake, net, _, _) = try setUp("federation: {clients: 2, startup_timeout: 9}", hosting: [0])
        fake.welcome = nil
        XCTAssertThrowsError(try runtime.run(network: net, endpoint: "memory://coordinator")) { error in
            guard case let ClientError.noCoordinator(endpoint, seconds)? = error as? ClientError else { return XCTFail("\(error)") }
            XCTAssertEqual(endpoint, "memory://coordinator")
            XCTAssertEqual(seconds, 9)
        }
        XCTAssertEqual(net.manualClock.elapsed, 9.5, accuracy: 1e-6)
        // A HELLO at once, then one each time more than 2 s passed without an answer.
        let times = fake.hellos.map(\.time)
        XCTAssertEqual(times.count, 4, "\(times)")
        for (a, b) in zip(times, times.dropFirst()) { XCTAssertEqual(b - a, 2.5, accuracy: 1e-6) }
    }

    // MARK: - Collusion

    func testColludingClientSubmitsWhatTheHubCrafted() throws {
        let yaml = "federation: {clients: 4, rounds: 1}\nattack: {kind: alie, malicious: 1, z: 1}"
        let attacker = try XCTUnwrap(AttackPlan(try Tiny.scenario(yaml, name: "client-runtime")).members.first?.first)
        let (runtime, fake, net, s, data) = try setUp(yaml, hosting: [attacker])
        XCTAssertEqual(runtime.colludingIds, [attacker])
        let crafted = [Float](repeating: 0.25, count: data.model.parameterCount)
        var step = 0
        fake.script = { f in
            switch step {
            case 0 where !f.received.isEmpty:
                f.send(.task(round: 1, clientIds: [UInt32(attacker)], model: data.initialParameters))
                step = 1
            case 1 where f.fromHub.contains(where: { if case .update = $0.message { return true } else { return false } }):
                f.hubLink?.push(.update(round: 1, clientId: UInt32(attacker), samples: 5, trainLoss: 0.5, delta: crafted))
                step = 2
            case 2 where !f.updates.isEmpty:
                f.send(.shutdown(reason: "run complete"))
                step = 3
            default:
                break
            }
        }

        try runtime.run(network: net, endpoint: "memory://coordinator", hubEndpoint: "memory://hub")
        fake.step()  // what the runtime sent on its way out

        // HELLO to the hub, the honest delta to the hub, the crafted one to the coordinator,
        // and SHUTDOWN to the hub at the end.
        let toHub = fake.fromHub.map(\.message)
        XCTAssertEqual(toHub.first, .hello(fingerprint: s.fingerprint, clientIds: [UInt32(attacker)]))
        let honest = expectedDelta(s, data, id: attacker, round: 1, model: data.initialParameters)
        guard toHub.count == 3, case let .update(_, _, _, _, delta, _) = toHub[1] else { return XCTFail("\(toHub)") }
        XCTAssertEqual(delta, honest.delta)
        XCTAssertEqual(toHub.last, .shutdown(reason: "done"))
        XCTAssertEqual(fake.updates.map(\.delta), [crafted])
        XCTAssertEqual(fake.updates.map(\.samples), [5])
    }

    /// FedSGD with worker momentum: a colluder hands the hub its honest buffer (the TASK's
    /// buffer carried on with its gradient), and the crafted update goes to the coordinator
    /// with that honest buffer beside it as the state frame.
    func testColludingWorkerKeepsItsHonestBufferBesideTheCraftedUpdate() throws {
        let yaml = "federation: {clients: 4, rounds: 2, mode: fedsgd, batch_size: 8, momentum: 0.5}\n"
            + "attack: {kind: alie, malicious: 1, z: 1}"
        let attacker = try XCTUnwrap(AttackPlan(try Tiny.scenario(yaml, name: "client-runtime")).members.first?.first)
        let (runtime, fake, net, s, data) = try setUp(yaml, hosting: [attacker])
        let d = data.model.parameterCount
        let buffer = [Float](repeating: 0.5, count: d), crafted = [Float](repeating: 0.25, count: d)
        var step = 0
        fake.script = { f in
            switch step {
            case 0 where !f.received.isEmpty:
                f.send(.task(round: 2, clientIds: [UInt32(attacker)], model: data.initialParameters, states: [buffer]))
                step = 1
            case 1 where f.fromHub.contains(where: { if case .update = $0.message { return true } else { return false } }):
                f.hubLink?.push(.update(round: 2, clientId: UInt32(attacker), samples: 5, trainLoss: 0.5, delta: crafted))
                step = 2
            case 2 where !f.updates.isEmpty:
                f.send(.shutdown(reason: "run complete"))
                step = 3
            default:
                break
            }
        }
        try runtime.run(network: net, endpoint: "memory://coordinator", hubEndpoint: "memory://hub")
        fake.step()

        let honest = LocalClient.honestUpdate(LocalClient.Procedure(s.federation), id: attacker, round: 2,
                                              model: data.initialParameters, buffer: buffer,
                                              data: data.clientData(attacker), architecture: data.model, seed: s.seed)
        guard case let .update(_, _, _, _, toHub, hubState)? = fake.fromHub.map(\.message).dropFirst().first else {
            return XCTFail("\(fake.fromHub)")
        }
        XCTAssertEqual(toHub, honest.update, "the hub sees the honest momentum")
        XCTAssertNil(hubState)
        let sent = fake.received.compactMap { entry -> ([Float], [Float]?)? in
            if case let .update(_, _, _, _, delta, state) = entry.message { return (delta, state) } else { return nil }
        }
        XCTAssertEqual(sent.map(\.0), [crafted])
        XCTAssertEqual(sent.map(\.1), [honest.update])
    }

    func testColludingClientWithoutAHubEndpointFails() throws {
        let yaml = "federation: {clients: 4, rounds: 1}\nattack: {kind: alie, malicious: 1, z: 1}"
        let (runtime, _, net, _, _) = try setUp(yaml, hosting: [0, 1, 2, 3])
        XCTAssertThrowsError(try runtime.run(network: net, endpoint: "memory://coordinator")) { error in
            guard case let ClientError.noHub(ids)? = error as? ClientError else { return XCTFail("\(error)") }
            XCTAssertEqual(ids, runtime.colludingIds)
        }
    }

    func testSybilOpensItsIdentities() throws {
        let yaml = "federation: {clients: 4, rounds: 1}\nattack: {kind: sybil, malicious: 1, identities: 3}"
        let attacker = try XCTUnwrap(AttackPlan(try Tiny.scenario(yaml, name: "client-runtime")).members.first?.first)
        let (runtime, fake, net, s, data) = try setUp(yaml, hosting: [attacker])
        var sent = false
        fake.script = { f in
            if !sent, !f.received.isEmpty {
                f.send(.task(round: 1, clientIds: [UInt32(attacker)], model: data.initialParameters))
                sent = true
            } else if !f.updates.isEmpty {
                f.send(.shutdown(reason: "run complete"))
            }
        }

        try runtime.run(network: net, endpoint: "memory://coordinator")

        let sybils = net.clients("sybil")
        XCTAssertEqual(sybils.count, 3)
        XCTAssertTrue(sybils.allSatisfy { $0.endpoint == "memory://coordinator" && $0.isClosed })
        let victim = try XCTUnwrap((0..<4).first { AttackPlan(s).group(of: $0) == nil })
        let claimed = sybils.flatMap { $0.takeMessages() }.compactMap { m -> [UInt32]? in
            if case let .hello(_, ids) = m { return ids } else { return nil }
        }
        XCTAssertEqual(claimed, [[UInt32(victim)], [5], [UInt32(victim)]], "even identities claim an honest id, odd ones unknown ids")
    }
}
