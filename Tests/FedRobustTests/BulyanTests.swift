import FedCore
import FedTestSupport
import FedRobust
import XCTest

final class BulyanTests: XCTestCase {
    private let line = matrix([[0], [1], [2], [3], [4], [5], [100]])

    /// Section 7: θ = 5, β = 3; selection 2, 3, 1, 4, 0; median 2, keep {2, 1, 3} → 2.
    func testSectionSevenOneDimensional() throws {
        XCTAssertEqual(Bulyan.selection(distances: PairwiseDistances(line), f: 1), [2, 3, 1, 4, 0])
        var bulyan = try Bulyan(f: .fixed(1))
        let r = try bulyan.aggregate(line, context: RobustFixtures.context(7))
        XCTAssertEqual(r.aggregate, [2])
        XCTAssertEqual(r.decisions.map(\.selected), [true, true, true, true, true, false, false])
        XCTAssertEqual(r.decisions.map(\.score), [5, 3, 1, 2, 4, nil, nil])
        XCTAssertEqual(r.decisions.map(\.weight), [0.2, 0.2, 0.2, 0.2, 0.2, 0, 0])
        XCTAssertEqual(r.figures, ["f_used": 1])
    }

    func testAutoFindsTheOutlier() throws {
        var bulyan = try Bulyan(f: .auto)
        let r = try bulyan.aggregate(line, context: RobustFixtures.context(7))
        XCTAssertEqual(r.aggregate, [2])
        XCTAssertEqual(r.figures, ["f_used": 1, "f_estimate": 1])
    }

    func testPreconditionsCarryTheNumbers() throws {
        XCTAssertThrowsError(try Bulyan(f: .fixed(2)).check(n: 10)) { error in
            XCTAssertEqual("\(error)", "bulyan needs n >= 4f + 3; got n = 10, f = 2")
        }
        XCTAssertNoThrow(try Bulyan(f: .fixed(2)).check(n: 11))
        XCTAssertThrowsError(try Bulyan(f: .auto).check(n: 2)) { error in
            XCTAssertEqual("\(error)", "bulyan needs n >= 4f + 3; got n = 2, f = 0")
        }
        var b = try Bulyan(f: .fixed(2))
        XCTAssertThrowsError(try b.aggregate(gaussianMatrix(rows: 10, columns: 2, seed: 1),
                                             context: RobustFixtures.context(10))) { error in
            XCTAssertEqual(error as? AggregatorError, .precondition(rule: "bulyan", requirement: "n >= 4f + 3", n: 10, f: 2))
        }
        XCTAssertEqual(Bulyan.fMax(n: 11), 2)
    }

    /// The column kernel (blocked transpose + two selections) against a per-coordinate sort
    /// by (distance to the median, position), on odd and even θ, with many ties (small
    /// integers) and without, and d not a multiple of the block width.
    func testCoordinateStageMatchesSortingReference() {
        var rng = SeededRNG(seed: 9)
        for (theta, beta, d, integers) in [(5, 3, 7, true), (8, 4, 1_031, true), (8, 2, 300, false),
                                           (23, 7, 4_099, true), (40, 40, 50, false), (64, 12, 2_000, false),
                                           (1, 1, 3, false), (2, 1, 9, true), (70, 30, 300, true),
                                           (81, 9, 200, false), (66, 2, 100, true)] {
            let n = theta + 3
            let values: [Float] = (0..<(n * d)).map { _ in
                integers ? Float(rng.nextInt(below: 5)) : Float(rng.nextGaussian())
            }
            let m = UpdateMatrix(rows: n, columns: d, values: values)
            var rows = Array(0..<n)
            rng.shuffle(&rows)
            rows = Array(rows.prefix(theta))
            let got = Bulyan.trimmedAroundMedian(m, rows: rows, keep: beta)
            for c in 0..<d {
                let v = rows.map { Double(values[$0 * d + c]) }
                let s = v.sorted()
                let med = theta % 2 == 1 ? s[theta / 2] : (s[theta / 2 - 1] + s[theta / 2]) / 2
                let kept = v.indices.sorted { a, b in
                    (abs(v[a] - med), a) < (abs(v[b] - med), b)
                }.prefix(beta)
                let expected = kept.reduce(0) { $0 + v[$1] } / Double(beta)
                XCTAssertEqual(Double(got[c]), expected, accuracy: 1e-5, "θ = \(theta), β = \(beta), column \(c)")
            }
        }
    }

    func testPermutationInvariance() throws {
        let m = gaussianMatrix(rows: 15, columns: 53, seed: 13)
        var rule = try Bulyan(f: .fixed(3))
        let base = try rule.aggregate(m, context: RobustFixtures.context(15)).aggregate
        var rng = SeededRNG(seed: 8)
        for _ in 0..<5 {
            var perm = Array(0..<15)
            rng.shuffle(&perm)
            let r = try rule.aggregate(permuted(m, perm), context: RobustFixtures.context(15))
            XCTAssertLessThan(maxAbsDiff(r.aggregate, base), 1e-5)
        }
    }

    func testHugeOutliersDoNotMoveBulyan() throws {
        let m = RobustFixtures.clusterWithOutliers(honest: 12, outliers: 3, d: 30, seed: 4)
        var rule = try Bulyan(f: .fixed(3))
        let r = try rule.aggregate(m, context: RobustFixtures.context(15))
        let center = (0..<30).map { Float($0 % 3) }
        XCTAssertLessThan(maxAbsDiff(r.aggregate, center), 0.3)
        // Identical colluders can win the last selections (neighbour count |R| − f − 2 < f at
        // the end, and they are at distance 0 from each other); the coordinate trimming then
        // discards them. At most f of them are ever selected.
        XCTAssertLessThanOrEqual(r.decisions[12...].filter(\.selected).count, 3)
        let mean = try WeightedMean.aggregate(m, weights: [Double](repeating: 1, count: 15))
        XCTAssertGreaterThan(maxAbsDiff(mean, center), 1e5)
    }
}
