import FedAttacks
import FedCore
import FedTestSupport
import XCTest

final class MinMaxMinSumTests: XCTestCase {
    /// docs/ALGORITHMS.md section 7: B = {(1,0), (0,1), (1,1), (2,1)}; μ = (1, 0.75), unit p = (0.8, 0.6).
    private let benign: [[Float]] = [[1, 0], [0, 1], [1, 1], [2, 1]]

    func testMinMaxHandExampleUnitDeviation() throws {
        let attack = try MinMax(deviation: .unit)
        let (gamma, update) = try attack.search(benign: matrix(benign))
        // γ solves γ² + 1.9γ − 2.9375 = 0 (distance to (2,1) equals the bound 4).
        XCTAssertEqual(gamma, (-1.9 + 15.36.squareRoot()) / 2, accuracy: 1e-4)
        XCTAssertEqual(gamma, 1.00958, accuracy: 1e-4)
        assertClose(update, [0.19234, 0.14425], accuracy: 1e-4)
        let worst = benign.map { squaredDistance(update, $0) }.max() ?? 0
        XCTAssertEqual(worst, 4, accuracy: 1e-4)
        XCTAssertLessThanOrEqual(worst, 4 + 1e-5)
    }

    func testMinSumHandExampleUnitDeviation() throws {
        let attack = try MinSum(deviation: .unit)
        let (gamma, update) = try attack.search(benign: matrix(benign))
        // Σ||m − b||² = 2.75 + 4γ² ≤ 3 (the sum of the central point (1,1)) → γ = 0.25.
        XCTAssertEqual(gamma, 0.25, accuracy: 1e-4)
        assertClose(update, [0.8, 0.6], accuracy: 1e-4)
        let sum = benign.reduce(0.0) { $0 + squaredDistance(update, $1) }
        XCTAssertLessThanOrEqual(sum, 3 + 1e-5)
    }

    func testCraftSendsTheSameRowToEveryAttacker() throws {
        var rng = SeededRNG(seed: 1)
        let inp = input(own: [[0, 0], [5, 5], [1, 1]], benign: benign)
        for attack in [try MinMax(deviation: .unit), try MinSum(deviation: .unit)] as [any ModelAttack] {
            let out = try attack.craft(inp, rng: &rng)
            XCTAssertEqual(out.rows, 3)
            XCTAssertTrue(allRowsEqual(out), attack.name)
            XCTAssertTrue(attack.needsCollusion)
        }
    }

    func testStdAndSignDeviationsOnRandomDataSatisfyTheirConstraints() throws {
        let b = gaussianMatrix(rows: 8, columns: 50, seed: 7, mean: 0.3, std: 1)
        let rows = (0..<b.rows).map { b.row($0) }
        var maxPair = 0.0, minSum = Double.infinity
        for x in rows {
            maxPair = max(maxPair, rows.map { squaredDistance(x, $0) }.max() ?? 0)
            minSum = min(minSum, rows.reduce(0.0) { $0 + squaredDistance(x, $1) })
        }
        for deviation in [Deviation.std, .sign, .unit] {
            let (g1, m1) = try MinMax(deviation: deviation).search(benign: b)
            XCTAssertGreaterThan(g1, 0, "min-max \(deviation)")
            XCTAssertLessThanOrEqual(rows.map { squaredDistance(m1, $0) }.max() ?? 0, maxPair * (1 + 1e-5))
            let (g2, m2) = try MinSum(deviation: deviation).search(benign: b)
            XCTAssertGreaterThan(g2, 0, "min-sum \(deviation)")
            XCTAssertLessThanOrEqual(rows.reduce(0.0) { $0 + squaredDistance(m2, $1) }, minSum * (1 + 1e-5))
            XCTAssertGreaterThanOrEqual(g1, g2, "the max constraint is the looser one here")
        }
        XCTAssertEqual(try MinMax().deviation, .std)
        XCTAssertEqual(try MinSum().deviation, .std)
    }

    func testGammaBeyondTheFirstSearchLimitTriggersRetries() throws {
        // Benign rows far apart, tiny deviation: the accepted γ exceeds 2γ0 = 20.
        // B = {(0, -1), (0, 1)}, μ = 0, std p = (0, √2) → m = (0, −√2 γ); bound = 4:
        // max((√2γ − 1)², (√2γ + 1)²) ≤ 4 → γ = 1/√2. With γ0 = 0.1 the first search ends at ≈ 0.2,
        // and one restart from γ0 = 1 finds 0.7071.
        let b = matrix([[0, -1], [0, 1]])
        let retried = try MinMax(deviation: .std, initialGamma: 0.1).search(benign: b)
        XCTAssertEqual(retried.gamma, 0.5.squareRoot(), accuracy: 1e-4)
        let capped = try MinMax(deviation: .std, initialGamma: 0.1, maxRetries: 0).search(benign: b)
        XCTAssertEqual(capped.gamma, 0.2, accuracy: 1e-4)
    }

    func testZeroDeviationReturnsTheMean() throws {
        let (gamma, update) = try MinMax(deviation: .unit).search(benign: matrix([[1, 0], [-1, 0]]))
        XCTAssertEqual(gamma, 0)
        XCTAssertEqual(update, [0, 0])
    }

    func testErrors() throws {
        var rng = SeededRNG(seed: 1)
        XCTAssertThrowsError(try MinMax(initialGamma: 0))
        XCTAssertThrowsError(try MinSum(tolerance: -1))
        XCTAssertThrowsError(try MinMax().search(benign: matrix([[1, 2]]))) { error in
            XCTAssertEqual(error as? AttackError, .notEnoughUpdates(attack: "min-max", needed: 2, got: 1))
        }
        XCTAssertThrowsError(try MinSum().craft(input(own: [[1, 2]], benign: [[1, 2]]), rng: &rng)) { error in
            XCTAssertEqual(error as? AttackError, .notEnoughUpdates(attack: "min-sum", needed: 2, got: 1))
        }
        XCTAssertThrowsError(try MinMax().craft(input(own: [[1, 2]], benign: [[1], [2]]), rng: &rng)) { error in
            guard case .shape = error as? AttackError else { return XCTFail("\(error)") }
        }
    }
}
