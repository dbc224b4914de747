import FedCore
import FedTestSupport
import FedRobust
import XCTest

final class KrumTests: XCTestCase {
    private let square = matrix([[0, 0], [1, 0], [0, 1], [1, 1], [10, 10]])

    func testSectionSevenScoresAndChoice() throws {
        XCTAssertEqual(Krum.scores(distances: PairwiseDistances(square), f: 1), [2, 2, 2, 2, 343])
        var krum = try Krum(f: .fixed(1))
        let r = try krum.aggregate(square, context: RobustFixtures.context(5))
        XCTAssertEqual(r.aggregate, [0, 0])
        XCTAssertTrue(r.applied)
        XCTAssertEqual(r.decisions.map(\.selected), [true, false, false, false, false])
        XCTAssertEqual(r.decisions.map(\.weight), [1, 0, 0, 0, 0])
        XCTAssertEqual(r.decisions.map(\.score), [2, 2, 2, 2, 343])
        XCTAssertEqual(r.figures, ["f_used": 1])
    }

    /// n = 7, f = 2: every score sums exactly n − f − 2 = 3 squared distances to other points.
    func testEachScoreSumsExactlyThreeSquaredDistances() {
        let m = matrix([[0], [1], [3], [7], [15], [31], [63]])
        // 0: 1+9+49; 1: 1+4+36; 3: 4+9+16; 7: 16+36+49; 15: 64+144+196; 31: 256+576+784; 63: 1024+2304+3136.
        XCTAssertEqual(Krum.scores(distances: PairwiseDistances(m), f: 2), [59, 41, 29, 101, 404, 1616, 6464])
    }

    func testTiesGoToTheSmallestIndex() throws {
        var krum = try Krum(f: .fixed(1))
        let m = matrix([[5, 5], [1, 1], [1, 1], [1, 1], [1, 1]])
        let r = try krum.aggregate(m, context: RobustFixtures.context(5))
        XCTAssertEqual(r.decisions.map(\.selected), [false, true, false, false, false])
    }

    func testPreconditionsCarryTheNumbers() throws {
        let krum = try Krum(f: .fixed(3))
        XCTAssertThrowsError(try krum.check(n: 8)) { error in
            XCTAssertEqual("\(error)", "krum needs n > 2f + 2; got n = 8, f = 3")
        }
        XCTAssertNoThrow(try krum.check(n: 9))
        var k = krum
        XCTAssertThrowsError(try k.aggregate(gaussianMatrix(rows: 8, columns: 3, seed: 1),
                                             context: RobustFixtures.context(8))) { error in
            XCTAssertEqual(error as? AggregatorError, .precondition(rule: "krum", requirement: "n > 2f + 2", n: 8, f: 3))
        }
        XCTAssertThrowsError(try Krum(f: .fixed(-1))) { error in
            XCTAssertEqual("\(error)", "krum: f must be >= 0; got -1")
        }
        XCTAssertThrowsError(try Krum(f: .auto).check(n: 2)) { error in
            XCTAssertEqual("\(error)", "krum needs n > 2f + 2; got n = 2, f = 0")
        }
        XCTAssertEqual(Krum.fMax(n: 7), 2)
        XCTAssertEqual(Krum.fMax(n: 2), -1)
    }

    /// Section 9's 2-D example: f̂ = 2 = f_max(7); the centre (0.5, 0.5) scores 1.5.
    func testAutoEstimatesF() throws {
        let m = matrix([[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5], [10, 10], [10, 11]])
        var krum = try Krum(f: .auto)
        let r = try krum.aggregate(m, context: RobustFixtures.context(7))
        XCTAssertEqual(r.aggregate, [0.5, 0.5])
        XCTAssertEqual(r.figures, ["f_used": 2, "f_estimate": 2])
        XCTAssertEqual(r.decisions[4].score ?? -1, 1.5, accuracy: 1e-9)
    }

    func testPermutationInvariance() throws {
        let m = gaussianMatrix(rows: 12, columns: 37, seed: 11)
        var krum = try Krum(f: .fixed(3))
        let base = try krum.aggregate(m, context: RobustFixtures.context(12)).aggregate
        var rng = SeededRNG(seed: 5)
        for _ in 0..<5 {
            var perm = Array(0..<12)
            rng.shuffle(&perm)
            let r = try krum.aggregate(permuted(m, perm), context: RobustFixtures.context(12))
            XCTAssertEqual(r.aggregate, base)
        }
    }

    func testHugeOutliersDoNotMoveKrum() throws {
        let m = RobustFixtures.clusterWithOutliers(honest: 8, outliers: 3, d: 20, seed: 2)
        var krum = try Krum(f: .fixed(3))
        let r = try krum.aggregate(m, context: RobustFixtures.context(11))
        let center = (0..<20).map { Float($0 % 3) }
        XCTAssertLessThan(maxAbsDiff(r.aggregate, center), 0.5)
        XCTAssertTrue(r.decisions[8...].allSatisfy { !$0.selected })
        let mean = try WeightedMean.aggregate(m, weights: [Double](repeating: 1, count: 11))
        XCTAssertGreaterThan(maxAbsDiff(mean, center), 1e5)
    }
}
