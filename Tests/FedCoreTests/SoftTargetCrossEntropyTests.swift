import FedTestSupport
import XCTest
@testable import FedCore

/// The soft-target cross-entropy: hand-computed values, one-hot targets equal to the hard-label
/// loss, its logits gradient and a small CNN's parameter and input gradients against central
/// finite differences of a Double reference.
final class SoftTargetCrossEntropyTests: XCTestCase {
    private func loss(_ z: [Float], _ q: [Float], classes: Int, gradient: inout [Float]) -> Float {
        z.withUnsafeBufferPointer { zp in
            q.withUnsafeBufferPointer { qp in
                gradient.withUnsafeMutableBufferPointer { g in
                    softTargetCrossEntropy(logits: zp, targets: qp, batchSize: z.count / classes, classes: classes, gradient: g)
                }
            }
        }
    }

    /// Logits [0, 0] and target [0.25, 0.75]: -0.25 log 0.5 - 0.75 log 0.5 = log 2, gradient
    /// softmax - q = [0.25, -0.25]. Logits [log 3, 0] (softmax [0.75, 0.25]) against the same
    /// target: -(0.25 log 0.75 + 0.75 log 0.25). The batch of both averages the two.
    func testHandComputedValues() {
        var g = [Float](repeating: 0, count: 2)
        XCTAssertEqual(loss([0, 0], [0.25, 0.75], classes: 2, gradient: &g), Float(log(2.0)), accuracy: 1e-6)
        XCTAssertEqual(g, [0.25, -0.25])
        let second = -(0.25 * log(0.75) + 0.75 * log(0.25))
        XCTAssertEqual(loss([Float(log(3.0)), 0], [0.25, 0.75], classes: 2, gradient: &g), Float(second), accuracy: 1e-6)
        XCTAssertEqual(g[0], 0.5, accuracy: 1e-6)
        var g4 = [Float](repeating: 0, count: 4)
        XCTAssertEqual(loss([0, 0, Float(log(3.0)), 0], [0.25, 0.75, 0.25, 0.75], classes: 2, gradient: &g4),
                       Float((log(2.0) + second) / 2), accuracy: 1e-6)
        XCTAssertEqual(g4[0], 0.125, accuracy: 1e-6)
        XCTAssertEqual(g4[2], 0.25, accuracy: 1e-6)
    }

    /// One-hot targets give the hard-label loss and gradient, also for large logits.
    func testOneHotTargetsEqualTheHardLabelLoss() {
        let z: [Float] = [3, -1, 250, 0.5, 2, -300]
        let labels: [Int32] = [2, 0]
        var q = [Float](repeating: 0, count: 6)
        q[2] = 1
        q[3] = 1
        var soft = [Float](repeating: 0, count: 6), hard = [Float](repeating: 0, count: 6)
        let s = loss(z, q, classes: 3, gradient: &soft)
        let h = z.withUnsafeBufferPointer { zp in
            labels.withUnsafeBufferPointer { y in
                hard.withUnsafeMutableBufferPointer { g in
                    softmaxCrossEntropy(logits: zp, labels: y, batchSize: 2, classes: 3, gradient: g)
                }
            }
        }
        XCTAssertEqual(s, h, accuracy: 1e-5 * max(1, abs(h)))
        for (a, b) in zip(soft, hard) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    /// A conv -> relu -> flatten -> dense model on soft targets: parameter and input gradients
    /// against central differences of the Double reference forward.
    func testSequentialSoftTargetGradientsMatchFiniteDifferences() throws {
        let model = try Sequential(inputShape: [1, 4, 4], layers: [.conv(channels: 2, kernel: 3), .relu, .flatten,
                                                                    .dense(outputs: 3)], classes: 3)
        var rng = SeededRNG(seed: 5)
        let batch = 2
        let p = model.initialParameters(rng: &rng)
        let x = uniformFloats(batch * 16, scale: 1, rng: &rng)
        let q: [Float] = [0.2, 0.5, 0.3, 0.9, 0.05, 0.05]
        var g = [Float](repeating: .nan, count: model.parameterCount)
        var dx = [Float](repeating: .nan, count: x.count)
        var noRNG: SeededRNG? = nil
        let value = p.withUnsafeBufferPointer { pp in
            x.withUnsafeBufferPointer { xp in
                q.withUnsafeBufferPointer { qp in
                    g.withUnsafeMutableBufferPointer { gp in
                        dx.withUnsafeMutableBufferPointer { dxp in
                            model.lossAndGradients(parameters: pp, inputs: xp, targets: qp, batchSize: batch, gradient: gp,
                                                   inputGradient: dxp, workspace: ModelWorkspace(), dropoutRNG: &noRNG)
                        }
                    }
                }
            }
        }
        func reference(_ p: [Double], _ x: [Double]) -> Double {
            let z = referenceLogits(model, parameters: p, inputs: x, batchSize: batch)
            var total = 0.0
            for i in 0..<batch {
                let row = Array(z[(i * 3)..<(i * 3 + 3)])
                let m = row.max() ?? 0
                let lse = log(row.reduce(0) { $0 + exp($1 - m) }) + m
                for j in 0..<3 { total -= Double(q[i * 3 + j]) * (row[j] - lse) }
            }
            return total / Double(batch)
        }
        let pD = p.map(Double.init), xD = x.map(Double.init)
        XCTAssertEqual(Double(value), reference(pD, xD), accuracy: 1e-5)
        let h = 1e-5
        for i in 0..<pD.count {
            var up = pD, down = pD
            up[i] += h
            down[i] -= h
            let fd = (reference(up, xD) - reference(down, xD)) / (2 * h)
            XCTAssertEqual(Double(g[i]), fd, accuracy: 1e-3 * max(1, abs(fd)), "parameter \(i)")
        }
        for i in 0..<xD.count {
            var up = xD, down = xD
            up[i] += h
            down[i] -= h
            let fd = (reference(pD, up) - reference(pD, down)) / (2 * h)
            XCTAssertEqual(Double(dx[i]), fd, accuracy: 1e-3 * max(1, abs(fd)), "input \(i)")
        }
    }
}
