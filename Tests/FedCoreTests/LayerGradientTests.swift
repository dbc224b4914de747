import FedTestSupport
import XCTest
@testable import FedCore

/// Every layer's forward against its Double reference formula, and its parameter and input
/// gradients against central finite differences of that reference (loss = sum_i w_i y_i with
/// random w, so `outputGradient = w`); then a small full CNN through `Sequential`.
final class LayerGradientTests: XCTestCase {
    private let eps = 1e-5

    private func close(_ analytic: Float, _ numeric: Double) -> Bool {
        abs(Double(analytic) - numeric) <= 1e-2 * max(abs(numeric), abs(Double(analytic))) + 1e-4
    }

    /// Runs forward and backward of `layer` in Float32 and compares with the reference.
    private func check(_ layer: any Layer, batch: Int, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededRNG(seed: seed)
        let parameters = uniformFloats(layer.parameterCount, scale: 0.5, rng: &rng)
        let inputs = uniformFloats(batch * layer.inputCount, scale: 1, rng: &rng)
        let weights = uniformFloats(batch * layer.outputCount, scale: 1, rng: &rng)
        var output = [Float](repeating: .nan, count: batch * layer.outputCount)
        var scratch = [Float](repeating: .nan, count: layer.scratchCount(batchSize: batch))
        var gradient = [Float](repeating: .nan, count: layer.parameterCount)
        var inputGradient = [Float](repeating: .nan, count: inputs.count)
        parameters.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    scratch.withUnsafeMutableBufferPointer { s in
                        var noRNG: SeededRNG? = nil
                        layer.forward(parameters: p, input: x, output: y, batchSize: batch, scratch: s, rng: &noRNG)
                        weights.withUnsafeBufferPointer { w in
                            gradient.withUnsafeMutableBufferPointer { g in
                                inputGradient.withUnsafeMutableBufferPointer { dx in
                                    layer.backward(parameters: p, input: x, output: UnsafeBufferPointer(y), outputGradient: w,
                                                   batchSize: batch, scratch: s, training: false,
                                                   gradient: layer.parameterCount > 0 ? g : nil, inputGradient: dx)
                                }
                            }
                        }
                    }
                }
            }
        }
        let pD = parameters.map(Double.init), xD = inputs.map(Double.init), wD = weights.map(Double.init)
        let reference = referenceForward(layer, parameters: pD, input: xD, batchSize: batch)
        XCTAssertEqual(reference.count, output.count, file: file, line: line)
        for (a, r) in zip(output, reference) {
            XCTAssertEqual(Double(a), r, accuracy: 1e-5 * max(1, abs(r)), "\(layer.kind) forward", file: file, line: line)
        }
        func loss(_ p: [Double], _ x: [Double]) -> Double {
            zip(referenceForward(layer, parameters: p, input: x, batchSize: batch), wD).reduce(0) { $0 + $1.0 * $1.1 }
        }
        var bad = 0
        for i in 0..<pD.count {
            var plus = pD, minus = pD
            plus[i] += eps
            minus[i] -= eps
            let numeric = (loss(plus, xD) - loss(minus, xD)) / (2 * eps)
            if !close(gradient[i], numeric) {
                bad += 1
                if bad <= 3 { XCTFail("\(layer.kind) parameter \(i): analytic \(gradient[i]) vs numeric \(numeric)", file: file, line: line) }
            }
        }
        for i in 0..<xD.count {
            var plus = xD, minus = xD
            plus[i] += eps
            minus[i] -= eps
            let numeric = (loss(pD, plus) - loss(pD, minus)) / (2 * eps)
            if !close(inputGradient[i], numeric) {
                bad += 1
                if bad <= 3 { XCTFail("\(layer.kind) input \(i): analytic \(inputGradient[i]) vs numeric \(numeric)", file: file, line: line) }
            }
        }
        XCTAssertTrue(inputGradient.contains { abs($0) > 1e-3 }, "\(layer.kind): input gradient is all zero", file: file, line: line)
    }

    private func window(_ c: Int, _ h: Int, _ w: Int, kernel: Int, stride: Int = 1, padding: Int = 0) -> WindowGeometry {
        WindowGeometry(channels: c, height: h, width: w, kernelHeight: kernel, kernelWidth: kernel, stride: stride, padding: padding)
    }

    func testConv2DGradients() {
        let cases: [(WindowGeometry, Int, UInt)] = [
            (window(1, 5, 5, kernel: 3), 2, #line),
            (window(2, 6, 5, kernel: 3, padding: 1), 3, #line),
            (window(3, 7, 7, kernel: 3, stride: 2), 2, #line),
            (window(2, 4, 4, kernel: 2, stride: 2, padding: 1), 4, #line),
            (window(2, 3, 3, kernel: 1), 2, #line),
        ]
        for (g, out, line) in cases {
            check(Conv2D(input: g, outChannels: out), batch: 2, seed: UInt64(line), line: line)
        }
    }

    func testPoolingGradients() {
        // Random inputs: ties have probability zero, so the max is differentiable everywhere checked.
        check(MaxPool2D(input: window(2, 4, 4, kernel: 2, stride: 2)), batch: 2, seed: 1)
        check(MaxPool2D(input: window(1, 5, 5, kernel: 3, stride: 1)), batch: 2, seed: 2)   // overlapping windows
        check(MaxPool2D(input: window(2, 5, 5, kernel: 2, stride: 2)), batch: 1, seed: 3)   // partial edge dropped
        check(AvgPool2D(input: window(2, 4, 4, kernel: 2, stride: 2)), batch: 2, seed: 4)
        check(AvgPool2D(input: window(1, 5, 4, kernel: 3, stride: 1)), batch: 2, seed: 5)
    }

    func testDenseReLUFlattenDropoutGradients() {
        check(Dense(inputShape: [2, 2, 2], outputs: 3), batch: 3, seed: 1)
        check(Dense(inputShape: [5], outputs: 4), batch: 2, seed: 2)
        check(ReLU(shape: [3, 2, 2]), batch: 2, seed: 3)
        check(Flatten(shape: [2, 3, 2]), batch: 2, seed: 4)
        check(Dropout(shape: [6], p: 0.5), batch: 2, seed: 5)   // evaluation mode: identity
    }

    // MARK: - A full CNN through Sequential

    /// conv(2->3, 3x3, pad 1), relu, maxpool 2, conv(3->4, 2x2), avgpool 2, flatten, dense 5,
    /// relu, dense 3: every layer kind, loss and gradients against finite differences.
    func testSmallCNNGradientsAndInputGradients() throws {
        let specs: [LayerSpec] = [.conv(channels: 3, kernel: 3, padding: 1), .relu, .maxpool(size: 2),
                                  .conv(channels: 4, kernel: 2), .avgpool(size: 2), .flatten, .dense(outputs: 5), .relu,
                                  .dropout(p: 0.3), .dense(outputs: 3)]
        let model = try Sequential(inputShape: [2, 6, 6], layers: specs, classes: 3)
        XCTAssertEqual(model.layers.map(\.outputShape), [[3, 6, 6], [3, 6, 6], [3, 3, 3], [4, 2, 2], [4, 1, 1], [4],
                                                          [5], [5], [5], [3]])
        let batch = 3
        var rng = SeededRNG(seed: 7)
        let parameters = uniformFloats(model.parameterCount, scale: 0.5, rng: &rng)
        let inputs = uniformFloats(batch * model.inputDimension, scale: 1, rng: &rng)
        let labels: [Int32] = [0, 2, 1]
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
        let pD = parameters.map(Double.init), xD = inputs.map(Double.init)
        func refLoss(_ p: [Double], _ x: [Double]) -> Double {
            referenceLoss(logits: referenceLogits(model, parameters: p, inputs: x, batchSize: batch), labels: labels, classes: 3)
        }
        XCTAssertEqual(Double(loss), refLoss(pD, xD), accuracy: 1e-5)
        for block in model.parameterBlocks {
            for i in block.range {
                var plus = pD, minus = pD
                plus[i] += eps
                minus[i] -= eps
                let numeric = (refLoss(plus, xD) - refLoss(minus, xD)) / (2 * eps)
                XCTAssertTrue(close(gradient[i], numeric), "\(block.name)[\(i - block.range.lowerBound)]: \(gradient[i]) vs \(numeric)")
            }
            XCTAssertTrue(gradient[block.range].contains { abs($0) > 1e-4 }, "\(block.name) gradient is all zero")
        }
        for i in 0..<xD.count {
            var plus = xD, minus = xD
            plus[i] += eps
            minus[i] -= eps
            let numeric = (refLoss(pD, plus) - refLoss(pD, minus)) / (2 * eps)
            XCTAssertTrue(close(inputGradient[i], numeric), "input[\(i)]: \(inputGradient[i]) vs \(numeric)")
        }
        // The logits entry point agrees with the loss path, with and without a workspace.
        var logits = [Float](repeating: .nan, count: batch * 3)
        let workspace = ModelWorkspace()
        parameters.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                logits.withUnsafeMutableBufferPointer { z in
                    model.logits(parameters: p, inputs: x, batchSize: batch, into: z, workspace: workspace)
                }
            }
        }
        let reference = referenceLogits(model, parameters: pD, inputs: xD, batchSize: batch)
        for (a, r) in zip(logits, reference) { XCTAssertEqual(Double(a), r, accuracy: 1e-5) }
    }
}
