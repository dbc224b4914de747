import FedCore
import FedTestSupport
import FedRobust
import XCTest

final class CoordinateMedianTests: XCTestCase {
    func testHandComputedCases() throws {
        let cases: [(rows: [[Float]], expected: [Float])] = [
            ([[0], [1], [2], [3], [4], [5], [100]], [3]),            // docs/ALGORITHMS.md 7
            ([[4], [1], [3], [2]], [2.5]),                            // even n: NumPy convention
            ([[1, -1], [2, -2], [10, -10], [3, 7]], [2.5, -1.5]),
            ([[5, 5], [5, 5], [1, 9]], [5, 5]),                       // ties
            ([[7, -3]], [7, -3]),
        ]
        for (rows, expected) in cases {
            var rule = CoordinateMedian()
            let r = try rule.aggregate(matrix(rows), context: RobustFixtures.context(rows.count))
            XCTAssertEqual(r.aggregate, expected, "\(rows)")
            XCTAssertEqual(CoordinateMedian.median(of: matrix(rows)), expected)
            XCTAssertEqual(r.decisions.map(\.weight).reduce(0, +), 1, accuracy: 1e-12)
            XCTAssertTrue(r.decisions.allSatisfy(\.selected))
        }
    }

    func testMeanIsNotRobustButMedianIs() throws {
        let m = matrix([[0], [1], [2], [3], [4], [5], [100]])
        XCTAssertEqual(try WeightedMean.aggregate(m, weights: [Double](repeating: 1, count: 7))[0], 16.4286, accuracy: 1e-4)
        var rule = CoordinateMedian()
        XCTAssertEqual(try rule.aggregate(m, context: RobustFixtures.context(7)).aggregate, [3])
    }

    /// Odd n: the median row gets 1 per coordinate; even n: each middle row 1/2.
    func testDecisionWeights() throws {
        var rule = CoordinateMedian()
        let odd = try rule.aggregate(matrix([[0, 9], [1, 8], [2, 7]]), context: RobustFixtures.context(3))
        XCTAssertEqual(odd.decisions.map(\.weight), [0, 1, 0])
        let even = try rule.aggregate(matrix([[0, 0], [1, 1], [2, 2], [3, 3]]), context: RobustFixtures.context(4))
        XCTAssertEqual(even.decisions.map(\.weight), [0, 0.5, 0.5, 0])
        // Ties: all equal, the stable ranks pick the middle row(s) by index.
        let tied = try rule.aggregate(matrix([[1], [1], [1]]), context: RobustFixtures.context(3))
        XCTAssertEqual(tied.decisions.map(\.weight), [0, 1, 0])
    }

    func testPermutationInvariance() throws {
        let m = gaussianMatrix(rows: 9, columns: 333, seed: 4)
        let perm = [3, 8, 0, 5, 1, 7, 2, 6, 4]
        XCTAssertEqual(CoordinateMedian.median(of: m), CoordinateMedian.median(of: permuted(m, perm)))
    }

    func testOutliersStayInsideHonestRange() throws {
        for (honest, bad) in [(7, 3), (10, 9), (16, 4)] {
            let m = RobustFixtures.honestPlusOutliers(honest: honest, bad: bad, d: 200, seed: 11)
            var rule = CoordinateMedian()
            let agg = try rule.aggregate(m, context: RobustFixtures.context(m.rows)).aggregate
            XCTAssertEqual(RobustFixtures.distanceToHonestBox(agg, m, honest: honest), 0)
            let mean = try WeightedMean.aggregate(m, weights: [Double](repeating: 1, count: m.rows))
            XCTAssertGreaterThan(RobustFixtures.distanceToHonestBox(mean, m, honest: honest), 1e4)
        }
    }

    func testCheck() {
        XCTAssertThrowsError(try CoordinateMedian().check(n: 0)) {
            XCTAssertEqual("\($0)", "median needs at least 1 updates; got 0")
        }
        XCTAssertNoThrow(try CoordinateMedian().check(n: 1))
    }
}
