import FedAttacks
import FedCore
@testable import FedSim
import XCTest

/// One logical client: an honest client composed with an attack. What it sends is its local
/// training's delta, changed by its attack only in the rounds the attack is active.
final class LocalClientTests: XCTestCase {
    private var scenario: Scenario!
    private var data: FederationData!

    override func setUpWithError() throws {
        scenario = try Tiny.scenario("seed: 11\nfederation: {clients: 4, local_epochs: 2, batch_size: 8}")
        data = try FederationData.prepare(scenario)
    }

    private var config: LocalTraining { FederationData.localTraining(scenario.federation) }

    private func client(_ id: Int = 0, poisoned: Dataset? = nil, attack: (any ModelAttack)? = nil, boost: Float = 1) -> LocalClient {
        LocalClient(id: id, clean: data.clientData(id), poisoned: poisoned, group: attack == nil && poisoned == nil && boost == 1 ? nil : 0,
                    modelAttack: attack, boost: boost)
    }

    /// local training from the initial model on `dataset`, with client `id`'s RNG for `round`.
    private func trained(_ dataset: Dataset, id: Int = 0, round: Int = 1) -> (delta: [Float], loss: Double) {
        var rng = SeededRNG(seed: scenario.seed).derive("train", round, id)
        let start = data.initialParameters
        let r = trainLocally(model: data.model, start: start, data: dataset, config: config, rng: &rng)
        return (zip(r.parameters, start).map { $0 - $1 }, r.meanLoss)
    }

    private func run(_ c: LocalClient, active: Bool, round: Int = 1) throws -> (outcome: LocalClient.Outcome, samples: Int, loss: Double) {
        let r = try c.train(round: round, model: data.initialParameters, buffer: nil, active: active, architecture: data.model,
                            procedure: .fedavg(config), seed: scenario.seed, sampled: 4, attackersSampled: 1, previousChange: nil)
        return (r.0, r.samples, r.loss)
    }

    private func sent(_ o: LocalClient.Outcome) -> [Float]? { if case let .send(d, _) = o { return d } else { return nil } }
    private func colluded(_ o: LocalClient.Outcome) -> [Float]? { if case let .collude(d, _) = o { return d } else { return nil } }

    func testHonestClientSendsItsTrainingDelta() throws {
        let honest = client()
        let expected = trained(data.clientData(0))
        let r = try run(honest, active: false)
        XCTAssertEqual(sent(r.outcome), expected.delta)
        XCTAssertEqual(r.loss, expected.loss)
        XCTAssertEqual(r.samples, data.clientData(0).count)
        XCTAssertEqual(sent(try run(honest, active: false).outcome), expected.delta, "the same bits again")
        XCTAssertNotEqual(sent(try run(honest, active: false, round: 2).outcome), expected.delta, "another round, another batch order")
    }

    /// (what the client is, active?) -> what it sends, in terms of its honest delta u.
    func testAttacksActOnlyWhenActive() throws {
        let u = trained(data.clientData(0)).delta
        let table: [(String, LocalClient, Bool, (LocalClient.Outcome) -> Bool)] = [
            ("boost 3, active", client(boost: 3), true, { self.sent($0) == u.map { 3 * $0 } }),
            ("boost 3, inactive", client(boost: 3), false, { self.sent($0) == u }),
            ("sign flip, active", client(attack: try SignFlip()), true, { self.sent($0) == u.map { -$0 } }),
            ("sign flip, inactive", client(attack: try SignFlip()), false, { self.sent($0) == u }),
            ("ALIE colludes, active", client(attack: try ALIE(z: .fixed(1))), true, { self.colluded($0) == u }),
            ("ALIE, inactive", client(attack: try ALIE(z: .fixed(1))), false, { self.sent($0) == u }),
        ]
        for (name, c, active, check) in table {
            XCTAssertTrue(check(try run(c, active: active).outcome), name)
        }
    }

    func testDataAttackTrainsOnThePoisonedCopyButReportsTheCleanCount() throws {
        let poisoned = data.clientData(1)
        let attacker = client(0, poisoned: poisoned)
        let active = try run(attacker, active: true)
        XCTAssertEqual(sent(active.outcome), trained(poisoned).delta)
        XCTAssertEqual(active.samples, data.clientData(0).count)
        XCTAssertEqual(sent(try run(attacker, active: false).outcome), trained(data.clientData(0)).delta)
    }

    /// FedSGD with worker momentum 0.5: an honest client sends its buffer and no state; a
    /// sign-flipper sends the flipped buffer with its honest buffer as the state; a booster
    /// likewise; a colluder hands its honest buffer to the hub and keeps it as the state.
    func testFedSGDAttackersKeepTheirHonestBuffer() throws {
        let s = try Tiny.scenario("seed: 11\nfederation: {clients: 4, mode: fedsgd, batch_size: 8, momentum: 0.5}")
        let d = try FederationData.prepare(s)
        let procedure = LocalClient.Procedure(s.federation)
        let previous = [Float](repeating: 0.25, count: d.initialParameters.count)
        let honest = LocalClient.honestUpdate(procedure, id: 0, round: 2, model: d.initialParameters, buffer: previous,
                                              data: d.clientData(0), architecture: d.model, seed: s.seed)
        XCTAssertEqual(honest.state, honest.update)
        func outcome(_ attack: (any ModelAttack)?, boost: Float = 1) throws -> LocalClient.Outcome {
            let c = LocalClient(id: 0, clean: d.clientData(0), poisoned: nil, group: 0, modelAttack: attack, boost: boost)
            return try c.train(round: 2, model: d.initialParameters, buffer: previous, active: true, architecture: d.model,
                               procedure: procedure, seed: s.seed, sampled: 4, attackersSampled: 1, previousChange: nil).0
        }
        let m = honest.update
        guard case let .send(plain, plainState) = try outcome(nil),
              case let .send(flipped, flipState) = try outcome(try SignFlip()),
              case let .send(boosted, boostState) = try outcome(nil, boost: 3),
              case let .collude(toHub, hubState) = try outcome(try ALIE(z: .fixed(1))) else { return XCTFail() }
        XCTAssertEqual(plain, m)
        XCTAssertNil(plainState)
        XCTAssertEqual(flipped, m.map { -$0 })
        XCTAssertEqual(flipState, m)
        XCTAssertEqual(boosted, m.map { 3 * $0 })
        XCTAssertEqual(boostState, m)
        XCTAssertEqual(toHub, m)
        XCTAssertEqual(hubState, m)
    }
}
