import FedCore
import FedTestSupport
@testable import FedRobust
import XCTest

/// FLDetector's pieces on hand-computed cases, and the rule against a constant sign-flipper.
final class FLDetectorTests: XCTestCase {
    /// One pair s = (1, 0), y = (2, 1): σ = 2 and B = 2I − 2 ssᵀ/sᵀs + yyᵀ/yᵀs = [[2, 1], [1, 2.5]].
    func testLBFGSProductOfOnePairIsTheBFGSUpdate() throws {
        let b = try XCTUnwrap(LBFGSProduct.product(s: [[1, 0]], y: [[2, 1]], v: [1, 1]))
        assertClose(b, [3, 3.5], accuracy: 1e-6)
        XCTAssertNil(LBFGSProduct.product(s: [[0, 0]], y: [[1, 1]], v: [1, 1]), "no curvature")
    }

    /// The secant condition B s_m = y_m holds for the last pair (BFGS keeps only that one exactly).
    func testSecantConditionOfTheLastPair() throws {
        let a: [[Float]] = [[3, 1, 0], [1, 2, 0], [0, 0, 1]]
        func times(_ v: [Float]) -> [Float] { a.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } } }
        let s: [[Float]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        assertClose(try XCTUnwrap(LBFGSProduct.product(s: s, y: s.map(times), v: s[2])), times(s[2]), accuracy: 1e-5)
        let last = try XCTUnwrap(LBFGSProduct.product(s: [[1, 2, 0], [0.5, -1, 1]], y: [[2, 0, 1], [1, 1, 1]], v: [0.5, -1, 1]))
        assertClose(last, [1, 1, 1], accuracy: 1e-5)
    }

    /// [1, 1.1, 5, 5.2, 9] into 2: SSE 0.005 + 10.16 after 1.1 beats 10.4 + 7.22 and 16.4 + 0.
    func testOneDimensionalKMeansIsTheOptimum() {
        let (labels, centers) = GapStatistic.kMeans([5, 1, 9, 1.1, 5.2], k: 2)
        XCTAssertEqual(labels, [1, 0, 1, 0, 1])
        XCTAssertEqual(centers[0], 1.05, accuracy: 1e-12)
        XCTAssertEqual(centers[1], 6.4, accuracy: 1e-12)
        XCTAssertEqual(GapStatistic.kMeans([3, 1, 2], k: 5).labels, [2, 0, 1], "k capped at n")
    }

    func testGapStatisticSeesTwoGroupsOnlyWhenThereAreTwo() {
        var rng = SeededRNG(seed: 4)
        let two = (0..<16).map { 0.05 + Double($0) * 0.001 } + [0.3, 0.31, 0.305, 0.302]
        XCTAssertGreaterThan(GapStatistic.clusters(two, rng: &rng), 1)
        let spread = (0..<20).map { Double($0) / 19 }
        XCTAssertEqual(GapStatistic.clusters(spread, rng: &rng), 1)
        XCTAssertEqual(GapStatistic.clusters([2, 2, 2], rng: &rng), 1)
    }

    /// Ten clients descend a quadratic f(w) = ½ wᵀAw − bᵀw with their own noise; client 9 sends
    /// the opposite of its honest step. Within 12 rounds (window 4) FLDetector flags client 9
    /// and nobody else, and the aggregate then excludes it.
    func testFlagsAConstantSignFlipper() throws {
        let d = 6, n = 10
        var rule = try FLDetector(window: 4)
        var rng = SeededRNG(seed: 11)
        let diag: [Float] = [1, 2, 3, 1.5, 0.5, 2.5]
        let b: [Float] = [1, -1, 0.5, 2, -0.5, 1]
        var w = [Float](repeating: 0, count: d)
        var flaggedAt: Int?
        for round in 1...12 {
            var rows: [[Float]] = []
            for i in 0..<n {
                let step = (0..<d).map { j in -0.1 * (diag[j] * w[j] - b[j] + Float(0.01 * rng.nextGaussian())) }
                rows.append(i == 9 ? step.map { -$0 } : step)
            }
            var context = AggregationContext(round: round, clientIds: Array(0..<n), weights: [Double](repeating: 1, count: n),
                                             rng: SeededRNG(seed: UInt64(round)))
            context.global = w
            let r = try rule.aggregate(matrix(rows), context: context)
            if flaggedAt == nil, rule.flagged.contains(9) { flaggedAt = round }
            for j in 0..<d { w[j] += r.aggregate[j] }
        }
        XCTAssertNotNil(flaggedAt)
        XCTAssertEqual(rule.flagged, [9])
    }

    /// The state survives a checkpoint: the restored rule continues with the same bits.
    func testSavedStateRoundTrips() throws {
        var a = try FLDetector(window: 2)
        var rng = SeededRNG(seed: 3)
        func round(_ r: Int, _ rule: inout FLDetector) throws -> [Float] {
            let rows = (0..<4).map { _ in (0..<3).map { _ in Float(rng.nextGaussian()) } }
            var context = AggregationContext(round: r, clientIds: [0, 1, 2, 3], weights: [1, 1, 1, 1], rng: SeededRNG(seed: 1))
            context.global = [Float(r), 0, 1]
            return try rule.aggregate(matrix(rows), context: context).aggregate
        }
        for r in 1...4 { _ = try round(r, &a) }
        var b = try FLDetector(window: 2)
        try b.restore(XCTUnwrap(a.savedState))
        XCTAssertEqual(b.savedState, a.savedState)
        let saved = rng
        let x = try round(5, &a)
        rng = saved
        XCTAssertEqual(try round(5, &b), x)
    }
}
