import FedCore
import FedTestSupport
@testable import FedRobust
import XCTest

/// SignGuard (Xu et al., ICDCS 2022) on hand-computed cases.
final class SignGuardTests: XCTestCase {
    func testHandComputedCases() throws {
        // (updates, expected aggregate, kept rows, clipped rows)
        let table: [([[Float]], [Float], [Int], [Int], UInt)] = [
            // Same norms (2); the fifth has the opposite signs: statistics (1, 0, 0) x 4 and
            // (0, 0, 1); bandwidth √2 / 5; two modes, the first holds four.
            ([[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [-1, -1, -1, -1]], [1, 1, 1, 1], [0, 1, 2, 3], [], #line),
            // Same signs; norms 1, 1, 1, 1, 10: median 1, the last is 10 > 3 times it.
            ([[1, 0], [0, 1], [1, 0], [0, 1], [10, 0]], [0.5, 0.5], [0, 1, 2, 3], [], #line),
            // Norms 1, 1, 2, 1, 1: the third (ratio 2) is kept and clipped to the median norm 1.
            ([[1, 0], [1, 0], [2, 0], [1, 0], [1, 0]], [1, 0], [0, 1, 2, 3, 4], [2], #line),
            // A tiny update (ratio 0.05 < 0.1) is dropped too.
            ([[1, 0], [1, 0], [0.05, 0], [1, 0], [1, 0]], [1, 0], [0, 1, 3, 4], [], #line),
        ]
        for (rows, expected, kept, clipped, line) in table {
            var rule = try SignGuard(coordinates: 1)
            let r = try rule.aggregate(matrix(rows), context: RobustFixtures.context(rows.count))
            assertClose(r.aggregate, expected, accuracy: 1e-6)
            XCTAssertEqual(r.decisions.enumerated().filter { $0.element.selected }.map(\.offset), kept, line: line)
            XCTAssertEqual(r.decisions.enumerated().filter { $0.element.clipped }.map(\.offset), clipped, line: line)
            XCTAssertEqual(r.decisions.map(\.weight).reduce(0, +), 1, accuracy: 1e-12, line: line)
            XCTAssertEqual(r.figures["kept"], Double(kept.count), line: line)
        }
    }

    func testBandwidthAndClusters() {
        let points: [[Double]] = [[0, 0], [0, 0], [0.1, 0], [5, 5], [5, 5.1]]
        // k = max(2, ⌊1.5⌋) = 2: distances to the nearest other point 0, 0, 0.1, 0.1, 0.1.
        XCTAssertEqual(MeanShift.estimateBandwidth(points, quantile: 0.3), 0.06, accuracy: 1e-12)
        XCTAssertEqual(MeanShift.cluster(points, bandwidth: 1), [0, 0, 0, 1, 1])
        XCTAssertEqual(MeanShift.cluster(points, bandwidth: 0), [0, 0, 0, 0, 0])
        XCTAssertEqual(MeanShift.cluster(points, bandwidth: 100), [0, 0, 0, 0, 0])
    }

    func testSignFlippersAreFilteredOnASample() throws {
        var rng = SeededRNG(seed: 5)
        let honest: [[Float]] = (0..<8).map { _ in (0..<1000).map { _ in Float(rng.nextGaussian() * 0.1 + 0.05) } }
        let rows = honest + honest.prefix(2).map { $0.map { -$0 } }
        var rule = try SignGuard()
        let r = try rule.aggregate(matrix(rows), context: RobustFixtures.context(10, seed: 2))
        XCTAssertEqual(r.decisions.map(\.selected), [Bool](repeating: true, count: 8) + [false, false])
        let again = try rule.aggregate(matrix(rows), context: RobustFixtures.context(10, seed: 2))
        XCTAssertEqual(r.aggregate, again.aggregate)
    }

    func testParameters() {
        XCTAssertThrowsError(try SignGuard(lower: 2, upper: 1)) {
            XCTAssertEqual("\($0)", "signguard: norm bounds must satisfy 0 <= lower < upper; got 2.0 and 1.0")
        }
        XCTAssertThrowsError(try SignGuard(coordinates: 0)) {
            XCTAssertEqual("\($0)", "signguard: coordinates must be in (0, 1]; got 0.0")
        }
    }
}
