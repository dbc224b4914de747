import FedAttacks
import FedCore
import FedEval
@testable import FedSim
import Foundation
import XCTest

/// `local_training: {adversarial: ...}`: read with defaults, written back, refused with one
/// line naming the key; honest clients train adversarially, malicious ones do not; the shard
/// file carries the domain they clamp to.
final class LocalTrainingConfigTests: XCTestCase {
    func testReadsWithDefaultsAndRoundTrips() throws {
        let s = try Tiny.scenario("local_training: {adversarial: {epsilon: 0.2, steps: 3}}")
        XCTAssertEqual(s.localTraining.adversarial,
                       AdversarialTraining(attack: .pgd, epsilon: 0.2, steps: 3, stepSize: nil, ratio: 0.5))
        XCTAssertTrue(s.resolvedYAML().contains("local_training:\n  adversarial:\n    attack: pgd\n    epsilon: 0.2\n"
                                                 + "    steps: 3\n    step_size: auto\n    ratio: 0.5\n"))
        let back = try Scenario.parse(yaml: s.resolvedYAML(), file: "r.yaml", baseDirectory: "/")
        XCTAssertEqual(back, s)
        let fixed = try Tiny.scenario("local_training: {adversarial: {attack: fgsm, step_size: 0.05, ratio: 1}}")
        XCTAssertEqual(fixed.localTraining.adversarial?.stepSize, 0.05)
        XCTAssertEqual(try Scenario.parse(yaml: fixed.resolvedYAML(), file: "r.yaml", baseDirectory: "/"), fixed)
        // Without it (or with an empty section) the resolved scenario, so the fingerprint, is as before.
        let plain = try Tiny.scenario("seed: 2"), empty = try Tiny.scenario("seed: 2\nlocal_training: {}")
        XCTAssertFalse(plain.resolvedYAML().contains("local_training"))
        XCTAssertEqual(plain.fingerprint, empty.fingerprint)
        XCTAssertNotEqual(plain.fingerprint, try Tiny.scenario("seed: 2\nlocal_training: {adversarial: {}}").fingerprint)
    }

