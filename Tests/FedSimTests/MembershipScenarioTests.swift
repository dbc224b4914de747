import FedCore
import FedEval
@testable import FedSim
import XCTest

/// The `membership` evaluation as a scenario reads it: its attack list, and one-line errors
/// at the key for an unknown or repeated attack and a bad count.
final class MembershipScenarioTests: XCTestCase {
    func testSectionReadsItsParameters() throws {
        let s = try Tiny.scenario("evaluate: {membership: {attacks: [loss, shadow], shadow_models: 2, client: 1}}",
                                  name: "mia")
        let config = try XCTUnwrap(s.evaluate.evaluations.first)
        XCTAssertEqual(config.kind, "membership")
        let evaluation = MembershipEvaluation(config.values)
        XCTAssertEqual(evaluation.attacks, [.loss, .shadow])
        XCTAssertEqual(evaluation.shadowModels, 2)
        XCTAssertEqual(evaluation.shadowEpochs, 20)
        XCTAssertEqual(evaluation.client, 1)
        // 5 figures per attack and the 2 of the per-client view, then the evaluations' cost.
        XCTAssertEqual(ThreatEvaluator.figures(s.evaluate).count, 2 * 5 + 2 + 1)
    }

    func testBadSettingsGiveOneLineErrorsAtTheKey() {
        let cases: [(yaml: String, message: String)] = [
            ("evaluate: {membership: {attacks: [loss, nope]}}",
             "mia.yaml:2:41: evaluate.membership.attacks[1]: unknown item \"nope\"; allowed: loss, confidence, entropy, shadow"),
            ("evaluate: {membership: {attacks: [loss, shadow, loss]}}",
             "evaluate.membership.attacks: loss is listed twice in [\"loss\", \"shadow\", \"loss\"]"),
            ("evaluate: {membership: {shadow_models: 0}}", "evaluate.membership.shadow_models: 0 is out of range"),
            ("evaluate: {membership: {client: -1}}", "evaluate.membership.client: -1 is out of range"),
        ]
        for c in cases {
            XCTAssertThrowsError(try Tiny.scenario(c.yaml, name: "mia"), c.yaml) { error in
                XCTAssertTrue("\(error)".contains(c.message), "\(c.yaml): \(error)")
            }
        }
    }
}
