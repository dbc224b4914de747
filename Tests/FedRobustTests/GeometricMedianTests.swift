import FedCore
import FedTestSupport
import FedRobust
import XCTest

final class GeometricMedianTests: XCTestCase {
    let points = matrix([[0, 0], [1, 0], [0, 1], [1, 1], [10, 10]])

    /// docs/ALGORITHMS.md 7 (ν = 1e-5).
    func testHandCheckedIterates() throws {
        let cases: [(start: GeometricMedian.Start, t: Int, tol: Double, expected: Float, iterations: Double)] = [
            (.weightedMean, 3, 1e-6, 0.8896, 3),
            (.weightedMean, 100, 0, 0.78868, 100),   // converged (no early stop)
            (.zero, 3, 1e-6, 0.00028, 3),            // the zero start sits on a data point
        ]
        for c in cases {
            var rule = try GeometricMedian(maxIterations: c.t, start: c.start, tolerance: c.tol)
            let r = try rule.aggregate(points, context: RobustFixtures.context(5))
            assertClose(r.aggregate, [c.expected, c.expected], accuracy: 1e-4, "\(c)")
            XCTAssertEqual(r.figures["iterations"], c.iterations)
            XCTAssertEqual(r.decisions.map(\.weight).reduce(0, +), 1, accuracy: 1e-12)
        }
    }

    func testEarlyStopAndDecisions() throws {
        var rule = try GeometricMedian(maxIterations: 100)
        let r = try rule.aggregate(points, context: RobustFixtures.context(5))
        // Relative objective decrease < 1e-6 stops it well before 100 iterations.
        XCTAssertLessThan(r.figures["iterations"] ?? 100, 30)
        // The aggregate is the β-weighted mean of the rows.
        let w = r.decisions.map(\.weight)
        for k in 0..<2 {
            let s = (0..<5).reduce(0.0) { $0 + w[$1] * Double(points.values[$1 * 2 + k]) }
            XCTAssertEqual(Double(r.aggregate[k]), s, accuracy: 1e-6)
        }
        XCTAssertLessThan(w[4], 0.02)   // the far point has the smallest weight
        var zero = try GeometricMedian(maxIterations: 0)
        assertClose(try zero.aggregate(points, context: RobustFixtures.context(5)).aggregate, [2.4, 2.4], accuracy: 1e-6)
    }

    func testClientWeights() throws {
        var rule = try GeometricMedian(maxIterations: 50, tolerance: 0)
        let m = matrix([[0], [1], [2]])
        // Weighted geometric median in 1-D is the weighted median: mass 3 of 5 at 0.
        let r = try rule.aggregate(m, context: RobustFixtures.context(3, weights: [3, 1, 1]))
        XCTAssertEqual(r.aggregate[0], 0, accuracy: 1e-3)
        XCTAssertThrowsError(try rule.aggregate(m, context: RobustFixtures.context(3, weights: [1, 1])))
    }

    func testPermutationInvariance() throws {
        let m = gaussianMatrix(rows: 8, columns: 100, seed: 21)
        var rule = try GeometricMedian()
        let a = try rule.aggregate(m, context: RobustFixtures.context(8)).aggregate
        let b = try rule.aggregate(permuted(m, [7, 6, 5, 4, 3, 2, 1, 0]), context: RobustFixtures.context(8)).aggregate
        assertClose(a, b, accuracy: 1e-5)
    }

    func testOutliers() throws {
        let m = RobustFixtures.honestPlusOutliers(honest: 16, bad: 4, d: 50, seed: 2)
        // RFA's default T = 4 from the mean is not enough when outliers sit 1e6 away (each
        // iteration shrinks their pull by roughly their distance ratio): with T = 4 the norm is
        // still ≈ 7e3. Run to convergence (10 iterations here) for the robustness property.
        var rule = try GeometricMedian(maxIterations: 50)
        let r = try rule.aggregate(m, context: RobustFixtures.context(20))
        let agg = r.aggregate
        // ||agg|| stays at the honest scale (honest rows have norm ≈ √50 ≈ 7).
        XCTAssertLessThan(agg.map { Double($0 * $0) }.reduce(0, +).squareRoot(), 5)
    }

    func testParameters() {
        XCTAssertThrowsError(try GeometricMedian(nu: 0))
        XCTAssertThrowsError(try GeometricMedian(maxIterations: -1))
        XCTAssertThrowsError(try GeometricMedian().check(n: 0))
    }
}
