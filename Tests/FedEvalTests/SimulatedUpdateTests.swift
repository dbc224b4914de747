import FedCore
@testable import FedEval
import XCTest

final class SimulatedUpdateTests: XCTestCase {
    /// One step: U(x) is the batch's mean-loss gradient, whatever the weight decay.
    func testOneStepIsTheGradient() {
        let model = MLP(inputDimension: 6, hidden: [5], classes: 3)
        var rng = SeededRNG(seed: 1)
        let theta = model.initialParameters(rng: &rng)
        let x = (0..<12).map { _ in Float(rng.nextGaussian()) }
        let y: [Int32] = [2, 0]
        let sim = SimulatedUpdate(model: model, start: theta, steps: 1,
                                  sgd: SGDConfig(learningRate: 0.5, momentum: 0.9, weightDecay: 0.1), labels: y)
        let expected = model.lossAndGradient(parameters: theta, inputs: x, labels: y).gradient
        assertClose(sim.update(x), expected, tolerance: 1e-5)
        // The delta is the SGD step that trainLocally takes (batch = the whole local data).
        var start = theta
        var sgd = SGD(config: sim.sgd)
        sgd.step(parameters: &start, gradient: expected)
        assertClose(sim.delta(x), zip(start, theta).map { $0 - $1 }, tolerance: 1e-6)
    }

    /// d/dx D(U(x), t) from the central difference of input gradients (and the adjoint pass for
    /// several steps with momentum and weight decay) against brute-force central differences of
    /// D in x, for both matching distances, on a small MLP and two small convolutional models
    /// (one with max-pooling).
    func testInputGradientMatchesBruteForce() throws {
        let conv = try Sequential(inputShape: [1, 5, 5], layers: [.conv(channels: 2, kernel: 3), .relu, .flatten, .dense(outputs: 3)],
                                  classes: 3)
        let pooled = try Sequential(inputShape: [1, 5, 5], layers: [.conv(channels: 3, kernel: 2), .relu, .maxpool(size: 2), .flatten,
                                                                   .dense(outputs: 3)], classes: 3)
        let models: [(String, any Model)] = [("mlp", MLP(inputDimension: 25, hidden: [7], classes: 3)), ("conv", conv),
                                             ("conv+maxpool", pooled)]
        let settings: [(steps: Int, sgd: SGDConfig)] = [
            (1, SGDConfig(learningRate: 0.1)),
            (3, SGDConfig(learningRate: 0.2, momentum: 0.5, weightDecay: 0.01)),
        ]
        for (name, model) in models {
            for setting in settings {
                for matching in GradientMatching.allCases {
                    var rng = SeededRNG(seed: 9)
                    let theta = model.initialParameters(rng: &rng).map { $0 + Float(rng.nextGaussian()) * 0.05 }
                    let labels: [Int32] = [1, 2]
                    let x = (0..<50).map { _ in Float(rng.nextDouble()) }
                    let truth = (0..<50).map { _ in Float(rng.nextDouble()) }
                    let sim = SimulatedUpdate(model: model, start: theta, steps: setting.steps, sgd: setting.sgd, labels: labels)
                    let target = sim.update(truth)
                    let (_, w) = matching.valueAndDerivative(sim.update(x), target: target)
                    let g = sim.inputGradient(x, direction: w)
                    func objective(_ z: [Float]) -> Double { matching.valueAndDerivative(sim.update(z), target: target).value }
                    let h: Float = 2e-3
                    var fd = [Float](repeating: 0, count: x.count)
                    for j in x.indices {
                        var up = x, down = x
                        up[j] += h
                        down[j] -= h
                        fd[j] = Float((objective(up) - objective(down)) / Double(2 * h))
                    }
                    assertClose(g, fd, tolerance: 2e-2, "\(name), \(setting.steps) steps, \(matching)")
                }
            }
        }
    }

    /// Where θ ± h·s crosses a kink the one-sided difference on the clean side is kept: values
    /// (+h, 0, −h) = (5, 1, 0.9) with h = 0.1 have the second difference 3.9, far above 1e-3
    /// of the base's RMS, and give forward 40 and backward 1, so 1; smooth values
    /// (1.1001, 1, 0.9) (second difference 1e-4, under the threshold 5.8e-4) give the
    /// central difference 1.0005.
    func testOneSidedDifferenceAtAKink() {
        var plus: [Float] = [5, 1.1001, 0], minus: [Float] = [0.9, 0.9, 0]
        var result: [Float] = [0, 0, 0]
        plus.withUnsafeMutableBufferPointer { p in
            minus.withUnsafeMutableBufferPointer { m in
                SimulatedUpdate.addDifferences(plus: p, base: [1, 1, 0], minus: m, inverseStep: 10, into: &result)
            }
        }
        XCTAssertEqual(result[0], 1, accuracy: 1e-5)
        XCTAssertEqual(result[1], 1.0005, accuracy: 1e-4)
        XCTAssertEqual(result[2], 0)
    }

    /// `a` and `b` agree to `tolerance` relative to the larger norm.
    private func assertClose(_ a: [Float], _ b: [Float], tolerance: Double, _ message: String = "",
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        let diff = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
        let scale = max(a.reduce(0.0) { $0 + Double($1 * $1) }, b.reduce(0.0) { $0 + Double($1 * $1) }).squareRoot()
        XCTAssertLessThanOrEqual(diff, tolerance * max(scale, 1e-12), "\(message): |a - b| = \(diff), |b| = \(scale)", file: file, line: line)
    }
}
