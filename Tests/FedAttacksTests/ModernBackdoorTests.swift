import FedAttacks
import FedCore
import XCTest

/// DBA's trigger parts, the shape-aware trigger, Neurotoxin's mask and constrain-and-scale's
/// pull toward the global model, on hand-computed cases.
final class ModernBackdoorTests: XCTestCase {
    // MARK: - Triggers

    func testShapeAwareTriggerStampsEveryChannel() {
        // [3, 4, 4], 2 x 2 bottom right: pixels 10, 11, 14, 15 of each 16-pixel channel.
        let expected = [10, 11, 14, 15].flatMap { p in [p, 16 + p, 32 + p] }.sorted()
        XCTAssertEqual(Trigger(size: 2).indices(shape: [3, 4, 4]), expected)
        // One channel: the same as the flat square image; rank 1: the flat rules.
        XCTAssertEqual(Trigger(size: 3).indices(shape: [1, 8, 8]), Trigger(size: 3).indices(dimension: 64))
        XCTAssertEqual(Trigger(size: 2, position: .topLeft).indices(shape: [10]), [6, 7, 8, 9])
        // A non-square image: the square sits in the bottom-right corner of a 2 x 5 image.
        XCTAssertEqual(Trigger(size: 2).indices(shape: [1, 2, 5]), [3, 4, 8, 9])
    }

    /// Xie et al.'s MNIST layout (4 parts of 1 x 4, gap 2) and the digits default (1 x 2, gap 1).
    func testDistributedTriggerLayouts() {
        let cases: [(DistributedTrigger, [Int], [[Int]])] = [
            (DistributedTrigger(parts: 4, length: 4, gap: 2), [1, 28, 28],
             [[0, 1, 2, 3], [6, 7, 8, 9], [84, 85, 86, 87], [90, 91, 92, 93]]),
            (DistributedTrigger(), [1, 8, 8], [[0, 1], [3, 4], [16, 17], [19, 20]]),
            (DistributedTrigger(parts: 2), [3, 4, 4], [[0, 1, 16, 17, 32, 33], [3, 19, 35]]),  // part 1 clipped at column 4
            (DistributedTrigger(parts: 2), [10], [[8, 9], [6, 7]]),                         // no geometry: from the end
            (DistributedTrigger(parts: 3, length: 1, gap: 0), [64], [[0], [1], [8]]),        // a flat perfect square
        ]
        for (trigger, shape, parts) in cases {
            for (p, expected) in parts.enumerated() {
                XCTAssertEqual(trigger.indices(part: p, shape: shape), expected, "\(trigger) \(shape) part \(p)")
            }
            XCTAssertEqual(trigger.globalIndices(shape: shape), Array(Set(parts.flatMap { $0 })).sorted())
        }
        // Rows beyond the image are dropped.
        XCTAssertEqual(DistributedTrigger(parts: 4, length: 1, gap: 5).indices(part: 2, shape: [1, 4, 4]), [])
    }

    /// Each attacker stamps only its own part; the success probe carries the whole trigger.
    func testEachAttackerPoisonsWithItsOwnPart() throws {
        let d = DistributedBackdoor.descriptor
        var values = d.defaults
        values.set("fraction", .number(1))
        values.set("poisoning", .word("replace"))
        values.set("trigger_value", .number(9))
        let data = Dataset(features: [Float](repeating: 0, count: 2 * 64), labels: [1, 2], dimension: 64,
                           shape: [1, 8, 8], classes: 10, name: "t")
        for attacker in 0..<5 {
            let facts = AttackDescriptor.DataFacts(classes: 10, maxFeature: 1, attacker: attacker, attackers: 5)
            var rng = SeededRNG(seed: 1)
            let out = try XCTUnwrap(d.dataAttack(values, facts: facts)).poison(data, rng: &rng)
            let stamped = (0..<64).filter { out.features[$0] == 9 }
            XCTAssertEqual(stamped, DistributedTrigger().indices(part: attacker % 4, shape: [1, 8, 8]), "attacker \(attacker)")
            XCTAssertEqual(out.labels, [7, 7])
        }
        let probe = try XCTUnwrap(d.successMetric?.probe(values, data, AttackDescriptor.DataFacts(classes: 10, maxFeature: 1)))
        XCTAssertEqual((0..<64).filter { probe.inputs.features[$0] == 9 }, DistributedTrigger().globalIndices(shape: [1, 8, 8]))
        XCTAssertEqual(probe.target, 7)
    }

