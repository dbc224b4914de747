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

/// The conventions norm bounding and the geometric median differ on: a fixed or a median
/// bound, sample-weighted or uniform averaging.
final class NormBoundingConventionTests: XCTestCase {
    /// Norms 1, 2, 3, 10 (rows along axes), weights 1, 1, 1, 5: the median bound is 2.5.
    private let m = matrix([[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0], [0, 0, 0, 10]])
    private let weights: [Double] = [1, 1, 1, 5]

    func testMedianBoundHandComputed() throws {
        var uniform = try NormBounding(bound: .median, weighting: .uniform)
        let u = try uniform.aggregate(m, context: RobustFixtures.context(4, weights: weights))
        // (1, 2, 3·2.5/3, 10·2.5/10) / 4
        assertClose(u.aggregate, [0.25, 0.5, 0.625, 0.625], accuracy: 1e-6)
        XCTAssertEqual(u.decisions.map(\.clipped), [false, false, true, true])
        XCTAssertEqual(u.decisions.map(\.weight), [0.25, 0.25, 0.25, 0.25])
        XCTAssertEqual(u.figures["norm_bound"], 2.5)
        XCTAssertEqual(u.figures["clipped_fraction"], 0.5)
        // Odd n: the middle norm (2 of 1, 2, 10).
        var odd = try NormBounding(bound: .median, weighting: .uniform)
        XCTAssertEqual(try odd.aggregate(matrix([[1, 0], [0, 2], [10, 0]]), context: RobustFixtures.context(3)).figures["norm_bound"], 2)
    }

    func testSampleWeightedAgainstUniform() throws {
        var weighted = try NormBounding(maxNorm: 2.5)
        let w = try weighted.aggregate(m, context: RobustFixtures.context(4, weights: weights))
        // α = (1, 1, 1, 5)/8: (1/8, 2/8, 2.5/8, 2.5·5/8)
        assertClose(w.aggregate, [0.125, 0.25, 0.3125, 1.5625], accuracy: 1e-6)
        XCTAssertEqual(w.figures["norm_bound"], 2.5)
        var uniform = try NormBounding(maxNorm: 2.5, weighting: .uniform)
        assertClose(try uniform.aggregate(m, context: RobustFixtures.context(4, weights: weights)).aggregate,
                    [0.25, 0.5, 0.625, 0.625], accuracy: 1e-6)
        // The default stays the sample-weighted fixed bound (existing results unchanged).
        let d = try NormBounding.descriptor.make(NormBounding.descriptor.defaults)
        XCTAssertEqual((d as? NormBounding)?.bound, .fixed(3))
        XCTAssertEqual((d as? NormBounding)?.weighting, .samples)
    }

    /// Geometric median of 0, 0, 10 (1-d) with weights 1, 1, 8: uniform weights give the
    /// point 0 (two of three), sample weights 10 (8 of 10 of the weight). Weiszfeld converges
    /// to within ν of the point.
    func testGeometricMedianWeighting() throws {
        let x = matrix([[0], [0], [10]])
        let context = RobustFixtures.context(3, weights: [1, 1, 8])
        var uniform = try GeometricMedian(maxIterations: 200, tolerance: 0, weighting: .uniform)
        XCTAssertEqual(Double(try uniform.aggregate(x, context: context).aggregate[0]), 0, accuracy: 1e-3)
        var weighted = try GeometricMedian(maxIterations: 200, tolerance: 0)
        XCTAssertEqual(Double(try weighted.aggregate(x, context: context).aggregate[0]), 10, accuracy: 1e-3)
        let d = try GeometricMedian.descriptor.make(GeometricMedian.descriptor.defaults)
        XCTAssertEqual((d as? GeometricMedian)?.weighting, .samples)
    }
}
