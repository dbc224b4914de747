import FedCore
@testable import FedEval
import XCTest

/// The registered `adversarial` evaluation: its figures' names, its parameter checks, and what
/// it measures on a trained digits model.
final class AdversarialEvaluationTests: XCTestCase {
    private let descriptor = AdversarialEvaluation.descriptor

    private func values(_ set: [String: ParameterValue]) -> ParameterValues {
        var v = descriptor.defaults
        for (k, x) in set { v.set(k, x) }
        return v
    }

    func testFigureNamesCarryAnEpsilonSuffixOnlyWithSeveralBudgets() {
        let one = descriptor.figures(descriptor.defaults).map(\.name)
        XCTAssertEqual(one, ["adv_clean_accuracy",
                             "adv_fgsm_accuracy", "adv_fgsm_success", "adv_fgsm_l2", "adv_fgsm_linf",
                             "adv_pgd_accuracy", "adv_pgd_success", "adv_pgd_l2", "adv_pgd_linf",
                             "adv_cw_accuracy", "adv_cw_success", "adv_cw_l2", "adv_cw_linf"])
        let several = descriptor.figures(values(["attacks": .items([ParameterItem(AdversarialEvaluation.attackKinds[1])]),
                                                 "epsilon": .numbers([0.05, 0.1])])).map(\.name)
        XCTAssertEqual(several, ["adv_clean_accuracy",
                                 "adv_pgd_accuracy_e0.05", "adv_pgd_success_e0.05", "adv_pgd_l2_e0.05", "adv_pgd_linf_e0.05",
                                 "adv_pgd_accuracy_e0.1", "adv_pgd_success_e0.1", "adv_pgd_l2_e0.1", "adv_pgd_linf_e0.1"])
    }

    func testAnAttackOrABudgetListedTwiceIsRefused() {
        let fgsm = ParameterItem(AdversarialEvaluation.attackKinds[0])
        XCTAssertThrowsError(try descriptor.normalized(values(["attacks": .items([fgsm, fgsm])]))) { error in
            XCTAssertEqual((error as? ParameterError)?.description, "attacks: fgsm is listed twice; list each attack once")
        }
        XCTAssertThrowsError(try descriptor.normalized(values(["epsilon": .numbers([0.1, 0.1])]))) { error in
            XCTAssertEqual((error as? ParameterError)?.description, "epsilon: 0.1 is listed twice; list each budget once")
        }
    }

    /// On 80 held-out digits: the clean accuracy is the model's on the same seeded sample;
    /// FGSM's L∞ is ε wherever the gradient moves a pixel, PGD is at least as strong as FGSM,
    /// Carlini–Wagner breaks most inputs with a smaller L2 than PGD's, every rate is in [0, 1],
    /// and the same rng gives the same figures.
    func testMeasuresOnTrainedDigitsModel() throws {
        let input = DigitsFixture.input(samples: 80)
        let small = values(["cw_steps": .int(50), "cw_search": .int(4), "steps": .int(10), "step_size": .auto])
        let outcome = try descriptor.evaluate(small, input)
        let f = outcome.figures
        XCTAssertEqual(Set(f.keys), Set(descriptor.figures(small).map(\.name)))
        for (name, value) in f where name.hasSuffix("accuracy") || name.hasSuffix("success") {
            XCTAssertTrue((0...1).contains(value), "\(name) = \(value)")
        }
        // The clean accuracy on the same seeded sample of held-out inputs.
        var rng = input.rng
        var order = Array(0..<input.heldOut.count)
        rng.shuffle(&order)
        let sample = input.heldOut.subset(Array(order.prefix(80)))
        let clean = FedCore.evaluate(model: input.model, parameters: input.parameters, data: sample).accuracy
        XCTAssertEqual(try XCTUnwrap(f["adv_clean_accuracy"]), clean, accuracy: 1e-12)
        XCTAssertGreaterThan(clean, 0.85)

        XCTAssertEqual(try XCTUnwrap(f["adv_fgsm_linf"]), 0.1, accuracy: 1e-6)
        XCTAssertLessThan(try XCTUnwrap(f["adv_fgsm_accuracy"]), clean)
        XCTAssertLessThanOrEqual(try XCTUnwrap(f["adv_pgd_accuracy"]), try XCTUnwrap(f["adv_fgsm_accuracy"]))
        XCTAssertLessThanOrEqual(try XCTUnwrap(f["adv_pgd_linf"]), 0.1 + 1e-6)
        XCTAssertGreaterThan(try XCTUnwrap(f["adv_cw_success"]), 0.8)
        XCTAssertEqual(try XCTUnwrap(f["adv_cw_accuracy"]), clean * (1 - f["adv_cw_success"]!), accuracy: 1e-9)
        XCTAssertLessThan(try XCTUnwrap(f["adv_cw_l2"]), try XCTUnwrap(f["adv_pgd_l2"]))

        // Same seed, same bits (PGD's random start included); another seed, another sample and start.
        let pgd = values(["attacks": .items([ParameterItem(AdversarialEvaluation.attackKinds[1])]), "steps": .int(5)])
        let again = try descriptor.evaluate(pgd, input)
        XCTAssertEqual(try descriptor.evaluate(pgd, input), again)
        XCTAssertNotEqual(try descriptor.evaluate(pgd, DigitsFixture.input(samples: 80, seed: 4)).figures["adv_pgd_l2"],
                          again.figures["adv_pgd_l2"])
    }
}
