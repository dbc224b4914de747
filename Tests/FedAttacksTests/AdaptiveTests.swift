import FedAttacks
import FedCore
import FedTestSupport
import XCTest

/// The adaptive attacker against rules given as black boxes, on hand-computed cases.
final class AdaptiveTests: XCTestCase {
    private let mean = AggregationOracle { rows in
        (0..<rows.columns).map { j in
            Float((0..<rows.rows).reduce(0.0) { $0 + Double(rows.row($1)[j]) } / Double(rows.rows))
        }
    }
    private let median = AggregationOracle { rows in
        (0..<rows.columns).map { j in
            let col = (0..<rows.rows).map { rows.row($0)[j] }.sorted()
            return col.count % 2 == 1 ? col[col.count / 2] : (col[col.count / 2 - 1] + col[col.count / 2]) / 2
        }
    }

    /// Against the mean the deviation grows with gamma: every step is accepted and gamma runs
    /// to the end of the search, 10 + 5 + 2.5 + ... (just under 20).
    func testAgainstTheMeanGammaRunsToTheEndOfTheSearch() throws {
        let attack = try Adaptive(directions: [.unit], initialGamma: 10, tolerance: 1e-4)
        let c = try attack.search(benign: matrix([[1, 0], [3, 0]]), attackers: 1, oracle: mean)
        XCTAssertEqual(c.gamma, 20, accuracy: 1e-3)
        XCTAssertEqual(c.update[0], Float(2 - c.gamma), accuracy: 1e-4)   // mu = (2, 0), unit p = (1, 0)
        // The aggregate of (2 - gamma) with 1 and 3 is 2 - gamma/3 away from 2.
        XCTAssertEqual(c.deviation, c.gamma / 3, accuracy: 1e-4)
    }

    /// Against the median of B = {0, 1, 2, 3, 4} and two attackers (7 rows), any m <= 1 pulls
    /// the median to 1 (deviation 1 from mu = 2) and nothing does more: the first gamma (10)
    /// reaches it, no later step improves, so gamma stays 10.
    func testAgainstTheMedianTheDeviationIsCappedAtTheNextOrderStatistic() throws {
        let attack = try Adaptive(directions: [.std])
        let c = try attack.search(benign: matrix([[0], [1], [2], [3], [4]]), attackers: 2, oracle: median)
        XCTAssertEqual(c.deviation, 1, accuracy: 1e-6)
        XCTAssertEqual(c.gamma, 10)
        XCTAssertEqual(Double(c.update[0]), 2 - 10 * 2.5.squareRoot(), accuracy: 1e-4)
    }

    /// With every direction, the one that moves the aggregate farthest wins; every attacker
    /// sends it; the same input gives the same bits.
    func testCraftSendsTheWorstDirectionToEveryAttacker() throws {
        let benign = matrix([[1, 2, 0], [2, 1, 0.5], [1.5, 1.5, 0.2], [1.2, 1.8, 0.1]])
        let attack = try Adaptive()
        var rng = SeededRNG(seed: 1)
        let input = AttackInput(own: matrix([[0, 0, 0], [9, 9, 9]]), benign: benign, totalClients: 6, maliciousClients: 2,
                                round: 1, oracle: median)
        let out = try attack.craft(input, rng: &rng)
        XCTAssertEqual(out.row(0), out.row(1))
        let each = try Adaptive.Direction.allCases.map {
            try Adaptive(directions: [$0]).search(benign: benign, attackers: 2, oracle: median).deviation
        }
        let best = try attack.search(benign: benign, attackers: 2, oracle: median)
        XCTAssertEqual(best.deviation, each.max() ?? -1)
        XCTAssertEqual(try attack.craft(input, rng: &rng).values, out.values)
    }

    func testWithoutTheRuleItRefuses() throws {
        var rng = SeededRNG(seed: 1)
        let input = AttackInput(own: matrix([[0]]), benign: matrix([[1], [2]]), totalClients: 3, maliciousClients: 1, round: 1)
        XCTAssertThrowsError(try Adaptive().craft(input, rng: &rng)) { error in
            XCTAssertEqual("\(error)", "adaptive: needs the server's rule (runs in the adversary hub)")
        }
        XCTAssertThrowsError(try Adaptive(directions: []))
    }
}
