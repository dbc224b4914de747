import FedTestSupport
import XCTest
@testable import FedCore

/// Worker momentum (the buffer a FedSGD worker keeps across rounds), the minibatch schedule
/// that picks each round's batch, and the minibatch gradient.
final class WorkerMomentumTests: XCTestCase {
    // MARK: - WorkerMomentum

    /// Two rounds by hand, both forms; beta 0 keeps no buffer and sends the step as it is.
    func testTwoRoundsByHand() {
        struct Case {
            let name: String
            let beta: Float
            let dampening: Bool
            let expected: [[Float]]   // buffer after round 1, after round 2
        }
        let steps: [[Float]] = [[1, -2], [3, 4]]
        let cases: [Case] = [
            // m1 = s1 = [1, -2]; m2 = 0.5 m1 + s2 = [0.5 + 3, -1 + 4]
            Case(name: "beta m + g", beta: 0.5, dampening: false, expected: [[1, -2], [3.5, 3]]),
            // m1 = 0.5 s1 = [0.5, -1]; m2 = 0.5 m1 + 0.5 s2 = [0.25 + 1.5, -0.5 + 2]
            Case(name: "beta m + (1 - beta) g", beta: 0.5, dampening: true, expected: [[0.5, -1], [1.75, 1.5]]),
            // m1 = [1, -2]; m2 = 0.75 [1, -2] + [3, 4] = [3.75, 2.5]
            Case(name: "beta 0.75", beta: 0.75, dampening: false, expected: [[1, -2], [3.75, 2.5]]),
            // m1 = 0.25 [1, -2]; m2 = 0.75 [0.25, -0.5] + 0.25 [3, 4] = [0.1875 + 0.75, -0.375 + 1]
            Case(name: "beta 0.75, dampened", beta: 0.75, dampening: true, expected: [[0.25, -0.5], [0.9375, 0.625]]),
            Case(name: "beta 0", beta: 0, dampening: false, expected: steps),
            Case(name: "beta 0, dampened", beta: 0, dampening: true, expected: steps),
        ]
        for c in cases {
            let wm = WorkerMomentum(beta: c.beta, dampening: c.dampening)
            XCTAssertEqual(wm.keepsBuffer, c.beta > 0, c.name)
            let m1 = wm.accumulate(nil, step: steps[0])
            let m2 = wm.accumulate(m1, step: steps[1])
            XCTAssertEqual([m1, m2], c.expected, c.name)   // exact: every value is a dyadic fraction
        }
    }

    /// One worker with buffer beta steps exactly as SGD with momentum beta (same expression,
    /// same bits), over many steps of arbitrary gradients, in the sign convention the wire uses
    /// (the buffer of -g is minus SGD's velocity, and x + lr * buffer is SGD's x - lr * v).
    func testMatchesSGDMomentumBitForBit() {
        var rng = SeededRNG(seed: 5)
        let lr: Float = 0.01, beta: Float = 0.9
        var sgd = SGD(config: SGDConfig(learningRate: lr, momentum: beta))
        let wm = WorkerMomentum(beta: beta)
        var p = uniformFloats(17, scale: 1, rng: &rng), x = p
        var buffer: [Float]?
        for _ in 0..<50 {
            let g = uniformFloats(17, scale: 3, rng: &rng)
            sgd.step(parameters: &p, gradient: g)
            let m = wm.accumulate(buffer, step: g.map { -$0 })
            buffer = m
            for i in 0..<x.count { x[i] += lr * m[i] }
        }
        XCTAssertEqual(x.map(\.bitPattern), p.map(\.bitPattern))
        XCTAssertEqual(buffer?.map(\.bitPattern), sgd.velocity.map { (-$0).bitPattern })
    }

    // MARK: - MinibatchSchedule

    /// Every epoch draws each sample exactly once, in batches of B (the last one smaller);
    /// the epochs differ in order; the same key gives the same batches.
    func testEpochsWithoutReplacement() {
        let rng = SeededRNG(seed: 9).derive("fedsgd", 3)
        for (n, b) in [(10, 3), (12, 4), (5, 8), (1, 1)] {
            let s = MinibatchSchedule(count: n, batchSize: b)
            XCTAssertEqual(s.batchesPerEpoch, (n + b - 1) / b)
            var epochs: [[Int]] = []
            for e in 0..<3 {
                let batches = (0..<s.batchesPerEpoch).map { s.indices(step: e * s.batchesPerEpoch + $0, rng: rng) }
                XCTAssertEqual(batches.dropLast().map(\.count), [Int](repeating: b, count: s.batchesPerEpoch - 1), "n \(n) B \(b)")
                XCTAssertEqual(batches.last?.count, n - (s.batchesPerEpoch - 1) * b, "n \(n) B \(b)")
                let all = batches.flatMap { $0 }
                XCTAssertEqual(all.sorted(), Array(0..<n), "epoch \(e) of n \(n) B \(b) draws every sample once")
                epochs.append(all)
            }
            if n >= 5 { XCTAssertNotEqual(epochs[0], epochs[1], "n \(n): each epoch has its own order") }
            XCTAssertEqual(s.indices(step: 4, rng: rng), s.indices(step: 4, rng: SeededRNG(seed: 9).derive("fedsgd", 3)))
        }
        let s = MinibatchSchedule(count: 50, batchSize: 5)
        XCTAssertNotEqual(s.indices(step: 0, rng: rng), s.indices(step: 0, rng: SeededRNG(seed: 9).derive("fedsgd", 4)),
                          "another client, another order")
    }

    // MARK: - minibatchGradient

    /// The model's gradient on the gathered batch, plus wd * x exactly as SGD adds it; one SGD
    /// step with it equals `SGD.step` with weight decay on the raw gradient, bit for bit.
    func testGradientOfTheGatheredBatch() {
        let data = gaussianBlobs(classes: 3, dimension: 4, perClass: 5, separation: 3, sd: 1, seed: 2)
        let model = LogisticRegression(inputDimension: 4, classes: 3)
        var rng = SeededRNG(seed: 1)
        let x = model.initialParameters(rng: &rng).map { $0 + 0.1 }
        let batch = [7, 0, 13, 4]
        let sub = data.subset(batch)
        let (loss, g) = model.lossAndGradient(parameters: x, inputs: sub.features, labels: sub.labels)

        let plain = minibatchGradient(model: model, parameters: x, data: data, indices: batch)
        XCTAssertEqual(plain.loss, loss)
        XCTAssertEqual(plain.gradient, g)

        let wd: Float = 0.01, lr: Float = 0.1
        let decayed = minibatchGradient(model: model, parameters: x, data: data, indices: batch, weightDecay: wd)
        XCTAssertEqual(decayed.gradient, zip(g, x).map { $0 + wd * $1 })
        var p = x
        var sgd = SGD(config: SGDConfig(learningRate: lr, weightDecay: wd))
        sgd.step(parameters: &p, gradient: g)
        XCTAssertEqual(zip(x, decayed.gradient).map { $0 + lr * -$1 }, p)
    }
}
