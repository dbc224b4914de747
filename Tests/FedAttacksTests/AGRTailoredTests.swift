import FedAttacks
import FedCore
import FedTestSupport
import XCTest

/// The AGR-tailored attacks against Krum, Multi-Krum and the median written out here, on a
/// one-dimensional round worked by hand: honest B = {0, 1, 2, 3, 4} (μ = 2, unit direction
/// p = 1, so m(γ) = 2 − γ = x) and c = 2 attackers first, 7 rows, f = 2, scores the sums of
/// the 3 nearest squared distances. For −1.2 < x < 0: the two copies of x score
/// 0 + x² + (1 − x)² = 2x² − 2x + 1; honest 0 scores 1 + 2x² (the two copies are nearer than
/// 2), always below the copies; honest 1 scores 6 once x < −1 (2 + (1 − x)² before); 2 and 3
/// score 6; 4 scores 14.
final class AGRTailoredTests: XCTestCase {
    private let benign = matrix([[0], [1], [2], [3], [4]])

    /// Krum-style selection of the `keep` lowest scores (ties: the lower index), f = 2.
    private func multiKrum(keep: Int) -> AggregationOracle {
        AggregationOracle(decide: { rows in
            let n = rows.rows, f = 2
            let score = (0..<n).map { i -> Double in
                (0..<n).filter { $0 != i }.map { j in
                    zip(rows.row(i), rows.row(j)).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
                }.sorted().prefix(n - f - 2).reduce(0, +)
            }
            let order = score.indices.sorted { score[$0] < score[$1] || (score[$0] == score[$1] && $0 < $1) }
            let chosen = Set(order.prefix(keep))
            let aggregate = (0..<rows.columns).map { j in
                Float(chosen.reduce(0.0) { $0 + Double(rows.row($1)[j]) } / Double(keep))
            }
            return AggregationOracle.Outcome(aggregate: aggregate, selected: (0..<n).map { chosen.contains($0) })
        })
    }

    private let median = AggregationOracle { rows in
        (0..<rows.columns).map { j in
            let col = (0..<rows.rows).map { rows.row($0)[j] }.sorted()
            return col[col.count / 2]
        }
    }

    /// Multi-Krum keeps 5 rows. Honest 0 always ranks above the copies, so both copies are kept
    /// while they score at most 6 (three honest rows at 6 then rank after them; ties go to the
    /// lower index, the attackers'): 2x² − 2x + 1 ≤ 6, x ≥ (1 − √11)/2, so
    /// γ* = 1.5 + √11/2 = 3.15831, found from below within the tolerance.
    func testMultiKrumTakesTheLargestGammaItStillSelects() throws {
        let attack = try AGRTailored()
        let c = try attack.search(benign: benign, attackers: 2, oracle: multiKrum(keep: 5))
        let gammaStar = 1.5 + 11.0.squareRoot() / 2
        XCTAssertEqual(c.objective, .selection)
        XCTAssertEqual(c.gamma, gammaStar, accuracy: 1e-4)
        XCTAssertLessThanOrEqual(c.gamma, gammaStar)
        let x = c.update[0]
        XCTAssertEqual(Double(x), 2 - c.gamma, accuracy: 1e-5)
        // Both copies kept at γ; past γ* only the first of them.
        let at = try multiKrum(keep: 5).decide(matrix([[x], [x], [0], [1], [2], [3], [4]]))
        XCTAssertEqual(Array(at.selected.prefix(2)), [true, true])
        let past = Float(2 - gammaStar - 0.01)
        XCTAssertEqual(Array(try multiKrum(keep: 5).decide(matrix([[past], [past], [0], [1], [2], [3], [4]])).selected.prefix(2)),
                       [true, false])
        // Kept: 0, x, x, 1, 2; the aggregate (3 + 2x)/5 is (7 − 2x)/5 from μ = 2.
        XCTAssertEqual(c.deviation, (7 - 2 * Double(x)) / 5, accuracy: 1e-5)
    }

    /// Krum keeps one row, and honest 0 (1 + 2x²) beats the copies (2x² − 2x + 1) for every
    /// x < 0; at x = 0 they tie and the attackers' lower index wins. So γ* = 2, and the
    /// aggregate is the malicious update itself.
    func testKrumSelectsTheCraftedUpdate() throws {
        let attack = try AGRTailored()
        let c = try attack.search(benign: benign, attackers: 2, oracle: multiKrum(keep: 1))
        XCTAssertEqual(c.objective, .selection)
        XCTAssertEqual(c.gamma, 2, accuracy: 1e-4)
        XCTAssertLessThanOrEqual(c.gamma, 2)
        XCTAssertEqual(c.deviation, c.gamma, accuracy: 1e-4)
    }

    /// A rule that keeps every row (the median) gets the deviation objective, which is the
    /// adaptive attacker's search with the same direction, γ0 and tolerance.
    func testARuleThatKeepsEveryRowGetsTheDeviationSearch() throws {
        let attack = try AGRTailored()
        let c = try attack.search(benign: benign, attackers: 2, oracle: median)
        XCTAssertEqual(c.objective, .deviation)
        let adaptive = try Adaptive(directions: [.unit], initialGamma: 5, tolerance: 1e-5)
            .search(benign: benign, attackers: 2, oracle: median)
        XCTAssertEqual(c.update, adaptive.update)
        XCTAssertEqual(c.deviation, 1, accuracy: 1e-6)    // the median moves to the next order statistic, 1
        // Forced to the selection objective against a rule that keeps everything, γ runs to 2γ0.
        let forced = try AGRTailored(objective: .selection).search(benign: benign, attackers: 2, oracle: median)
        XCTAssertEqual(forced.gamma, 10, accuracy: 1e-4)
    }

    /// Every attacker sends the same update; the worst direction wins; same input, same bits;
    /// without the rule it refuses.
    func testCraftAndRefusal() throws {
        let b = matrix([[1, 2, 0], [2, 1, 0.5], [1.5, 1.5, 0.2], [1.2, 1.8, 0.1], [1.1, 1.9, 0.3]])
        var rng = SeededRNG(seed: 1)
        let attack = try AGRTailored(directions: [.unit, .std, .sign])
        let input = AttackInput(own: matrix([[0, 0, 0], [9, 9, 9]]), benign: b, totalClients: 7, maliciousClients: 2,
                                round: 1, oracle: multiKrum(keep: 5))
        let out = try attack.craft(input, rng: &rng)
        XCTAssertEqual(out.row(0), out.row(1))
        let each = try [Adaptive.Direction.unit, .std, .sign].map {
            try AGRTailored(directions: [$0]).search(benign: b, attackers: 2, oracle: multiKrum(keep: 5)).deviation
        }
        XCTAssertEqual(try attack.search(benign: b, attackers: 2, oracle: multiKrum(keep: 5)).deviation, each.max() ?? -1)
        XCTAssertEqual(try attack.craft(input, rng: &rng).values, out.values)
        let blind = AttackInput(own: matrix([[0, 0, 0]]), benign: b, totalClients: 6, maliciousClients: 1, round: 1)
        XCTAssertThrowsError(try attack.craft(blind, rng: &rng)) { error in
            XCTAssertEqual("\(error)", "agr-tailored: needs the server's rule (runs in the adversary hub)")
        }
        XCTAssertThrowsError(try AGRTailored(directions: []))
        XCTAssertThrowsError(try AGRTailored(initialGamma: 0))
    }
}
