import FedAttacks
import FedCore
import XCTest

final class LabelFlipTests: XCTestCase {
    /// Ten samples with labels 0...9 (dimension 2), C = 10.
    private func tenClasses() -> Dataset {
        Dataset(features: (0..<20).map { Float($0) }, labels: (0..<10).map { Int32($0) },
                dimension: 2, classes: 10, name: "t")
    }

    private func poisoned(_ mode: LabelFlip.Mode, seed: UInt64 = 1) throws -> Dataset {
        var rng = SeededRNG(seed: seed)
        return try LabelFlip(mode).poison(tenClasses(), rng: &rng)
    }

    func testDeterministicModesTable() throws {
        let table: [(LabelFlip.Mode, [Int32])] = [
            (.targeted(source: 3, target: 7), [0, 1, 2, 7, 4, 5, 6, 7, 8, 9]),
            (.allToOne(target: 2), [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
            (.rotation, [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]),
            (.reverse, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
        ]
        for (mode, expected) in table {
            let out = try poisoned(mode)
            XCTAssertEqual(out.labels, expected, "\(mode)")
            XCTAssertEqual(out.features, tenClasses().features, "features untouched for \(mode)")
            let attack = try LabelFlip(mode)
            XCTAssertEqual((0..<10).map { attack.flip(Int32($0), classes: 10) }, expected)
        }
    }

    func testTargetedOnlyTouchesSource() throws {
        let data = Dataset(features: [Float](repeating: 0, count: 6), labels: [3, 3, 1, 7, 3, 0],
                           dimension: 1, classes: 10, name: "t")
        var rng = SeededRNG(seed: 9)
        let out = try LabelFlip(.targeted(source: 3, target: 7)).poison(data, rng: &rng)
        XCTAssertEqual(out.labels, [7, 7, 1, 7, 7, 0])
    }

    func testRandomNeverKeepsLabelAndIsDeterministic() throws {
        let labels = (0..<1000).map { Int32($0 % 10) }
        let data = Dataset(features: [Float](repeating: 0, count: 1000), labels: labels,
                           dimension: 1, classes: 10, name: "t")
        let attack = try LabelFlip(.random)
        var r1 = SeededRNG(seed: 42), r2 = SeededRNG(seed: 42), r3 = SeededRNG(seed: 43)
        let a = attack.poison(data, rng: &r1), b = attack.poison(data, rng: &r2), c = attack.poison(data, rng: &r3)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.labels, c.labels)
        for (y, y2) in zip(labels, a.labels) {
            XCTAssertNotEqual(y, y2)
            XCTAssertTrue((0..<10).contains(y2))
        }
        // Every other class is reachable: each of the 10 × 9 (y, y') pairs appears.
        let pairs = Set(zip(labels, a.labels).map { "\($0)->\($1)" })
        XCTAssertEqual(pairs.count, 90)
    }

    func testParameterValidation() throws {
        XCTAssertThrowsError(try LabelFlip(.targeted(source: 3, target: 3)))
        XCTAssertThrowsError(try LabelFlip(.targeted(source: -1, target: 3)))
        XCTAssertThrowsError(try LabelFlip(.allToOne(target: -2)))
        XCTAssertThrowsError(try LabelFlip(.targeted(source: 3, target: 10)).validate(classes: 10)) { error in
            XCTAssertEqual(error as? AttackError,
                           .parameter(attack: "label-flip", message: "class 10 out of range for 10 classes"))
        }
        XCTAssertNoThrow(try LabelFlip(.targeted(source: 3, target: 9)).validate(classes: 10))
        XCTAssertThrowsError(try LabelFlip(.random).validate(classes: 1))
        XCTAssertEqual(try LabelFlip(.reverse).name, "label-flip")
    }
}
