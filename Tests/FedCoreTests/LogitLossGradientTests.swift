import FedTestSupport
import XCTest
@testable import FedCore

/// The `logitLoss` entry point (any differentiable function of the logits, back-propagated
/// through the model) against central finite differences of a Double reference, for a dense
/// model, an MLP and a CNN with convolution, max and average pooling. The objective is
/// `L(z) = sum_ij (a_ij z_ij + b_ij z_ij^2 / 2)` with random a, b: its logit gradient is
/// `a + b z`, so a model that ignored the objective's gradient (and used the cross-entropy's)
/// would fail.
final class LogitLossGradientTests: XCTestCase {
    private let eps = 1e-5

    private func close(_ analytic: Float, _ numeric: Double) -> Bool {
        abs(Double(analytic) - numeric) <= 1e-2 * max(abs(numeric), abs(Double(analytic))) + 1e-4
    }

    private func check(_ model: any Model, batch: Int, seed: UInt64,
                       reference: ([Double], [Double]) -> [Double], line: UInt = #line) {
        var rng = SeededRNG(seed: seed)
        let parameters = uniformFloats(model.parameterCount, scale: 0.5, rng: &rng)
        let inputs = uniformFloats(batch * model.inputDimension, scale: 1, rng: &rng)
        let a = uniformFloats(batch * model.classes, scale: 1, rng: &rng)
        let b = uniformFloats(batch * model.classes, scale: 1, rng: &rng)
        func objective(_ z: [Double]) -> Double {
            z.indices.reduce(0) { $0 + Double(a[$1]) * z[$1] + Double(b[$1]) * z[$1] * z[$1] / 2 }
        }
        var gradient = [Float](repeating: .nan, count: model.parameterCount)
        var inputGradient = [Float](repeating: .nan, count: inputs.count)
        var calls = 0
        let workspace = ModelWorkspace()
        var noDropout: SeededRNG? = nil
        let value = parameters.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                gradient.withUnsafeMutableBufferPointer { g in
                    inputGradient.withUnsafeMutableBufferPointer { dx in
                        model.lossAndGradients(parameters: p, inputs: x, batchSize: batch, gradient: g, inputGradient: dx,
                                               workspace: workspace, dropoutRNG: &noDropout) { z, dz in
                            calls += 1
                            var total: Float = 0
                            for i in 0..<z.count {
                                total += a[i] * z[i] + b[i] * z[i] * z[i] / 2
                                dz?[i] = a[i] + b[i] * z[i]
                            }
                            return total
                        }
                    }
                }
            }
        }
        XCTAssertEqual(calls, 1, line: line)
        let pD = parameters.map(Double.init), xD = inputs.map(Double.init)
        XCTAssertEqual(Double(value), objective(reference(pD, xD)), accuracy: 1e-4 * max(1, abs(Double(value))), line: line)
        for i in pD.indices {
            var plus = pD, minus = pD
            plus[i] += eps
            minus[i] -= eps
            let numeric = (objective(reference(plus, xD)) - objective(reference(minus, xD))) / (2 * eps)
            XCTAssertTrue(close(gradient[i], numeric), "parameter \(i): \(gradient[i]) vs \(numeric)", line: line)
        }
        for i in xD.indices {
            var plus = xD, minus = xD
            plus[i] += eps
            minus[i] -= eps
            let numeric = (objective(reference(pD, plus)) - objective(reference(pD, minus))) / (2 * eps)
            XCTAssertTrue(close(inputGradient[i], numeric), "input \(i): \(inputGradient[i]) vs \(numeric)", line: line)
        }
        XCTAssertTrue(inputGradient.contains { abs($0) > 1e-3 }, "input gradient is all zero", line: line)

        // Without gradients the objective is still evaluated, and gets no gradient buffer.
        let plain = parameters.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                model.lossAndGradients(parameters: p, inputs: x, batchSize: batch, gradient: nil, inputGradient: nil,
                                       workspace: workspace, dropoutRNG: &noDropout) { z, dz in
                    XCTAssertNil(dz, line: line)
                    return z.indices.reduce(Float(0)) { $0 + a[$1] * z[$1] + b[$1] * z[$1] * z[$1] / 2 }
                }
            }
        }
        XCTAssertEqual(plain, value, accuracy: 1e-5 * max(1, abs(value)), line: line)
    }

    func testLogisticRegression() {
        let model = LogisticRegression(inputDimension: 5, classes: 3)
        check(model, batch: 3, seed: 1) { p, x in referenceLogits(layers: [model.layer], parameters: p, inputs: x, batchSize: 3) }
    }

    func testMLP() {
        for hidden in [[6, 4], [2]] {
            let model = MLP(inputDimension: 5, hidden: hidden, classes: 4)
            check(model, batch: 3, seed: 2) { p, x in referenceLogits(layers: model.layers, parameters: p, inputs: x, batchSize: 3) }
        }
    }

    func testCNNWithConvolutionAndBothPoolings() throws {
        let specs: [LayerSpec] = [.conv(channels: 3, kernel: 3, padding: 1), .relu, .maxpool(size: 2),
                                  .conv(channels: 2, kernel: 2), .avgpool(size: 2), .flatten, .dense(outputs: 3)]
        let model = try Sequential(inputShape: [2, 6, 6], layers: specs, classes: 3)
        check(model, batch: 2, seed: 3) { p, x in referenceLogits(model, parameters: p, inputs: x, batchSize: 2) }
    }

    /// The cross-entropy entry points are this entry point with `softmaxCrossEntropy` as the
    /// objective: the same bits.
    func testCrossEntropyThroughTheHookIsTheSameBits() throws {
        let cnn = try Sequential(inputShape: [1, 4, 4], layers: [.conv(channels: 2, kernel: 3), .relu, .flatten, .dense(outputs: 3)],
                                 classes: 3)
        for model in [MLP(inputDimension: 16, hidden: [5], classes: 3), cnn] as [any Model] {
            var rng = SeededRNG(seed: 4)
            let parameters = model.initialParameters(rng: &rng)
            let inputs = uniformFloats(4 * 16, scale: 1, rng: &rng)
            let labels: [Int32] = [0, 2, 1, 2]
            func run(_ hook: Bool) -> (Float, [Float], [Float]) {
                var g = [Float](repeating: 0, count: model.parameterCount)
                var dx = [Float](repeating: 0, count: inputs.count)
                var none: SeededRNG? = nil
                let loss = parameters.withUnsafeBufferPointer { p in
                    inputs.withUnsafeBufferPointer { x in
                        labels.withUnsafeBufferPointer { y in
                            g.withUnsafeMutableBufferPointer { gp in
                                dx.withUnsafeMutableBufferPointer { dxp in
                                    hook
                                        ? model.lossAndGradients(parameters: p, inputs: x, batchSize: 4, gradient: gp,
                                                                 inputGradient: dxp, workspace: ModelWorkspace(),
                                                                 dropoutRNG: &none) { z, dz in
                                            softmaxCrossEntropy(logits: z, labels: y, batchSize: 4, classes: 3, gradient: dz)
                                        }
                                        : model.lossAndGradients(parameters: p, inputs: x, labels: y, batchSize: 4,
                                                                 gradient: gp, inputGradient: dxp)
                                }
                            }
                        }
                    }
                }
                return (loss, g, dx)
            }
            let (a, b) = (run(true), run(false))
            XCTAssertEqual(a.0.bitPattern, b.0.bitPattern)
            XCTAssertEqual(a.1.map(\.bitPattern), b.1.map(\.bitPattern))
            XCTAssertEqual(a.2.map(\.bitPattern), b.2.map(\.bitPattern))
        }
    }
}
