import FedTestSupport
import XCTest
@testable import FedCore

final class TrainingTests: XCTestCase {
    private let blobs = gaussianBlobs(classes: 3, dimension: 4, perClass: 100, separation: 4, sd: 0.7, seed: 42)
    private let held = gaussianBlobs(classes: 3, dimension: 4, perClass: 50, separation: 4, sd: 0.7, seed: 43)

    /// Logistic regression (`hidden` nil) or an MLP with `hidden` widths, for 4 features and 3 classes.
    private func model(hidden: [Int]?) -> any Model {
        hidden.map { MLP(inputDimension: 4, hidden: $0, classes: 3) } ?? LogisticRegression(inputDimension: 4, classes: 3)
    }

    private func train(hidden: [Int]?, seed: UInt64, epochs: Int = 5) -> (any Model, TrainingResult) {
        let model = model(hidden: hidden)
        var initRNG = SeededRNG(seed: seed).derive("init")
        let start = model.initialParameters(rng: &initRNG)
        var rng = SeededRNG(seed: seed).derive("train")
        let config = LocalTraining(epochs: epochs, batchSize: 16, sgd: SGDConfig(learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4))
        return (model, trainLocally(model: model, start: start, data: blobs, config: config, rng: &rng))
    }

    func testLogisticRegressionLearnsBlobs() {
        let (model, result) = train(hidden: nil, seed: 1)
        let eval = evaluate(model: model, parameters: result.parameters, data: held)
        XCTAssertGreaterThan(eval.accuracy, 0.95)
        XCTAssertEqual(eval.count, 150)
        XCTAssertLessThan(eval.loss, 0.3)
        XCTAssertEqual(result.steps, 5 * 19)   // ceil(300 / 16) = 19 batches per epoch
        XCTAssertEqual(result.samples, 300)
        XCTAssertTrue(result.meanLoss.isFinite && result.meanLoss > 0)
    }

    func testMLPLearnsBlobs() {
        let (model, result) = train(hidden: [16, 16], seed: 2)
        let eval = evaluate(model: model, parameters: result.parameters, data: held)
        XCTAssertGreaterThan(eval.accuracy, 0.95)
        XCTAssertLessThan(eval.loss, 0.3)
    }

    func testSameSeedGivesBitIdenticalParameters() {
        for hidden in [nil, [8, 8]] as [[Int]?] {
            let (_, a) = train(hidden: hidden, seed: 7, epochs: 2)
            let (_, b) = train(hidden: hidden, seed: 7, epochs: 2)
            let (_, c) = train(hidden: hidden, seed: 8, epochs: 2)
            XCTAssertEqual(a.parameters.map(\.bitPattern), b.parameters.map(\.bitPattern))
            XCTAssertEqual(a.meanLoss.bitPattern, b.meanLoss.bitPattern)
            XCTAssertNotEqual(a.parameters, c.parameters)
        }
    }

    func testOneFullBatchEpochIsOneGradientStep() {
        // epochs 1, batch = n, no momentum: p1 = p0 - lr * grad(full batch) (up to summation order).
        let model = MLP(inputDimension: 4, hidden: [5], classes: 3)
        var rng = SeededRNG(seed: 3)
        let start = model.initialParameters(rng: &rng)
        let small = blobs.subset(Array(0..<10))
        let (loss, gradient) = model.lossAndGradient(parameters: start, inputs: small.features, labels: small.labels)
        let config = LocalTraining(epochs: 1, batchSize: 10, sgd: SGDConfig(learningRate: 0.5))
        let result = trainLocally(model: model, start: start, data: small, config: config, rng: &rng)
        XCTAssertEqual(result.steps, 1)
        XCTAssertEqual(result.meanLoss, Double(loss), accuracy: 1e-5)
        for i in 0..<start.count {
            XCTAssertEqual(result.parameters[i], start[i] - 0.5 * gradient[i], accuracy: 1e-5)
        }
    }

