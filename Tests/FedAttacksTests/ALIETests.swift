import FedAttacks
import FedCore
import FedTestSupport
import XCTest

final class ALIETests: XCTestCase {
    func testNormalQuantileKnownValues() {
        let table: [(Double, Double)] = [
            (0.5, 0), (0.975, 1.959963984540054), (0.025, -1.959963984540054), (0.6, 0.2533471031357997),
            (0.9, 1.2815515655446004), (0.01, -2.3263478740408408), (1e-10, -6.361340902404056),
            (1 - 1e-10, 6.361340889697422), (1e-300, -37.0470962993612),
        ]
        for (p, x) in table {
            XCTAssertEqual(normalQuantile(p), x, accuracy: 1e-9 * max(1, abs(x)), "p = \(p)")
        }
        XCTAssertEqual(normalQuantile(0), -.infinity)
        XCTAssertEqual(normalQuantile(1), .infinity)
        XCTAssertTrue(normalQuantile(1.5).isNaN)
        XCTAssertTrue(normalQuantile(.nan).isNaN)
        // Round trip.
        for p in stride(from: 0.001, to: 1, by: 0.0371) {
            XCTAssertEqual(normalCDF(normalQuantile(p)), p, accuracy: 1e-13)
        }
        XCTAssertEqual(normalCDF(0), 0.5)
        XCTAssertEqual(normalCDF(1.959963984540054), 0.975, accuracy: 1e-15)
    }

    func testZTable() {
        // docs/ALGORITHMS.md 3.5: (n, f, paper, honestOnly).
        let table: [(Int, Int, Double, Double)] = [
            (10, 2, 0.2533, 0.0000), (20, 4, 0.3853, 0.1573), (25, 5, 0.4677, 0.2533),
            (50, 10, 0.4677, 0.2533), (50, 12, 0.5828, 0.3360), (100, 20, 0.4959, 0.2858),
        ]
        for (n, f, paper, honest) in table {
            XCTAssertEqual(ALIE.z(n: n, f: f, variant: .paper), paper, accuracy: 1e-4, "n = \(n), f = \(f)")
            XCTAssertEqual(ALIE.z(n: n, f: f, variant: .honestOnly), honest, accuracy: 1e-4, "n = \(n), f = \(f)")
        }
    }

    func testOneDimensionalHandExample() throws {
        var rng = SeededRNG(seed: 1)
        let inp = input(own: [[0], [0]], benign: [[1], [2], [3]])
        let table: [(Int, ALIE.Direction, Double)] = [(1, .plus, 3.0), (0, .plus, 2.8165), (1, .minus, 1.0),
                                                      (0, .minus, 1.1835)]
        for (ddof, direction, expected) in table {
            let out = try ALIE(z: .fixed(1), direction: direction, ddof: ddof).craft(inp, rng: &rng)
            XCTAssertEqual(out.rows, 2)
            assertClose(out.values, [expected, expected], accuracy: 1e-4, "ddof \(ddof) \(direction)")
        }
    }

    func testAutoZUsesNAndF() throws {
        var rng = SeededRNG(seed: 1)
        // μ = (1, 0), σ (ddof 1) = (1, 2); n = 10, f = 2 → z = 0.2533 (paper), 0 (honestOnly).
        let inp = input(own: [[5, 5], [6, 6]], benign: [[0, -2], [1, 0], [2, 2]], n: 10, f: 2)
        let paper = try ALIE().craft(inp, rng: &rng)
        let z = ALIE.z(n: 10, f: 2, variant: .paper)
        assertClose(paper.row(0), [1 + z, 2 * z], accuracy: 1e-6)
        XCTAssertTrue(allRowsEqual(paper))
        let honest = try ALIE(z: .auto(variant: .honestOnly)).craft(inp, rng: &rng)
        assertClose(honest.row(1), [1, 0], accuracy: 1e-6)
        XCTAssertTrue(try ALIE().needsCollusion)
    }

    func testErrors() throws {
        var rng = SeededRNG(seed: 1)
        XCTAssertThrowsError(try ALIE(z: .fixed(.nan)))
        XCTAssertThrowsError(try ALIE(ddof: 2))
        // One benign row with ddof 1: σ undefined.
        XCTAssertThrowsError(try ALIE().craft(input(own: [[1]], benign: [[1]]), rng: &rng)) { error in
            XCTAssertEqual(error as? AttackError, .notEnoughUpdates(attack: "alie", needed: 2, got: 1))
        }
        XCTAssertNoThrow(try ALIE(ddof: 0).craft(input(own: [[1]], benign: [[1]]), rng: &rng))
        // f ≥ ⌊n/2 + 1⌋ makes the automatic z infinite.
        XCTAssertThrowsError(try ALIE().craft(input(own: [[1]], benign: [[1], [2]], n: 10, f: 6), rng: &rng)) { error in
            guard case .parameter = error as? AttackError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ALIE().craft(input(own: [[1, 2]], benign: [[1], [2]]), rng: &rng)) { error in
            guard case .shape = error as? AttackError else { return XCTFail("\(error)") }
        }
    }
}
