import FedCore
import FedTestSupport
import FedRobust
import XCTest

/// docs/ALGORITHMS.md section 9 checks.
final class FEstimatorTests: XCTestCase {
    func testOneDimensional() throws {
        let e = try FEstimator.estimate(matrix([[0], [1], [2], [3], [4], [5], [100]]), fMax: 3)
        XCTAssertEqual(e.fHat, 1)
        XCTAssertEqual(e.flagged, [6])
        XCTAssertEqual(e.scores[6], 64.0775, accuracy: 1e-4)
        XCTAssertTrue(e.scores[..<6].allSatisfy { $0 <= 0.6745 + 1e-12 })
        XCTAssertEqual(e.fUsed, 1)
    }

    func testTwoDimensional() throws {
        let m = matrix([[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5], [10, 10], [10, 11]])
        let e = try FEstimator.estimate(m, fMax: 2)   // f_max of Krum for n = 7
        XCTAssertEqual(e.fHat, 2)
        XCTAssertEqual(e.flagged, [5, 6])
        XCTAssertEqual(e.scores[5], 19.0976, accuracy: 1e-4)
        XCTAssertEqual(e.scores[6], 20.2793, accuracy: 1e-4)
        XCTAssertTrue(e.scores[..<5].allSatisfy { $0 <= 0.6745 + 1e-6 })
        XCTAssertEqual(e.fUsed, 2)
    }

    func testInDistributionAttackersAreNotFlagged() throws {
        let e = try FEstimator.estimate(matrix([[1], [2], [3], [4], [5], [3.2], [3.2]]), fMax: 3)
        XCTAssertEqual(e.fHat, 0)
        XCTAssertEqual(e.fUsed, 0)   // floor ⌊0.1 · 7⌋ = 0
    }

    /// MAD = 0 (more than half the distances coincide): every vector off the median distance
    /// is flagged (MAD_eff = max(0, 1e-6 · med, 1e-12)).
    func testZeroMAD() throws {
        let m = matrix([[1, 1], [1, 1], [1, 1], [1, 1], [1.001, 1], [5, 5]])
        let e = try FEstimator.estimate(m, fMax: 2)
        XCTAssertEqual(e.flagged, [4, 5])
        XCTAssertEqual(e.fHat, 2)
        XCTAssertEqual(Array(e.scores[..<4]), [0, 0, 0, 0])
    }

    func testFloorAndCap() throws {
        let honest = gaussianMatrix(rows: 20, columns: 10, seed: 1)
        let e = try FEstimator.estimate(honest, fMax: 9)
        XCTAssertEqual(e.fUsed, max(e.fHat, 2))   // floor ⌊0.1 · 20⌋ = 2
        let capped = try FEstimator.estimate(RobustFixtures.honestPlusOutliers(honest: 12, bad: 8, d: 10, seed: 1), fMax: 3)
        XCTAssertEqual(capped.fHat, 8)
        XCTAssertEqual(capped.fUsed, 3)
        XCTAssertEqual(try FEstimator.estimate(honest, fMax: 9, floorFraction: 0.3).fUsed, max(e.fHat, 6))
        XCTAssertThrowsError(try FEstimator.estimate(honest, fMax: -1)) {
            XCTAssertEqual("\($0)", "f-estimator: f_max must be >= 0; got f_max = -1 for n = 20")
        }
        XCTAssertThrowsError(try FEstimator.estimate(UpdateMatrix(rows: 0, columns: 3), fMax: 0))
    }

    /// 16 honest N(0, I_50) updates + 4 Gaussian attackers N(0, 200² I): f̂ = 4 for every seed.
    func testSeededSimulation() throws {
        for seed in 0..<20 {
            var rng = SeededRNG(seed: UInt64(seed)).derive("f-estimator-test")
            var m = UpdateMatrix(rows: 20, columns: 50)
            for i in 0..<20 {
                let sigma = i < 16 ? 1.0 : 200.0
                m.setRow(i, (0..<50).map { _ in Float(sigma * rng.nextGaussian()) })
            }
            let e = try FEstimator.estimate(m, fMax: (20 - 3) / 2)
            XCTAssertEqual(e.fHat, 4, "seed \(seed)")
            XCTAssertEqual(e.flagged, [16, 17, 18, 19], "seed \(seed)")
            XCTAssertEqual(e.fUsed, 4)
        }
    }
}
