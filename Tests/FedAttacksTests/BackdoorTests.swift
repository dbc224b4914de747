import FedAttacks
import FedCore
import XCTest

final class BackdoorTests: XCTestCase {
    func testTriggerPositionsOn4x4() {
        let table: [(Trigger.Position, [Int])] = [
            (.bottomRight, [10, 11, 14, 15]),
            (.bottomLeft, [8, 9, 12, 13]),
            (.topRight, [2, 3, 6, 7]),
            (.topLeft, [0, 1, 4, 5]),
        ]
        for (position, expected) in table {
            XCTAssertEqual(Trigger(size: 2, value: 1, position: position).indices(dimension: 16), expected, "\(position)")
        }
        // Clamped to the image side.
        XCTAssertEqual(Trigger(size: 9, position: .topLeft).indices(dimension: 16), Array(0..<16))
        XCTAssertEqual(Trigger(size: 1).indices(dimension: 16), [15])
    }

    func testTriggerOnNonSquareDimensionUsesLastFeatures() {
        XCTAssertEqual(Trigger(size: 2, position: .topLeft).indices(dimension: 10), [6, 7, 8, 9])
        XCTAssertEqual(Trigger(size: 2).indices(dimension: 3), [0, 1, 2])
    }

    func testStampKeepsLabels() throws {
        let data = Dataset(features: [Float](repeating: 0, count: 32), labels: [1, 2],
                           dimension: 16, classes: 10, name: "t")
        let attack = try Backdoor(target: 7, trigger: Trigger(size: 2, value: 0.5, position: .bottomRight))
        let out = attack.stamp(data)
        XCTAssertEqual(out.labels, [1, 2])
        var expected = [Float](repeating: 0, count: 16)
        for j in [10, 11, 14, 15] { expected[j] = 0.5 }
        XCTAssertEqual(out.features, expected + expected)
    }

    private func data(count: Int) -> Dataset {
        Dataset(features: (0..<(count * 16)).map { Float($0 % 16) / 100 }, labels: (0..<count).map { Int32($0 % 5) },
                dimension: 16, classes: 10, name: "t")
    }

    func testPoisonAppendsExactCountOfRelabelledTriggeredCopies() throws {
        let clean = data(count: 10)
        let table: [(Double, Int)] = [(0.5, 5), (0.32, 3), (0.01, 1), (1.0, 10), (0.25, 3)]   // round(2.5) = 3
        for (fraction, k) in table {
            let attack = try Backdoor(target: 7, fraction: fraction, trigger: Trigger(size: 2, value: 1))
            XCTAssertEqual(attack.poisonedCount(of: 10), k, "\(fraction)")
            var rng = SeededRNG(seed: 3)
            let out = attack.poison(clean, rng: &rng)
            XCTAssertEqual(out.count, 10 + k)
            XCTAssertEqual(Array(out.labels[0..<10]), clean.labels, "clean samples kept")
            XCTAssertEqual(Array(out.features[0..<160]), clean.features)
            XCTAssertEqual(Array(out.labels[10...]), [Int32](repeating: 7, count: k))
            for i in 10..<out.count {
                for j in [10, 11, 14, 15] { XCTAssertEqual(out.features[i * 16 + j], 1) }
                XCTAssertEqual(out.features[i * 16], 0, "untouched pixel copied from a clean sample")
            }
        }
    }

    func testPoisonInPlaceAndDeterminism() throws {
        let clean = data(count: 10)
        let attack = try Backdoor(target: 7, fraction: 0.4, trigger: Trigger(size: 2), keepClean: false)
        var r1 = SeededRNG(seed: 5), r2 = SeededRNG(seed: 5)
        let out = attack.poison(clean, rng: &r1)
        XCTAssertEqual(out, attack.poison(clean, rng: &r2))
        XCTAssertEqual(out.count, 10)
        let changed = (0..<10).filter { out.features[$0 * 16 + 15] == 1 }
        XCTAssertEqual(changed.count, 4)
        for i in 0..<10 {
            XCTAssertEqual(out.labels[i], changed.contains(i) ? 7 : clean.labels[i])
        }
    }

    /// The `poisoning` key: append (default) adds k = round(0.32 · 30) = 10 triggered copies,
    /// so the attacker trains on 40 samples, 5 batches of 8 per epoch instead of 4; replace
    /// poisons 10 of the 30 in place (30 samples, 4 batches).
    func testPoisoningKeyAppendOrReplace() throws {
        let clean = data(count: 30)
        let facts = AttackDescriptor.DataFacts(classes: 10, maxFeature: 1)
        var values = Backdoor.descriptor.defaults
        values.set("fraction", .number(0.32))
        XCTAssertEqual(values["poisoning"], .word("append"))
        let table: [(mode: String, samples: Int, steps: Int)] = [("append", 40, 5), ("replace", 30, 4)]
        for c in table {
            values.set("poisoning", .word(c.mode))
            let attack = try XCTUnwrap(try Backdoor.descriptor.dataAttack(values, facts: facts) as? Backdoor)
            XCTAssertEqual(attack.keepClean, c.mode == "append")
            var rng = SeededRNG(seed: 2)
            let poisoned = attack.poison(clean, rng: &rng)
            XCTAssertEqual(poisoned.count, c.samples, c.mode)
            XCTAssertEqual(poisoned.labels.filter { $0 == 7 }.count, 10, c.mode)   // no clean sample has label 7
            let model = LogisticRegression(inputDimension: 16, classes: 10)
            let config = LocalTraining(epochs: 1, batchSize: 8, sgd: SGDConfig(learningRate: 0.1))
            let trained = trainLocally(model: model, start: model.initialParameters(rng: &rng), data: poisoned, config: config, rng: &rng)
            XCTAssertEqual(trained.steps, c.steps, c.mode)
            XCTAssertEqual(trained.samples, c.samples, c.mode)
        }
    }

    func testSuccessRateAndBoost() {
        XCTAssertEqual(Backdoor.successRate(predictions: [7, 7, 1, 7], trueLabels: [1, 7, 2, 3], target: 7),
                       2.0 / 3.0, accuracy: 1e-12)
        XCTAssertTrue(Backdoor.successRate(predictions: [7, 1], trueLabels: [7, 7], target: 7).isNaN)
        XCTAssertEqual(Backdoor.replacementBoost(sampledClients: 50, attackers: 1, serverLearningRate: 1), 50)
        XCTAssertEqual(Backdoor.replacementBoost(sampledClients: 20, attackers: 4, serverLearningRate: 0.5), 10)
        XCTAssertEqual(Backdoor.replacementBoost(sampledClients: 20, attackers: 0, serverLearningRate: 1), 20)
    }

    func testParameterValidation() throws {
        XCTAssertThrowsError(try Backdoor(target: -1))
        XCTAssertThrowsError(try Backdoor(target: 1, fraction: 0))
        XCTAssertThrowsError(try Backdoor(target: 1, fraction: 1.5))
        XCTAssertThrowsError(try Backdoor(target: 1, trigger: Trigger(size: 0)))
        XCTAssertThrowsError(try Backdoor(target: 1, trigger: Trigger(value: .nan)))
        XCTAssertThrowsError(try Backdoor(target: 10).validate(classes: 10))
        XCTAssertNoThrow(try Backdoor(target: 9).validate(classes: 10))
        XCTAssertEqual(try Backdoor(target: 1).fraction, 0.5)
    }
}