    // MARK: - Neurotoxin

    func testNeurotoxinMasksTheLargestLastChanges() throws {
        let cases: [(fraction: Double, delta: [Float], keep: [Bool])] = [
            (0.4, [0.1, -5, 3, 0, 2], [true, false, false, true, true]),   // ceil(2) largest |delta|
            (0.5, [1, 1, 1, 1], [true, true, false, false]),               // ties: higher index masked first
            (0.0, [3, 2], [true, true]),
            (0.1, [0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0], [true, true, true, true, false, true, true, true, true, true, false]),  // ceil(1.1) = 2
        ]
        for c in cases {
            XCTAssertEqual(try Neurotoxin(maskFraction: c.fraction).keep(previousGlobalChange: c.delta), c.keep, "\(c)")
        }
        XCTAssertNil(try Neurotoxin().trainingAdjustment(global: [0, 0], previousGlobalChange: nil), "no change seen yet")
        XCTAssertThrowsError(try Neurotoxin(maskFraction: 1))
    }

    /// Trained with the mask and no weight decay, the masked coordinates never move.
    func testMaskedCoordinatesStayPut() throws {
        let model = LogisticRegression(inputDimension: 4, classes: 3)
        let data = Dataset(features: (0..<40).map { Float(($0 * 7) % 11) / 10 }, labels: (0..<10).map { Int32($0 % 3) },
                           dimension: 4, classes: 3, name: "t")
        let start = [Float](repeating: 0.1, count: model.parameterCount)
        var delta = [Float](repeating: 0, count: model.parameterCount)
        delta[2] = 5
        delta[9] = -4
        let attack = try Neurotoxin(maskFraction: 2.0 / Double(model.parameterCount))
        let config = LocalTraining(epochs: 2, batchSize: 3, sgd: SGDConfig(learningRate: 0.5))
        var rng = SeededRNG(seed: 3)
        let out = trainLocally(model: model, start: start, data: data, config: config, rng: &rng,
                               adjustment: attack.trainingAdjustment(global: start, previousGlobalChange: delta))
        XCTAssertEqual(out.parameters[2], start[2])
        XCTAssertEqual(out.parameters[9], start[9])
        XCTAssertEqual(out.parameters.enumerated().filter { $0.element != start[$0.offset] }.count, model.parameterCount - 2)
    }

    // MARK: - Constrain-and-scale

    func testProximalGradientIsHandComputed() {
        // g = 0.5 * [1, 1] + 2 * 0.5 * ([1, 2] - [0, 1]) = [1.5, 1.5].
        var g: [Float] = [1, 1]
        let p: [Float] = [1, 2]
        p.withUnsafeBufferPointer { pp in
            g.withUnsafeMutableBufferPointer { GradientAdjustment.proximal(center: [0, 1], alpha: 0.5).adjust(pp, $0) }
        }
        XCTAssertEqual(g, [1.5, 1.5])
    }

    /// A smaller alpha pulls the trained model toward the global one: the update shrinks.
    func testSmallerAlphaGivesAShorterUpdate() throws {
        let model = LogisticRegression(inputDimension: 4, classes: 3)
        let data = Dataset(features: (0..<80).map { Float(($0 * 5) % 13) / 10 }, labels: (0..<20).map { Int32($0 % 3) },
                           dimension: 4, classes: 3, name: "t")
        let start = [Float](repeating: 0, count: model.parameterCount)
        let config = LocalTraining(epochs: 3, batchSize: 4, sgd: SGDConfig(learningRate: 0.5))
        func norm(alpha: Double) throws -> Double {
            var rng = SeededRNG(seed: 9)
            let a = try ConstrainAndScale(alpha: alpha).trainingAdjustment(global: start, previousGlobalChange: nil)
            let out = trainLocally(model: model, start: start, data: data, config: config, rng: &rng, adjustment: a)
            return out.parameters.reduce(0) { $0 + Double($1 * $1) }.squareRoot()
        }
        let norms = try [1.0, 0.7, 0.3].map { try norm(alpha: $0) }
        XCTAssertGreaterThan(norms[0], norms[1])
        XCTAssertGreaterThan(norms[1], norms[2])
        XCTAssertNil(try ConstrainAndScale(alpha: 1).trainingAdjustment(global: start, previousGlobalChange: nil))
        XCTAssertEqual(ConstrainAndScale.descriptor.defaults["boost"], .auto)
    }

