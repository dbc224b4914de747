import FedCore
import FedTestSupport
import FedRobust
import XCTest

final class NormBoundingTests: XCTestCase {
    func testClipsAndWeights() throws {
        var rule = try NormBounding(maxNorm: 1)
        let r = try rule.aggregate(matrix([[3, 4], [0, 0.5]]), context: RobustFixtures.context(2, weights: [1, 3]))
        // (0.6, 0.8)·1/4 + (0, 0.5)·3/4
        assertClose(r.aggregate, [0.15, 0.2 + 0.375], accuracy: 1e-6)
        XCTAssertEqual(r.decisions.map(\.clipped), [true, false])
        XCTAssertEqual(r.decisions.map(\.weight), [0.25, 0.75])
        XCTAssertEqual(r.figures["clipped_fraction"], 0.5)
    }

    func testNoiseIsSeeded() throws {
        var rule = try NormBounding(maxNorm: 3, noiseStd: 0.002)
        let m = matrix([[1, 1, 1], [1, 1, 1]])
        let a = try rule.aggregate(m, context: RobustFixtures.context(2, seed: 9)).aggregate
        let b = try rule.aggregate(m, context: RobustFixtures.context(2, seed: 9)).aggregate
        let c = try rule.aggregate(m, context: RobustFixtures.context(2, seed: 10)).aggregate
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        assertClose(a, [1, 1, 1], accuracy: 0.02)
    }

    func testOutliersBounded() throws {
        let m = RobustFixtures.honestPlusOutliers(honest: 16, bad: 4, d: 50, seed: 6)
        var rule = try NormBounding()
        let agg = try rule.aggregate(m, context: RobustFixtures.context(20)).aggregate
        // Each update contributes at most M/n·n = M in norm.
        XCTAssertLessThanOrEqual(agg.map { Double($0 * $0) }.reduce(0, +).squareRoot(), 3 + 1e-5)
    }

    func testStaticClippingAndMean() throws {
        var m = matrix([[3, 4], [0, 1]])
        let clipped = try StaticClipping().apply(&m)
        XCTAssertEqual(clipped, [true, false])
        assertClose(m.row(0), [1.2, 1.6], accuracy: 1e-6)
        XCTAssertEqual(m.row(1), [0, 1])
        XCTAssertThrowsError(try StaticClipping(norm: 0))

        var mean = Mean()
        let r = try mean.aggregate(matrix([[0], [1], [2], [3], [4], [5], [100]]), context: RobustFixtures.context(7))
        XCTAssertEqual(r.aggregate[0], 16.4286, accuracy: 1e-4)
        XCTAssertEqual(mean.name, "fedavg")
        let w = try mean.aggregate(matrix([[0], [4]]), context: RobustFixtures.context(2, weights: [3, 1]))
        XCTAssertEqual(w.aggregate, [1])
        XCTAssertEqual(w.decisions.map(\.weight), [0.75, 0.25])
        var uniform = Mean(weighting: .uniform)
        XCTAssertEqual(try uniform.aggregate(matrix([[0], [4]]), context: RobustFixtures.context(2, weights: [3, 1])).aggregate, [2])
        XCTAssertThrowsError(try NormBounding(maxNorm: -1))
        XCTAssertThrowsError(try NormBounding(noiseStd: -1))
    }
}
