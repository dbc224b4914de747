import FedCore
import FedTestSupport
@testable import FedEval
import XCTest

final class ExtractionEvaluationTests: XCTestCase {
    /// Property over seeds on digits: a surrogate from more uniform queries agrees more with an
    /// MLP target (measured with 200 steps: about 0.3, 0.45, 0.6 at 10, 100, 1,000 queries).
    func testAgreementGrowsWithTheQueryBudget() throws {
        let split = try DigitsSplit.load()
        let model = MLP(inputDimension: 64, hidden: [32], classes: 10)
        let theta = split.trained(model, epochs: 10)
        let d = ExtractionEvaluation.descriptor
        let v = values(d, ["queries": .ints([10, 100, 1000]), "source": .word("uniform"), "steps": .int(200), "hyperparameter_stealing": .bool(false)])
        for seed in [1, 2, 3] as [UInt64] {
            let f = try d.evaluate(v, split.input(model, theta, seed: seed)).figures
            let agreement = try [10, 100, 1000].map { try XCTUnwrap(f["ext_agreement_q\($0)"]) }
            XCTAssertLessThan(agreement[0], agreement[1], "seed \(seed): \(agreement)")
            XCTAssertLessThan(agreement[1], agreement[2], "seed \(seed): \(agreement)")
            XCTAssertNotNil(f["ext_accuracy_q1000"])
        }
    }

    /// Same seed, same figures; the held-out source leaves out a budget above its pool (the
    /// 360 held-out samples split 180 / 180).
    func testDeterministicAndHeldOutBudgetsAboveThePoolAreLeftOut() throws {
        let split = try DigitsSplit.load()
        let model = LogisticRegression(inputDimension: 64, classes: 10)
        let theta = split.trained(model, epochs: 3)
        let d = ExtractionEvaluation.descriptor
        let v = values(d, ["queries": .ints([50, 181]), "steps": .int(20), "source": .word("heldout")])
        let a = try d.evaluate(v, split.input(model, theta)), b = try d.evaluate(v, split.input(model, theta))
        XCTAssertEqual(a, b)
        XCTAssertNotNil(a.figures["ext_agreement_q50"])
        XCTAssertNil(a.figures["ext_agreement_q181"])
        XCTAssertEqual(ExtractionEvaluation.split(heldOut: split.heldOut, samples: 500, rng: SeededRNG(seed: 7)).pool.count, 180)
        let jacobian = try d.evaluate(values(d, ["queries": .ints([20, 120]), "steps": .int(20), "source": .word("jacobian"),
                                                 "seed_size": .int(20)]), split.input(model, theta))
        XCTAssertNotNil(jacobian.figures["ext_agreement_q120"])
    }

    /// The API's rows for literal logits: probabilities, rounded, labels.
    func testOracleResponses() {
        let z: [Float] = [0, Float(log(3.0)), -20]   // softmax ~ [0.25, 0.75, 5e-10]
        let cases: [(PredictionOracle.Response, [Float])] = [
            (.rounded(1), [0.3, 0.8, 0]),   // 0.25 rounds half away from zero
            (.rounded(0), [0, 1, 0]),
            (.labels, [0, 1, 0]),
        ]
        for (response, expected) in cases {
            var row = z
            row.withUnsafeMutableBufferPointer { PredictionOracle.respond($0, response) }
            for (a, b) in zip(row, expected) { XCTAssertEqual(a, b, accuracy: 1e-6, "\(response)") }
        }
        var row = z
        row.withUnsafeMutableBufferPointer { PredictionOracle.respond($0, .probabilities) }
        XCTAssertEqual(row[0], 0.25, accuracy: 1e-6)
        XCTAssertEqual(row[2], Float(exp(-20.0) / (4 * exp(0.0))), accuracy: 1e-12)
    }

    /// A two-feature logistic regression, W = [[1, -1], [2, 0]] (rows = features), b = 0: at
    /// x = [0.5, 0.5] with label 0, ∇ log p_0 = w_0 − Σ p_k w_k has the sign of w_0 − w_1 =
    /// [2, 2], so x moves by +λ·width on both features (width 2 on feature 1); with label 1
    /// it moves the other way, clamped at the domain's lower bound.
    func testJacobianAugmentationStepsBySignOfTheLabelGradient() {
        let model = LogisticRegression(inputDimension: 2, classes: 2)
        let theta: [Float] = [1, -1, 2, 0, 0, 0]
        let domain = InputDomain(lower: [0, 0], upper: [1, 2])
        let out = JacobianAugmentation.augment(model: model, parameters: theta, inputs: [0.5, 0.5, 0.5, 0.1], labels: [0, 1],
                                               count: 2, step: 0.1, domain: domain, workspace: ModelWorkspace())
        for (a, b) in zip(out, [0.6, 0.7, 0.4, 0] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    /// Figures follow the parameters; rounding with labels_only is refused naming the key.
    func testFiguresAndParameterChecks() throws {
        let d = ExtractionEvaluation.descriptor
        XCTAssertEqual(d.figures(d.defaults).map(\.name),
                       ["ext_agreement_q100", "ext_accuracy_q100", "ext_agreement_q1000", "ext_accuracy_q1000",
                        "ext_agreement_q5000", "ext_accuracy_q5000", "ext_lambda", "ext_lambda_error"])
        XCTAssertEqual(d.figures(values(d, ["queries": .ints([7]), "equation_solving": .bool(true),
                                            "hyperparameter_stealing": .bool(false)])).map(\.name),
                       ["ext_agreement_q7", "ext_accuracy_q7", "ext_equation_error", "ext_equation_queries"])
        XCTAssertThrowsError(try d.normalized(values(d, ["rounding": .int(2), "labels_only": .bool(true)]))) { error in
            XCTAssertEqual((error as? ParameterError)?.key, "rounding")
        }
        XCTAssertThrowsError(try d.normalized(values(d, ["queries": .ints([10, 10])])))
    }
}
