import FedCore
import FedTestSupport
import FedRobust
import XCTest

final class CenteredClippingTests: XCTestCase {
    /// docs/ALGORITHMS.md 7: v = 0, τ = 1, L = 1, inputs (3,4), (0,0.5) → (0.3, 0.65).
    func testHandChecked() throws {
        var rule = try CenteredClipping(tau: .absolute(1))
        let r = try rule.aggregate(matrix([[3, 4], [0, 0.5]]), context: RobustFixtures.context(2))
        assertClose(r.aggregate, [0.3, 0.65], accuracy: 1e-6)
        XCTAssertEqual(r.decisions.map(\.clipped), [true, false])
        XCTAssertEqual(r.decisions.map(\.weight), [0.5, 0.5])
        XCTAssertEqual(r.figures["clipped_fraction"], 0.5)
        assertClose(rule.center, [0.3, 0.65], accuracy: 1e-6)
    }

    /// Two iterations by hand: after the first, v = (0.3, 0.65); distances (4.302615, 0.335410),
    /// s = (0.232417, 1), keep = 0.383792, v = (0.463763, 0.964298). The second iteration's
    /// distances come from the fused combination pass.
    func testTwoIterationsHandChecked() throws {
        var rule = try CenteredClipping(tau: .absolute(1), iterations: 2)
        let r = try rule.aggregate(matrix([[3, 4], [0, 0.5]]), context: RobustFixtures.context(2))
        assertClose(r.aggregate, [0.463763, 0.964298], accuracy: 1e-5)
        XCTAssertEqual(r.decisions.map(\.clipped), [true, false])
        XCTAssertEqual(r.decisions[0].score ?? -1, 4.302615, accuracy: 1e-5)
        XCTAssertEqual(r.decisions[1].score ?? -1, 0.335410, accuracy: 1e-5)
    }

    /// L iterations against a plain Double implementation of the update, on wide random rows
    /// (several column blocks, so the fused distance pass sums partials across blocks).
    func testIterationsMatchAPlainImplementation() throws {
        let n = 9, d = 20_000
        let m = gaussianMatrix(rows: n, columns: d, seed: 11)
        for iterations in [1, 3, 5] {
            var rule = try CenteredClipping(tau: .relativeToMedianNorm(0.8), iterations: iterations)
            let got = try rule.aggregate(m, context: RobustFixtures.context(n)).aggregate
            var v = [Double](repeating: 0, count: d)
            func distance(_ i: Int) -> Double {
                var s = 0.0
                for j in 0..<d { let t = Double(m.values[i * d + j]) - v[j]; s += t * t }
                return s.squareRoot()
            }
            let start = (0..<n).map(distance).sorted()
            let tau = 0.8 * (n % 2 == 1 ? start[n / 2] : (start[n / 2 - 1] + start[n / 2]) / 2)
            for _ in 0..<iterations {
                let s = (0..<n).map { min(1, tau / max(distance($0), 1e-300)) }
                var next = v.map { $0 * (1 - s.reduce(0, +) / Double(n)) }
                for i in 0..<n { for j in 0..<d { next[j] += s[i] / Double(n) * Double(m.values[i * d + j]) } }
                v = next.map { Double(Float($0)) }
            }
            for j in stride(from: 0, to: d, by: 997) {
                XCTAssertEqual(Double(got[j]), v[j], accuracy: 1e-5, "L = \(iterations), column \(j)")
            }
        }
    }

    /// The centre persists between rounds and can be restored from a checkpoint.
    func testCenterPersistsAndRestores() throws {
        var rule = try CenteredClipping(tau: .absolute(1), iterations: 2)
        let m = matrix([[3, 4], [0, 0.5], [1, 1]])
        let first = try rule.aggregate(m, context: RobustFixtures.context(3))
        let second = try rule.aggregate(m, context: RobustFixtures.context(3))
        XCTAssertNotEqual(first.aggregate, second.aggregate)
        var restored = try CenteredClipping(tau: .absolute(1), iterations: 2, center: first.aggregate)
        XCTAssertEqual(try restored.aggregate(m, context: RobustFixtures.context(3)).aggregate, second.aggregate)
        XCTAssertThrowsError(try restored.aggregate(matrix([[1, 2, 3]]), context: RobustFixtures.context(1)))
    }

    func testZeroDifferenceAndNoClipping() throws {
        var rule = try CenteredClipping(tau: .absolute(100))
        let r = try rule.aggregate(matrix([[0, 0], [2, 4]]), context: RobustFixtures.context(2))
        XCTAssertEqual(r.aggregate, [1, 2])               // τ large: the mean
        XCTAssertEqual(r.figures["clipped_fraction"], 0)
    }

    func testRelativeTau() throws {
        var rule = try CenteredClipping()   // τ = 1 × median distance to the centre
        let r = try rule.aggregate(matrix([[1, 0], [0, 2], [0, 3], [30, 40]]), context: RobustFixtures.context(4))
        // Distances to 0: 1, 2, 3, 50 → τ = 2.5; rows 3 and 4 are clipped to norm 2.5.
        XCTAssertEqual(r.figures["tau"], 2.5)
        XCTAssertEqual(r.decisions.map(\.clipped), [false, false, true, true])
        let expected: [Float] = [(1 + 0 + 0 + 1.5) / 4, (0 + 2 + 2.5 + 2) / 4]
        assertClose(r.aggregate, expected, accuracy: 1e-6)
    }

    func testOutliersMoveItAtMostTauOverN() throws {
        let m = RobustFixtures.honestPlusOutliers(honest: 16, bad: 4, d: 50, seed: 5)
        var rule = try CenteredClipping(iterations: 3)
        let agg = try rule.aggregate(m, context: RobustFixtures.context(20)).aggregate
        XCTAssertLessThan(agg.map { Double($0 * $0) }.reduce(0, +).squareRoot(), 5)
    }

    func testParameters() {
        XCTAssertThrowsError(try CenteredClipping(tau: .absolute(0)))
        XCTAssertThrowsError(try CenteredClipping(tau: .relativeToMedianNorm(-1)))
        XCTAssertThrowsError(try CenteredClipping(iterations: 0))
        XCTAssertThrowsError(try CenteredClipping(center: [.nan]))
    }
}
