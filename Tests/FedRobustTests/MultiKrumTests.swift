import FedCore
import FedTestSupport
import FedRobust
import XCTest

final class MultiKrumTests: XCTestCase {
    private let square = matrix([[0, 0], [1, 0], [0, 1], [1, 1], [10, 10]])

    func testSectionSevenAverageOfFourLowest() throws {
        for m in [MultiKrum.Count.nMinusF, .count(4)] {
            var rule = try MultiKrum(f: .fixed(1), m: m)
            let r = try rule.aggregate(square, context: RobustFixtures.context(5))
            XCTAssertEqual(r.aggregate, [0.5, 0.5])
            XCTAssertEqual(r.decisions.map(\.selected), [true, true, true, true, false])
            XCTAssertEqual(r.decisions.map(\.weight), [0.25, 0.25, 0.25, 0.25, 0])
            XCTAssertEqual(r.decisions.map(\.score), [2, 2, 2, 2, 343])
            XCTAssertEqual(r.figures, ["f_used": 1])
        }
        XCTAssertEqual(try MultiKrum(f: .fixed(1)).name, "multi-krum")
    }

    func testCountOneIsKrum() throws {
        let m = gaussianMatrix(rows: 9, columns: 15, seed: 21)
        var multi = try MultiKrum(f: .fixed(2), m: .count(1))
        var krum = try Krum(f: .fixed(2))
        let ctx = RobustFixtures.context(9)
        XCTAssertEqual(try multi.aggregate(m, context: ctx).aggregate, try krum.aggregate(m, context: ctx).aggregate)
    }

    func testBadParameters() throws {
        XCTAssertThrowsError(try MultiKrum(f: .fixed(1), m: .count(0))) { error in
            XCTAssertEqual("\(error)", "multi-krum: m must be >= 1; got 0")
        }
        XCTAssertThrowsError(try MultiKrum(f: .fixed(1), m: .count(6)).check(n: 5)) { error in
            XCTAssertEqual("\(error)", "multi-krum: m must be in 1...5 for n = 5; got 6")
        }
        XCTAssertThrowsError(try MultiKrum(f: .fixed(3)).check(n: 8)) { error in
            XCTAssertEqual("\(error)", "multi-krum needs n > 2f + 2; got n = 8, f = 3")
        }
    }

    func testPermutationInvariance() throws {
        let m = gaussianMatrix(rows: 15, columns: 41, seed: 12)
        var rule = try MultiKrum(f: .fixed(4))
        let base = try rule.aggregate(m, context: RobustFixtures.context(15)).aggregate
        var rng = SeededRNG(seed: 6)
        for _ in 0..<5 {
            var perm = Array(0..<15)
            rng.shuffle(&perm)
            let r = try rule.aggregate(permuted(m, perm), context: RobustFixtures.context(15))
            XCTAssertLessThan(maxAbsDiff(r.aggregate, base), 1e-5)
        }
    }

    func testHugeOutliersAreExcluded() throws {
        let m = RobustFixtures.clusterWithOutliers(honest: 10, outliers: 3, d: 20, seed: 3)
        var rule = try MultiKrum(f: .auto)
        let r = try rule.aggregate(m, context: RobustFixtures.context(13))
        let center = (0..<20).map { Float($0 % 3) }
        XCTAssertLessThan(maxAbsDiff(r.aggregate, center), 0.2)
        XCTAssertTrue(r.decisions[10...].allSatisfy { !$0.selected })
        XCTAssertEqual(r.figures["f_estimate"], 3)
        XCTAssertEqual(r.figures["f_used"], 3)
    }
}