    func testBadValuesNameTheKey() {
        let cases: [(String, String, UInt)] = [
            ("local_training: {adversarial: {attack: cw}}",
             "local_training.adversarial.attack: unknown value \"cw\"; allowed: pgd, fgsm", #line),
            ("local_training: {adversarial: {ratio: 0}}",
             "local_training.adversarial.ratio: 0 is out of range; allowed: 0 < ratio <= 1", #line),
            ("local_training: {adversarial: {epsilon: 1.5}}",
             "local_training.adversarial.epsilon: 1.5 is out of range; allowed: 0 < epsilon <= 1", #line),
            ("local_training: {adversarial: {step_size: big}}",
             "local_training.adversarial.step_size: expected auto or a number, got \"big\"", #line),
            ("local_training: {adversarial: {eps: 0.1}}",
             "local_training.adversarial.eps: unknown key; did you mean epsilon? allowed: attack, epsilon, steps, step_size, ratio", #line),
            ("local_training: {robust: true}", "local_training.robust: unknown key; allowed: adversarial", #line),
            ("federation: {mode: fedsgd}\nlocal_training: {adversarial: {}}",
             "local_training: adversarial training changes the local training of federation.mode fedavg; "
                + "this scenario's mode is fedsgd, where clients send one gradient", #line),
            ("evaluate: {adversarial: {epsilon: [0.1, 2]}}",
             "evaluate.adversarial.epsilon[1]: 2 is out of range; allowed: 0 < epsilon[1] <= 1", #line),
            ("evaluate: {adversarial: {epsilon: [0.1, 0.1]}}",
             "evaluate.adversarial.epsilon: 0.1 is listed twice; list each budget once", #line),
            ("evaluate: {adversarial: {attacks: [pgd, deepfool]}}",
             "evaluate.adversarial.attacks[1]: unknown item \"deepfool\"; allowed: fgsm, pgd, cw", #line),
        ]
        for (yaml, expected, line) in cases {
            do {
                _ = try Tiny.scenario(yaml)
                XCTFail("no error for \(yaml)", line: line)
            } catch let error as ScenarioError {
                XCTAssertTrue(error.description.hasSuffix(expected), "\(error.description)", line: line)
                XCTAssertFalse(error.description.contains("\n"), line: line)
            } catch {
                XCTFail("\(error)", line: line)
            }
        }
    }

    func testEvaluateAdversarialReadsOneOrSeveralBudgets() throws {
        let one = try Tiny.scenario("evaluate: {adversarial: {epsilon: 0.05, attacks: [pgd]}}")
        XCTAssertEqual(one.evaluate.evaluations.first?.values.numbers("epsilon"), [0.05])
        let several = try Tiny.scenario("evaluate: {adversarial: {epsilon: [0.05, 0.2], step_size: auto}}")
        XCTAssertEqual(several.evaluate.evaluations.first?.values.numbers("epsilon"), [0.05, 0.2])
        XCTAssertTrue(several.resolvedYAML().contains("epsilon: [0.05, 0.2]"))
        XCTAssertEqual(try Scenario.parse(yaml: several.resolvedYAML(), file: "r.yaml", baseDirectory: "/"), several)
    }

    /// An honest client's update under adversarial training differs from plain training's,
    /// the same bits twice; a malicious client (sign flip) flips its plain training's update.
    func testHonestClientsTrainAdversariallyAndAttackersDoNot() throws {
        let s = try Tiny.scenario("seed: 11\nfederation: {clients: 4, local_epochs: 2, batch_size: 8}\n"
                                  + "local_training: {adversarial: {epsilon: 0.2, steps: 3}}")
        let data = try FederationData.prepare(s)
        let config = FederationData.localTraining(s.federation)
        let adversarial = try XCTUnwrap(s.localTraining.adversarial)
        func run(_ c: LocalClient) throws -> [Float]? {
            let r = try c.train(round: 1, model: data.initialParameters, buffer: nil, active: true, architecture: data.model,
                                procedure: .fedavg(config), seed: s.seed, sampled: 4, attackersSampled: 1, previousChange: nil)
            if case let .send(d, _) = r.0 { return d }
            return nil
        }
        var honest = LocalClient(id: 0, clean: data.clientData(0), poisoned: nil, group: nil, modelAttack: nil, boost: 1)
        let plain = try XCTUnwrap(try run(honest))
        honest.adversarial = (adversarial, data.inputDomain)
        let robust = try XCTUnwrap(try run(honest))
        XCTAssertNotEqual(plain, robust)
        XCTAssertEqual(try run(honest), robust, "the same bits again")
        var rng = SeededRNG(seed: s.seed).derive("train", 1, 0)
        let expected = adversarial.train(model: data.model, start: data.initialParameters, data: data.clientData(0),
                                         config: config, domain: data.inputDomain, rng: &rng)
        XCTAssertEqual(robust, zip(expected.parameters, data.initialParameters).map { $0 - $1 })

        var attacker = LocalClient(id: 0, clean: data.clientData(0), poisoned: nil, group: 0, modelAttack: try SignFlip(), boost: 1)
        attacker.adversarial = (adversarial, data.inputDomain)
        XCTAssertEqual(try run(attacker), plain.map { -$0 })
    }

    func testShardFileCarriesTheInputDomain() throws {
        let s = try Tiny.scenario("federation: {clients: 4}")
        let data = try FederationData.prepare(s)
        let shard = ClientData.shardFile(of: data, scenario: s, clientIds: [1, 2])
        let back = try ShardFile.decode(shard.encoded(), file: "s.bin")
        let client = ClientData(federation: data, clientIds: [1, 2])
        XCTAssertEqual(back.domainLower, data.inputDomain.lower)
        XCTAssertEqual(back.domainUpper, data.inputDomain.upper)
        XCTAssertEqual(client.domain, data.inputDomain)
    }
}

/// The shipped adversarial scenario through the coordinator's evaluator: its figures are
/// rounds.csv columns, and one evaluation of the global model reports every one of them.
final class AdversarialScenarioTests: XCTestCase {
    func testShippedScenarioReportsEveryDeclaredFigure() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let path = url.appendingPathComponent("scenarios/threats/adversarial.yaml").path
        let s = try Scenario.load(path: path, overrides: ["evaluate.samples=30", "evaluate.adversarial.cw_steps=20",
                                                          "evaluate.adversarial.cw_search=2", "evaluate.adversarial.steps=5"])
        XCTAssertNotNil(Registry.evaluation("adversarial"))
        let header = s.roundsSchema.header
        for name in ["adv_clean_accuracy", "adv_pgd_accuracy_e0.1", "adv_fgsm_success_e0.05", "adv_cw_l2", "evaluation_ms"] {
            XCTAssertTrue(header.contains(name), name)
        }
        let data = try FederationData.prepare(s)
        let evaluator = ThreatEvaluator(scenario: s, data: data)
        XCTAssertEqual(evaluator.evaluates(round: 5), true)
        XCTAssertEqual(evaluator.evaluates(round: 4), false)
        let result = evaluator.evaluate(round: 5, parameters: data.initialParameters, previous: data.initialParameters, updates: [])
        XCTAssertEqual(result.failures, [])
        let declared = Set(ThreatEvaluator.figures(s.evaluate).map(\.name)).subtracting([ThreatEvaluator.costFigure])
        // An untrained model gets few inputs right; Carlini-Wagner's norms are empty only if none succeeded.
        XCTAssertTrue(Set(result.figures.keys).isSubset(of: declared))
        XCTAssertTrue(declared.subtracting(["adv_cw_l2", "adv_cw_linf"]).isSubset(of: Set(result.figures.keys)))
    }
}
