import FedAttacks
import FedCore
import FedTestSupport
import XCTest

/// Fang's Krum attack against a Krum written out here (f = c), on small hand-checkable rounds.
final class FangKrumTests: XCTestCase {
    /// Krum with f: the row whose n − f − 2 nearest squared distances sum least (ties: the first).
    private func krum(f: Int) -> AggregationOracle {
        AggregationOracle { rows in
            let n = rows.rows
            let score = (0..<n).map { i -> Double in
                (0..<n).filter { $0 != i }.map { j in
                    zip(rows.row(i), rows.row(j)).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
                }.sorted().prefix(n - f - 2).reduce(0, +)
            }
            let best = score.indices.min { score[$0] < score[$1] || (score[$0] == score[$1] && $0 < $1) }!
            return rows.row(best)
        }
    }

    /// Six honest updates in 20 dimensions, N(0.1, 1) per coordinate (far apart, as in high
    /// dimensions): the two identical copies of −λ·sign(μ) support each other and Krum picks one.
    func testKrumSelectsTheCraftedUpdate() throws {
        var g = SeededRNG(seed: 5)
        let benign = UpdateMatrix(rows: 6, columns: 20, values: (0..<120).map { _ in Float(0.1 + g.nextGaussian()) })
        var rng = SeededRNG(seed: 1)
        let input = AttackInput(own: UpdateMatrix(rows: 2, columns: 20), benign: benign, totalClients: 8, maliciousClients: 2,
                                round: 1, oracle: krum(f: 2))
        let out = try FangKrum().craft(input, rng: &rng)
        let u = out.row(0)
        XCTAssertEqual(out.row(1), u)
        let lambda = Double(abs(u[0]))
        XCTAssertEqual(u.map { Double(abs($0)) }, [Double](repeating: lambda, count: 20))
        XCTAssertGreaterThan(lambda, 1e-5, "selected before the threshold")
        var rows = UpdateMatrix(rows: 8, columns: 20)
        rows.setRow(0, u); rows.setRow(1, u)
        for i in 0..<6 { rows.setRow(2 + i, benign.row(i)) }
        XCTAssertEqual(try krum(f: 2).aggregate(rows), u)
        XCTAssertLessThanOrEqual(lambda, FangKrum.upperBound(benign: benign, total: 8, malicious: 2) + 1e-6)
    }

    /// λ₀ by hand: honest 0 and 2 on one axis, m = 3, c = 1: Γ has m − c − 2 = 0 neighbours, so
    /// λ₀ = 0 + max norm / √1 = 2.
    func testUpperBoundByHand() {
        XCTAssertEqual(FangKrum.upperBound(benign: matrix([[0], [2]]), total: 3, malicious: 1), 2, accuracy: 1e-12)
        // m = 5, c = 1: 2 neighbours; honest 0, 1, 3, 4: sums 4, 3, 3, 4; min 3 / ((5 - 3)·1) + 4 = 5.5.
        XCTAssertEqual(FangKrum.upperBound(benign: matrix([[0], [1], [3], [4]]), total: 5, malicious: 1), 5.5, accuracy: 1e-12)
    }

    /// Against the mean nothing is ever "selected": the search ends at the threshold.
    func testAgainstARuleThatNeverSelectsItEndsAtTheThreshold() throws {
        let mean = AggregationOracle { rows in
            (0..<rows.columns).map { j in (0..<rows.rows).reduce(Float(0)) { $0 + rows.row($1)[j] } / Float(rows.rows) }
        }
        var rng = SeededRNG(seed: 1)
        let input = AttackInput(own: matrix([[0]]), benign: matrix([[1], [2], [3]]), totalClients: 4, maliciousClients: 1,
                                round: 1, oracle: mean)
        XCTAssertEqual(try FangKrum(threshold: 1e-3).craft(input, rng: &rng).row(0), [Float(-1e-3)])
        let noOracle = AttackInput(own: matrix([[0]]), benign: matrix([[1], [2]]), totalClients: 3, maliciousClients: 1, round: 1)
        XCTAssertThrowsError(try FangKrum().craft(noOracle, rng: &rng))
    }
}
