import FedAttacks
import FedCore
import FedTestSupport
import XCTest

final class IPMTests: XCTestCase {
    func testKnownMean() throws {
        var rng = SeededRNG(seed: 1)
        let table: [(Double, [Double])] = [(0.5, [-1, -1.5]), (2, [-4, -6]), (0.1, [-0.2, -0.3])]
        for (epsilon, expected) in table {
            let out = try IPM(epsilon: epsilon).craft(input(own: [[9, 9], [8, 8], [7, 7]], benign: [[1, 2], [3, 4]]),
                                                      rng: &rng)
            XCTAssertEqual(out.rows, 3)
            XCTAssertTrue(allRowsEqual(out))
            assertClose(out.row(0), expected, accuracy: 1e-6, "ε = \(epsilon)")
        }
    }

    func testDefaultsAndErrors() throws {
        var rng = SeededRNG(seed: 1)
        XCTAssertEqual(try IPM().epsilon, 0.5)
        XCTAssertTrue(try IPM().needsCollusion)
        XCTAssertThrowsError(try IPM(epsilon: 0))
        XCTAssertThrowsError(try IPM().craft(input(own: [[1, 2]], benign: []), rng: &rng))
        XCTAssertThrowsError(try IPM().craft(input(own: [[1, 2]], benign: [[1, 2, 3]]), rng: &rng)) { error in
            guard case .shape = error as? AttackError else { return XCTFail("\(error)") }
        }
    }
}
