import FedCore
import FedTestSupport
@testable import FedEval
import XCTest

final class HyperparameterStealingTests: XCTestCase {
    /// θ = [1, 2], ∇ℓ = [−0.1, −0.2]: λ̂ = 0.5 / 5 = 0.1; a zero model has no estimate.
    func testEstimatorOnLiterals() throws {
        XCTAssertEqual(try XCTUnwrap(HyperparameterStealing.estimate(parameters: [1, 2], dataGradient: [-0.1, -0.2])), 0.1,
                       accuracy: 1e-7)
        // Least squares on a gradient that is not exactly parallel: −(1·(−0.1) + 2·(−0.3)) / 5 = 0.14.
        XCTAssertEqual(try XCTUnwrap(HyperparameterStealing.estimate(parameters: [1, 2], dataGradient: [-0.1, -0.3])), 0.14,
                       accuracy: 1e-7)
        XCTAssertNil(HyperparameterStealing.estimate(parameters: [0, 0], dataGradient: [1, 1]))
    }

    /// docs/ALGORITHMS.md 10.4's check values: the L2 logistic regression (labels ±1, no
    /// intercept) on five points with λ = 0.5 in `Σ ℓ + λ ||w||²` has w* = (0.41815295,
    /// 1.04740234); its summed data gradient is −2λ w*, so the mean gradient is −(2λ / 5) w* and
    /// the estimate in fedsim's convention (mean loss + (λ' / 2) ||w||²) is λ' = 2λ / 5 = 0.2.
    func testDocumentedCheckValues() throws {
        let x: [(Double, Double)] = [(1, 2), (2, 0.5), (-1, -1), (0.5, -1.5), (-0.5, 1)]
        let y: [Double] = [1, 1, -1, -1, 1]
        let w: [Double] = [0.41815295, 1.04740234]
        var g = [0.0, 0.0]
        for (xi, yi) in zip(x, y) {
            let s = -yi / (1 + exp(yi * (w[0] * xi.0 + w[1] * xi.1))) / 5
            g[0] += s * xi.0
            g[1] += s * xi.1
        }
        let lambda = try XCTUnwrap(HyperparameterStealing.estimate(parameters: w.map { Float($0) }, dataGradient: g.map { Float($0) }))
        XCTAssertEqual(lambda, 0.2, accuracy: 1e-6)
    }

    /// A ridge logistic regression trained centrally to convergence (500 steps of full-batch
    /// gradient descent on 300 digits with weight decay 0.1): the estimate is the weight decay
    /// to 1e-4 relative error.
    func testRecoversTheWeightDecayOfAConvergedRidgeLogisticRegression() throws {
        let split = try DigitsSplit.load()
        let data = split.train.subset(Array(0..<300))
        let model = LogisticRegression(inputDimension: 64, classes: 10)
        let wd: Float = 0.1
        var theta = [Float](repeating: 0, count: model.parameterCount)
        var sgd = SGD(config: SGDConfig(learningRate: 1, weightDecay: wd))
        for _ in 0..<500 {
            sgd.step(parameters: &theta, gradient: model.lossAndGradient(parameters: theta, inputs: data.features,
                                                                         labels: data.labels).gradient)
        }
        let g = HyperparameterStealing.dataGradient(model: model, parameters: theta, data: data, batchSize: 64)
        let lambda = try XCTUnwrap(HyperparameterStealing.estimate(parameters: theta, dataGradient: g))
        XCTAssertEqual(lambda, Double(wd), accuracy: 1e-4 * Double(wd))   // measured: 0.10000001
        // Through the evaluation: ext_lambda and its relative error.
        let input = EvaluationInput(model: model, parameters: theta, previous: theta, round: 1, train: data,
                                    clientIndices: [Array(0..<300)], heldOut: split.heldOut, samples: 100, domain: split.domain,
                                    training: LocalTraining(epochs: 1, batchSize: 32, sgd: SGDConfig(learningRate: 0.1, weightDecay: wd)),
                                    rng: SeededRNG(seed: 2))
        let f = try ExtractionEvaluation.descriptor.evaluate(values(ExtractionEvaluation.descriptor, ["queries": .ints([5]), "steps": .int(1)]),
                                                             input).figures
        XCTAssertEqual(try XCTUnwrap(f["ext_lambda"]), lambda, accuracy: 1e-6)
        XCTAssertLessThan(try XCTUnwrap(f["ext_lambda_error"]), 1e-3)
    }
}