    /// Both shape the update and poison the data: the descriptors give both halves.
    func testCombinedDescriptorsGiveDataAndModelAttacks() throws {
        let facts = AttackDescriptor.DataFacts(classes: 10, maxFeature: 1)
        for d in [Neurotoxin.descriptor, ConstrainAndScale.descriptor] {
            XCTAssertNotNil(try d.dataAttack(d.defaults, facts: facts), d.name)
            XCTAssertNotNil(try d.modelAttack(d.defaults), d.name)
            XCTAssertTrue(d.isDataPoisoning)
            XCTAssertEqual(d.successMetric?.name, "backdoor")
        }
    }
}

/// The edge-case backdoor's tail selection, poisoning and norm ball.
final class EdgeCaseTests: XCTestCase {
    /// Class 7's samples at 0, 1, 2 and 10 (one feature): mean 3.25, distances 3.25, 2.25,
    /// 1.25, 6.75; tail 0.5 keeps the two farthest: 10 (index 5) then 0 (index 0).
    private let data = Dataset(features: [0, 5, 1, 6, 2, 10], labels: [7, 1, 7, 1, 7, 7], dimension: 1, classes: 10, name: "t")

    func testTheTailIsTheFarthestFromTheClassMean() throws {
        XCTAssertEqual(try EdgeCase(tail: 0.5).edgeCases(data), [5, 0])
        XCTAssertEqual(try EdgeCase(tail: 0.01).edgeCases(data), [5])            // at least one
        XCTAssertEqual(try EdgeCase(tail: 1).edgeCases(data), [5, 0, 2, 4])
        XCTAssertEqual(try EdgeCase(source: 3, target: 1).edgeCases(data), [])    // no such class
    }

    func testPoisoningAppendsCopiesOrRelabelsInPlace() throws {
        var rng = SeededRNG(seed: 1)
        let appended = try EdgeCase(tail: 0.5, copies: 2).poison(data, rng: &rng)
        XCTAssertEqual(appended.labels, data.labels + [1, 1, 1, 1])
        XCTAssertEqual(Array(appended.features.suffix(4)), [10, 0, 10, 0])
        let replaced = try EdgeCase(tail: 0.5, keepClean: false).poison(data, rng: &rng)
        XCTAssertEqual(replaced.labels, [1, 1, 7, 1, 7, 1])
        XCTAssertThrowsError(try EdgeCase(source: 1, target: 1))
    }

    /// After every step the model is projected into the ball: ||theta - global|| <= radius.
    func testTrainingStaysInsideTheBall() throws {
        let model = LogisticRegression(inputDimension: 1, classes: 10)
        let start = [Float](repeating: 0, count: model.parameterCount)
        let projection = try EdgeCaseProjection(radius: 0.05)
        var rng = SeededRNG(seed: 2)
        let out = trainLocally(model: model, start: start, data: data,
                               config: LocalTraining(epochs: 5, batchSize: 2, sgd: SGDConfig(learningRate: 1)), rng: &rng,
                               adjustment: projection.trainingAdjustment(global: start, previousGlobalChange: nil))
        let norm = out.parameters.reduce(0.0) { $0 + Double($1 * $1) }.squareRoot()
        XCTAssertEqual(norm, 0.05, accuracy: 1e-6, "trained to the edge of the ball")
        XCTAssertNil(try EdgeCaseProjection(radius: nil).trainingAdjustment(global: start, previousGlobalChange: nil))
    }

    /// The success probe holds the test set's edge cases, with the target.
    func testSuccessProbeIsTheTestTail() throws {
        let d = EdgeCase.descriptor
        var values = d.defaults
        values.set("tail", .number(0.5))
        let probe = try XCTUnwrap(d.successMetric?.probe(values, data, AttackDescriptor.DataFacts(classes: 10, maxFeature: 1)))
        XCTAssertEqual(probe.inputs.features, [10, 0])
        XCTAssertEqual(probe.target, 1)
    }
}
