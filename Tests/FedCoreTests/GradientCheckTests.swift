import FedTestSupport
import XCTest
@testable import FedCore

final class GradientCheckTests: XCTestCase {
    // MARK: - Softmax cross-entropy

    func testSoftmaxCrossEntropyHandComputed() {
        // Row 0: logits [0, 0], label 0 -> p = [1/2, 1/2], loss ln 2, dz = [-1/2, 1/2].
        // Row 1: logits [ln 3, 0], label 1 -> p = [3/4, 1/4], loss ln 4, dz = [3/4, -3/4].
        // Mean over the batch of 2: loss 1.5 ln 2, gradient rows halved.
        let logits: [Float] = [0, 0, Float(Foundation.log(3.0)), 0]
        let labels: [Int32] = [0, 1]
        var gradient = [Float](repeating: .nan, count: 4)
        let loss = logits.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in
                gradient.withUnsafeMutableBufferPointer { g in
                    softmaxCrossEntropy(logits: z, labels: y, batchSize: 2, classes: 2, gradient: g)
                }
            }
        }
        XCTAssertEqual(Double(loss), 1.5 * Foundation.log(2.0), accuracy: 1e-6)
        let expected: [Float] = [-0.25, 0.25, 0.375, -0.375]
        for (g, e) in zip(gradient, expected) { XCTAssertEqual(g, e, accuracy: 1e-6) }
    }

    func testSoftmaxCrossEntropyIsStableForHugeLogits() {
        let cases: [(logits: [Float], label: Int32, loss: Double, grad: [Float])] = [
            ([1e4, -1e4, 0], 1, 2e4, [1, -1, 0]),
            ([1e4, 1e4], 0, Foundation.log(2.0), [-0.5, 0.5]),
            ([-1e4, -1e4, -1e4], 2, Foundation.log(3.0), [1.0 / 3, 1.0 / 3, -2.0 / 3]),
        ]
        for c in cases {
            var gradient = [Float](repeating: 0, count: c.logits.count)
            let loss = c.logits.withUnsafeBufferPointer { z in
                [c.label].withUnsafeBufferPointer { y in
                    gradient.withUnsafeMutableBufferPointer { g in
                        softmaxCrossEntropy(logits: z, labels: y, batchSize: 1, classes: c.logits.count, gradient: g)
                    }
                }
            }
            XCTAssertTrue(loss.isFinite, "\(c.logits)")
            XCTAssertEqual(Double(loss), c.loss, accuracy: 1e-3 * max(1, c.loss))
            for (g, e) in zip(gradient, c.grad) {
                XCTAssertTrue(g.isFinite)
                XCTAssertEqual(g, e, accuracy: 1e-6, "\(c.logits)")
            }
        }
    }

    // MARK: - Model gradients against central finite differences

    /// Compares the analytic gradient of every parameter block (and the input gradient) with
    /// central differences of the Double reference loss.
    private func checkGradients(_ model: any Model, batch: Int, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededRNG(seed: seed)
        // Random (not the model's) initialisation, so that biases and output weights are non-zero.
        let parameters = uniformFloats(model.parameterCount, scale: 0.5, rng: &rng)
        let inputs = uniformFloats(batch * model.inputDimension, scale: 1, rng: &rng)
        let labels = (0..<batch).map { _ in Int32(rng.nextInt(below: model.classes)) }
        let layers = denseLayers(model)

        var gradient = [Float](repeating: .nan, count: model.parameterCount)
        var inputGradient = [Float](repeating: .nan, count: inputs.count)
        let loss = parameters.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    gradient.withUnsafeMutableBufferPointer { g in
                        inputGradient.withUnsafeMutableBufferPointer { dx in
                            model.lossAndGradients(parameters: p, inputs: x, labels: y, batchSize: batch,
                                                   gradient: g, inputGradient: dx)
                        }
                    }
                }
            }
        }
        let pD = parameters.map(Double.init)
        let xD = inputs.map(Double.init)
        func refLoss(_ p: [Double], _ x: [Double]) -> Double {
            referenceLoss(logits: referenceLogits(layers: layers, parameters: p, inputs: x, batchSize: batch),
                          labels: labels, classes: model.classes)
        }
        XCTAssertEqual(Double(loss), refLoss(pD, xD), accuracy: 1e-5, "loss", file: file, line: line)

        let eps = 1e-5
        func close(_ analytic: Float, _ numeric: Double) -> Bool {
            abs(Double(analytic) - numeric) <= 1e-2 * max(abs(numeric), abs(Double(analytic))) + 1e-5
        }
        XCTAssertEqual(model.parameterBlocks.map(\.range.count).reduce(0, +), model.parameterCount, file: file, line: line)
        for block in model.parameterBlocks {
            var bad = 0
            for i in block.range {
                var plus = pD, minus = pD
                plus[i] += eps
                minus[i] -= eps
                let numeric = (refLoss(plus, xD) - refLoss(minus, xD)) / (2 * eps)
                if !close(gradient[i], numeric) {
                    bad += 1
                    if bad <= 3 { XCTFail("\(block.name)[\(i - block.range.lowerBound)]: analytic \(gradient[i]) vs numeric \(numeric)", file: file, line: line) }
                }
            }
            // Every block must carry signal (otherwise the check proves nothing).
            XCTAssertTrue(gradient[block.range].contains { abs($0) > 1e-4 }, "\(block.name) gradient is all zero", file: file, line: line)
        }
        for i in 0..<inputs.count {
            var plus = xD, minus = xD
            plus[i] += eps
            minus[i] -= eps
            let numeric = (refLoss(pD, plus) - refLoss(pD, minus)) / (2 * eps)
            XCTAssertTrue(close(inputGradient[i], numeric), "input[\(i)]: analytic \(inputGradient[i]) vs numeric \(numeric)", file: file, line: line)
        }
    }

    func testLogisticRegressionGradients() {
        checkGradients(LogisticRegression(inputDimension: 5, classes: 3), batch: 4, seed: 1)
    }

    func testMLPTwoHiddenLayersGradients() {
        let model = MLP(inputDimension: 6, hidden: [7, 5], classes: 4)
        XCTAssertEqual(model.parameterBlocks.map(\.name),
                       ["dense0.weight", "dense0.bias", "dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias"])
        checkGradients(model, batch: 5, seed: 2)
        checkGradients(model, batch: 1, seed: 3)
    }

    func testMLPWithoutHiddenLayersGradients() {
        checkGradients(MLP(inputDimension: 3, hidden: [], classes: 2), batch: 3, seed: 4)
    }

    func testReLUPathIsExercised() {
        // With random weights some hidden units are inactive: their incoming weights must get
        // exactly zero gradient for a batch of one sample, and active ones a non-zero gradient.
        let model = MLP(inputDimension: 4, hidden: [16], classes: 3)
        var rng = SeededRNG(seed: 9)
        let p = uniformFloats(model.parameterCount, scale: 0.5, rng: &rng)
        let x = uniformFloats(4, scale: 1, rng: &rng)
        let (_, g) = model.lossAndGradient(parameters: p, inputs: x, labels: [1])
        let hiddenPre = referenceLogits(layers: [model.layers[0]], parameters: p.map(Double.init),
                                        inputs: x.map(Double.init), batchSize: 1)
        // The reference applies no ReLU to a single (last) layer, so hiddenPre is the pre-activation.
        let bias = model.layers[0].biasRange
        var inactive = 0
        for h in 0..<16 {
            if hiddenPre[h] < 0 {
                inactive += 1
                XCTAssertEqual(g[bias.lowerBound + h], 0)
            } else {
                XCTAssertNotEqual(g[bias.lowerBound + h], 0)
            }
        }
        XCTAssertGreaterThan(inactive, 0)
        XCTAssertLessThan(inactive, 16)
    }

    func testLogitsMatchReference() {
        for model in [LogisticRegression(inputDimension: 5, classes: 3), MLP(inputDimension: 5, hidden: [8, 6], classes: 3)] as [any Model] {
            var rng = SeededRNG(seed: 5)
            let p = uniformFloats(model.parameterCount, scale: 0.5, rng: &rng)
            let x = uniformFloats(7 * 5, scale: 1, rng: &rng)
            var out = [Float](repeating: .nan, count: 7 * 3)
            p.withUnsafeBufferPointer { pp in
                x.withUnsafeBufferPointer { xx in
                    out.withUnsafeMutableBufferPointer { o in model.logits(parameters: pp, inputs: xx, batchSize: 7, into: o) }
                }
            }
            let ref = referenceLogits(layers: denseLayers(model), parameters: p.map(Double.init), inputs: x.map(Double.init), batchSize: 7)
            for (a, b) in zip(out, ref) { XCTAssertEqual(Double(a), b, accuracy: 1e-5) }
        }
    }

    func testGradientIsOverwrittenNotAccumulated() {
        let model = MLP(inputDimension: 3, hidden: [4], classes: 2)
        var rng = SeededRNG(seed: 6)
        let p = uniformFloats(model.parameterCount, scale: 0.5, rng: &rng)
        let x = uniformFloats(6, scale: 1, rng: &rng)
        let labels: [Int32] = [0, 1]
        let (loss, fresh) = model.lossAndGradient(parameters: p, inputs: x, labels: labels)
        var dirty = [Float](repeating: 123, count: model.parameterCount)
        let loss2 = p.withUnsafeBufferPointer { pp in
            x.withUnsafeBufferPointer { xx in
                labels.withUnsafeBufferPointer { yy in
                    dirty.withUnsafeMutableBufferPointer { g in
                        model.lossAndGradient(parameters: pp, inputs: xx, labels: yy, batchSize: 2, gradient: g)
                    }
                }
            }
        }
        XCTAssertEqual(loss, loss2)
        XCTAssertEqual(fresh, dirty)
    }
}
