import XCTest
@testable import FedCore

final class SGDTests: XCTestCase {
    /// Hand-computed PyTorch-style steps: d = g + wd p; v = mu v + d; p -= lr v.
    func testHandComputedSteps() {
        struct Case {
            let name: String
            let config: SGDConfig
            let start: [Float]
            let gradients: [[Float]]
            let expected: [[Float]]   // parameters after each step
        }
        let cases: [Case] = [
            Case(name: "plain", config: SGDConfig(learningRate: 0.1), start: [1, -2],
                 gradients: [[0.5, -1], [0.5, -1]], expected: [[0.95, -1.9], [0.9, -1.8]]),
            // d = 0.5 + 0.1 * 1 = 0.6 -> p = 1 - 0.06 = 0.94; then d = 0.5 + 0.094 = 0.594 -> 0.8806
            Case(name: "weight decay", config: SGDConfig(learningRate: 0.1, weightDecay: 0.1), start: [1],
                 gradients: [[0.5], [0.5]], expected: [[0.94], [0.8806]]),
            // v1 = 1 -> p = 0.9; v2 = 0.9 + 1 = 1.9 -> p = 0.71; v3 = 1.71 + 0 = 1.71 -> p = 0.539
            Case(name: "momentum", config: SGDConfig(learningRate: 0.1, momentum: 0.9), start: [1],
                 gradients: [[1], [1], [0]], expected: [[0.9], [0.71], [0.539]]),
            // d1 = 1 + 0.1 = 1.1, v1 = 1.1, p = 0.89; d2 = 1 + 0.089 = 1.089, v2 = 0.55 + 1.089 = 1.639, p = 0.7261
            Case(name: "momentum + weight decay", config: SGDConfig(learningRate: 0.1, momentum: 0.5, weightDecay: 0.1),
                 start: [1], gradients: [[1], [1]], expected: [[0.89], [0.7261]]),
            // Coordinates are independent: [p, g] = [0, 2] and [2, -1], lr 0.5, mu 0.5, wd 0.5.
            // c0: d = 2, v = 2, p = -1; then d = 2 - 0.5 = 1.5, v = 1 + 1.5 = 2.5, p = -2.25
            // c1: d = -1 + 1 = 0, v = 0, p = 2; then d = -1 + 1 = 0, v = 0, p = 2
            Case(name: "vector", config: SGDConfig(learningRate: 0.5, momentum: 0.5, weightDecay: 0.5),
                 start: [0, 2], gradients: [[2, -1], [2, -1]], expected: [[-1, 2], [-2.25, 2]]),
        ]
        for c in cases {
            var sgd = SGD(config: c.config)
            var p = c.start
            for (g, e) in zip(c.gradients, c.expected) {
                sgd.step(parameters: &p, gradient: g)
                for (a, b) in zip(p, e) { XCTAssertEqual(a, b, accuracy: 1e-6, c.name) }
            }
            XCTAssertEqual(sgd.steps, c.gradients.count, c.name)
            XCTAssertEqual(sgd.velocity.isEmpty, c.config.momentum == 0, c.name)
        }
    }

    func testValidation() {
        let bad: [(SGDConfig, TrainingConfigError)] = [
            (SGDConfig(learningRate: 0), .learningRate(0)),
            (SGDConfig(learningRate: .infinity), .learningRate(.infinity)),
            (SGDConfig(learningRate: 0.1, momentum: 1), .momentum(1)),
            (SGDConfig(learningRate: 0.1, momentum: -0.1), .momentum(-0.1)),
            (SGDConfig(learningRate: 0.1, weightDecay: -1), .weightDecay(-1)),
        ]
        for (config, expected) in bad {
            XCTAssertThrowsError(try config.validate()) { XCTAssertEqual($0 as? TrainingConfigError, expected) }
        }
        XCTAssertNoThrow(try SGDConfig(learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4).validate())
        XCTAssertThrowsError(try LocalTraining(epochs: 0, batchSize: 1, sgd: SGDConfig(learningRate: 0.1)).validate())
        XCTAssertThrowsError(try LocalTraining(epochs: 1, batchSize: 0, sgd: SGDConfig(learningRate: 0.1)).validate())
        XCTAssertEqual(TrainingConfigError.batchSize(0).description, "batch size must be at least 1; got 0")
    }
}
