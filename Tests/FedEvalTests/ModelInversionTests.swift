import FedCore
import FedTestSupport
@testable import FedEval
import XCTest

final class ModelInversionTests: XCTestCase {
    /// A hand-built linear model on 3 features in [0, 1], W = identity-like (class c's logit is
    /// 4 * x_c): descending from the grey start, every reconstruction is classified as its
    /// class, for both costs, and lands at the corner e_c (its feature up, the others down).
    func testReconstructionOfEachClassIsClassifiedAsIt() {
        let model = LogisticRegression(inputDimension: 3, classes: 3)
        var theta = [Float](repeating: 0, count: model.parameterCount)
        for c in 0..<3 { theta[c * 3 + c] = 4 }
        let domain = InputDomain(lower: [0, 0, 0], upper: [1, 1, 1])
        for cost in ModelInversion.Cost.allCases {
            let x = ModelInversion(iterations: 200, learningRate: 0.5, cost: cost, start: .middle)
                .reconstruct(model: model, parameters: theta, classes: [0, 1, 2], domain: domain, shape: [3])
            let predicted = predict(model: model, parameters: theta,
                                    data: Dataset(features: x, labels: [0, 1, 2], dimension: 3, classes: 3, name: "x"))
            XCTAssertEqual(predicted, [0, 1, 2], "\(cost)")
            for c in 0..<3 { for j in 0..<3 { XCTAssertEqual(x[c * 3 + j], c == j ? 1 : 0, accuracy: 1e-3, "\(cost) \(c) \(j)") } }
        }
    }

    /// The figures on literal data with 0 iterations (the reconstruction is the grey start 0.5):
    /// class 0's mean is [0, 0], class 1's [1, 1] (one sample each), overall [0.5, 0.5]; each
    /// distance is sqrt((0.25 + 0.25) / 2) = 0.5, and so is each baseline distance.
    func testDistanceFiguresOnLiteralInputs() {
        let model = LogisticRegression(inputDimension: 2, classes: 2)
        let theta: [Float] = [1, -1, 0, 0, 0, 0]   // logits [x0, -x0]: the grey start is class 0
        let train = Dataset(features: [0, 0, 1, 1], labels: [0, 1], dimension: 2, classes: 2, name: "t")
        let input = EvaluationInput(model: model, parameters: theta, previous: theta, round: 1, train: train,
                                    clientIndices: [[0, 1]], heldOut: train, samples: 2,
                                    domain: InputDomain(lower: [0, 0], upper: [1, 1]),
                                    training: LocalTraining(epochs: 1, batchSize: 1, sgd: SGDConfig(learningRate: 0.1)),
                                    rng: SeededRNG(seed: 1))
        let d = ModelInversionEvaluation.descriptor
        let f = (try? d.evaluate(values(d, ["iterations": .int(0), "start": .word("middle")]), input).figures) ?? [:]
        XCTAssertEqual(f["minv_distance"] ?? -1, 0.5, accuracy: 1e-7)
        XCTAssertEqual(f["minv_baseline_distance"] ?? -1, 0.5, accuracy: 1e-7)
        XCTAssertEqual(f["minv_accuracy"], 0.5)   // class 0 is predicted for both starts
        let p0 = 1 / (1 + exp(-1.0))              // softmax([0.5, -0.5])_0
        XCTAssertEqual(f["minv_confidence"] ?? -1, (p0 + (1 - p0)) / 2, accuracy: 1e-6)
        XCTAssertEqual(ModelInversionEvaluation.rmsDistance([0, 0, 0, 0], [1, 1, 1, 1]), 1)
        XCTAssertEqual(ModelInversionEvaluation.rmsDistance([3, 0], [0, 4]), (25.0 / 2).squareRoot(), accuracy: 1e-12)
    }

    /// On digits (an 8x8 logistic regression), the TV prior lowers the total variation of the
    /// reconstructions; all of them are classified as their class; the report gets two panels.
    func testTotalVariationPriorLowersTheReconstructionsTV() throws {
        let split = try DigitsSplit.load()
        let model = LogisticRegression(inputDimension: 64, classes: 10)
        let theta = split.trained(model, epochs: 5)
        func run(_ tv: Double) throws -> (tv: Float, outcome: EvaluationOutcome, x: [Float]) {
            let inversion = ModelInversion(iterations: 100, learningRate: 0.1, tv: Float(tv))
            let x = inversion.reconstruct(model: model, parameters: theta, classes: Array(0..<10), domain: split.domain,
                                          shape: [1, 8, 8], data: split.heldOut)
            let total = (0..<10).reduce(Float(0)) { s, c in
                s + TotalVariation.valueAndGradient(Array(x[(c * 64)..<((c + 1) * 64)]), shape: [1, 8, 8]).value
            }
            let d = ModelInversionEvaluation.descriptor
            let outcome = try d.evaluate(values(d, ["iterations": .int(100), "tv": .number(tv)]), split.input(model, theta))
            return (total, outcome, x)
        }
        let plain = try run(0), smooth = try run(2)
        XCTAssertLessThan(smooth.tv, 0.8 * plain.tv, "TV \(smooth.tv) with the prior, \(plain.tv) without")
        XCTAssertEqual(plain.outcome.figures["minv_accuracy"], 1)
        XCTAssertEqual(plain.outcome.images.map(\.images.count), [10, 10])
        XCTAssertEqual(plain.outcome.images.first?.shape, [1, 8, 8])
        // The evaluation's reconstructions are the ones shown.
        XCTAssertEqual(plain.outcome.images.first?.images.first, split.domain.display(Array(plain.x[0..<64])))
    }

    /// The three starts on a literal domain and data: the middle, the lower bound, and the
    /// data's mean clamped to the domain ([2, 0.5] -> [1, 0.5]).
    func testStartPoints() {
        let domain = InputDomain(lower: [0, 0], upper: [1, 2])
        let data = Dataset(features: [1, 0, 3, 1], labels: [0, 1], dimension: 2, classes: 2, name: "t")
        XCTAssertEqual(ModelInversion.startPoint(.middle, domain: domain, data: data), [0.5, 1])
        XCTAssertEqual(ModelInversion.startPoint(.lower, domain: domain, data: data), [0, 0])
        XCTAssertEqual(ModelInversion.startPoint(.mean, domain: domain, data: data), [1, 0.5])
    }

    func testCheckRefusesClassesOutsideTheModel() {
        let d = ModelInversionEvaluation.descriptor
        let message = d.check(values(d, ["classes": .ints([3, 12])]), LogisticRegression(inputDimension: 4, classes: 10))
        XCTAssertEqual(message, "model_inversion.classes: class 12 is outside the model's classes 0..<10")
        XCTAssertNil(d.check(d.defaults, LogisticRegression(inputDimension: 4, classes: 10)))
        XCTAssertEqual(d.figures(d.defaults).map(\.name), ["minv_accuracy", "minv_confidence", "minv_distance", "minv_baseline_distance"])
    }
}
