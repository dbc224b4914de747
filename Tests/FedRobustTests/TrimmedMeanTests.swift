import FedCore
import FedTestSupport
import FedRobust
import XCTest

final class TrimmedMeanTests: XCTestCase {
    func testHandComputedCases() throws {
        let cases: [(trim: TrimmedMean.Trim, rows: [[Float]], expected: [Float])] = [
            (.count(1), [[0], [1], [2], [3], [4], [5], [100]], [3]),     // docs/ALGORITHMS.md 7
            (.count(0), [[0], [1], [2], [3], [4], [5], [100]], [115.0 / 7]),
            (.count(1), [[1, 9], [100, 8], [2, -50], [3, 7]], [2.5, 7.5]), // per coordinate
            (.fraction(0.25), [[4], [1], [3], [2]], [2.5]),              // b = ⌊0.25·4⌋ = 1
            (.fraction(0.1), [[4], [1], [3], [2]], [2.5]),               // b = 0
            (.count(2), [[1], [1], [1], [1], [5]], [1]),                  // ties
        ]
        for (trim, rows, expected) in cases {
            var rule = try TrimmedMean(trim)
            let r = try rule.aggregate(matrix(rows), context: RobustFixtures.context(rows.count))
            assertClose(r.aggregate, expected, accuracy: 1e-6, "\(trim) \(rows)")
            XCTAssertEqual(r.decisions.map(\.weight).reduce(0, +), 1, accuracy: 1e-12)
        }
    }

    /// Different clients are trimmed in different coordinates (docs/ALGORITHMS.md 2.3 pitfall).
    func testTrimsPerCoordinateAndWeights() throws {
        var rule = try TrimmedMean(.count(1))
        let r = try rule.aggregate(matrix([[0, 3], [1, 2], [2, 1], [3, 0]]), context: RobustFixtures.context(4))
        XCTAssertEqual(r.aggregate, [1.5, 1.5])
        // Rows 1 and 2 kept in both coordinates; rows 0 and 3 trimmed in both.
        XCTAssertEqual(r.decisions.map(\.weight), [0, 0.5, 0.5, 0])
        XCTAssertEqual(r.decisions.map(\.selected), [false, true, true, false])
        let s = try rule.aggregate(matrix([[0, 9], [1, 0], [2, 1], [3, 2]]), context: RobustFixtures.context(4))
        XCTAssertEqual(s.aggregate, [1.5, 1.5])
        XCTAssertEqual(s.decisions.map(\.weight), [0, 0.25, 0.5, 0.25])
        XCTAssertEqual(s.decisions.map(\.selected), [false, true, true, true])
    }

    func testPreconditionsCarryTheNumbers() throws {
        XCTAssertThrowsError(try TrimmedMean(.count(2)).check(n: 4)) {
            XCTAssertEqual($0 as? AggregatorError, .precondition(rule: "trimmed-mean", requirement: "n > 2b", n: 4, f: 2))
            XCTAssertEqual("\($0)", "trimmed-mean needs n > 2b; got n = 4, f = 2")
        }
        XCTAssertNoThrow(try TrimmedMean(.count(2)).check(n: 5))
        var rule = try TrimmedMean(.count(3))
        XCTAssertThrowsError(try rule.aggregate(matrix([[1], [2], [3], [4], [5], [6]]), context: RobustFixtures.context(6)))
        XCTAssertThrowsError(try TrimmedMean(.fraction(0.5))) {
            XCTAssertEqual("\($0)", "trimmed-mean: beta must be in [0, 0.5); got 0.5")
        }
        XCTAssertThrowsError(try TrimmedMean(.fraction(-0.1)))
        XCTAssertThrowsError(try TrimmedMean(.count(-1)))
        XCTAssertThrowsError(try TrimmedMean().check(n: 0))
    }

    func testPermutationInvariance() throws {
        let m = gaussianMatrix(rows: 12, columns: 257, seed: 8)
        var rule = try TrimmedMean(.count(3))
        let a = try rule.aggregate(m, context: RobustFixtures.context(12)).aggregate
        let b = try rule.aggregate(permuted(m, [11, 0, 10, 1, 9, 2, 8, 3, 7, 4, 6, 5]), context: RobustFixtures.context(12)).aggregate
        XCTAssertEqual(a, b)
    }

    func testOutliersTrimmed() throws {
        for (honest, bad) in [(7, 3), (16, 4), (11, 9)] {
            let m = RobustFixtures.honestPlusOutliers(honest: honest, bad: bad, d: 200, seed: 12)
            var rule = try TrimmedMean(.count(bad))
            let r = try rule.aggregate(m, context: RobustFixtures.context(m.rows))
            XCTAssertEqual(RobustFixtures.distanceToHonestBox(r.aggregate, m, honest: honest), 0)
            // The outliers are the b largest everywhere: trimmed in every coordinate.
            XCTAssertTrue(r.decisions[honest...].allSatisfy { !$0.selected && $0.weight == 0 })
        }
    }

    /// `.auto`: f estimated each round (docs/ALGORITHMS.md 9), recorded in the figures.
    func testAutoUsesTheEstimator() throws {
        var rule = try TrimmedMean(.auto)
        let r = try rule.aggregate(matrix([[0], [1], [2], [3], [4], [5], [100]]), context: RobustFixtures.context(7))
        XCTAssertEqual(r.figures["f_estimate"], 1)
        XCTAssertEqual(r.figures["f_used"], 1)
        XCTAssertEqual(r.aggregate, [3])
        let m = RobustFixtures.honestPlusOutliers(honest: 16, bad: 4, d: 50, seed: 3)
        let s = try rule.aggregate(m, context: RobustFixtures.context(20))
        XCTAssertEqual(s.figures["f_estimate"], 4)
        XCTAssertEqual(s.figures["f_used"], 4)
        XCTAssertEqual(RobustFixtures.distanceToHonestBox(s.aggregate, m, honest: 16), 0)
        XCTAssertNoThrow(try rule.check(n: 1))
    }
}