    func testStepsAndLastPartialBatch() {
        let model = LogisticRegression(inputDimension: 4, classes: 3)
        var rng = SeededRNG(seed: 4)
        let data = blobs.subset(Array(0..<10))
        let config = LocalTraining(epochs: 2, batchSize: 4, sgd: SGDConfig(learningRate: 0.1))
        let result = trainLocally(model: model, start: model.initialParameters(rng: &rng), data: data, config: config, rng: &rng)
        XCTAssertEqual(result.steps, 6)   // batches of 4, 4, 2 per epoch
        XCTAssertEqual(result.samples, 10)
        let empty = trainLocally(model: model, start: [Float](repeating: 1, count: model.parameterCount),
                                 data: blobs.subset([]), config: config, rng: &rng)
        XCTAssertEqual(empty.steps, 0)
        XCTAssertEqual(empty.parameters, [Float](repeating: 1, count: model.parameterCount))
    }

    // MARK: - Evaluation

    func testEvaluateHandMadeModel() {
        // logits = x (W = identity, b = 0), two classes.
        let model = LogisticRegression(inputDimension: 2, classes: 2)
        let parameters: [Float] = [1, 0, 0, 1, 0, 0]
        let data = Dataset(features: [1, 0, 0, 1, 0, 0, 0, 2], labels: [0, 0, 1, 1], dimension: 2, classes: 2, name: "hand")
        // Sample 0: logits [1, 0], label 0: correct, loss ln(1 + e^-1).
        // Sample 1: logits [0, 1], label 0: wrong,   loss ln(1 + e^1).
        // Sample 2: logits [0, 0], label 1: tie -> class 0, wrong, loss ln 2.
        // Sample 3: logits [0, 2], label 1: correct, loss ln(1 + e^-2).
        let expectedLoss = (Foundation.log(1 + Foundation.exp(-1.0)) + Foundation.log(1 + Foundation.exp(1.0))
                            + Foundation.log(2.0) + Foundation.log(1 + Foundation.exp(-2.0))) / 4
        for batchSize in [1, 3, 4, 512] {
            let eval = evaluate(model: model, parameters: parameters, data: data, batchSize: batchSize)
            XCTAssertEqual(eval.correct, 2)
            XCTAssertEqual(eval.count, 4)
            XCTAssertEqual(eval.accuracy, 0.5)
            XCTAssertEqual(eval.loss, expectedLoss, accuracy: 1e-6)
            XCTAssertEqual(predict(model: model, parameters: parameters, data: data, batchSize: batchSize), [0, 1, 0, 1])
        }
        let none = evaluate(model: model, parameters: parameters, data: data.subset([]))
        XCTAssertEqual(none, Evaluation(accuracy: 0, loss: 0, correct: 0, count: 0))
        XCTAssertEqual(predict(model: model, parameters: parameters, data: data.subset([])), [])
    }

    // MARK: - Initialisation

    func testInitialParametersAreDeterministicPerSeed() {
        let mlp = MLP(inputDimension: 10, hidden: [32, 16], classes: 4)
        var r1 = SeededRNG(seed: 5), r2 = SeededRNG(seed: 5), r3 = SeededRNG(seed: 6)
        let a = mlp.initialParameters(rng: &r1)
        XCTAssertEqual(a, mlp.initialParameters(rng: &r2))
        XCTAssertNotEqual(a, mlp.initialParameters(rng: &r3))
        XCTAssertEqual(a.count, mlp.parameterCount)
        XCTAssertEqual(mlp.parameterCount, 10 * 32 + 32 + 32 * 16 + 16 + 16 * 4 + 4)
        XCTAssertEqual(mlp.hidden, [32, 16])

        // He-uniform bounds for the ReLU layers, 1/sqrt(fan_in) for the output, zero biases.
        let bounds: [String: Float] = ["dense0.weight": (6.0 / 10).squareRoot(), "dense1.weight": (6.0 / 32).squareRoot(),
                                       "dense2.weight": 1 / Float(16).squareRoot()]
        for block in mlp.parameterBlocks {
            let values = a[block.range]
            if let bound = bounds[block.name] {
                XCTAssertTrue(values.allSatisfy { abs($0) <= bound }, block.name)
                XCTAssertGreaterThan(values.map { abs($0) }.max() ?? 0, bound * 0.8, block.name)
            } else {
                XCTAssertTrue(values.allSatisfy { $0 == 0 }, block.name)
            }
        }

        let logistic = LogisticRegression(inputDimension: 10, classes: 4)
        XCTAssertEqual(logistic.parameterCount, 44)
        XCTAssertEqual(logistic.classes, 4)
        XCTAssertEqual(logistic.initialParameters(rng: &r1), [Float](repeating: 0, count: 44))
    }
}
