import FedCore
import FedTestSupport
@testable import FedRobust
import XCTest

/// DnC (Shejwalkar & Houmansadr, NDSS 2021) on hand-computed cases.
final class DivideAndConquerTests: XCTestCase {
    func testHandComputedCases() throws {
        // (updates, f, expected aggregate, kept rows)
        let table: [([[Float]], Int, [Float], [Int], UInt)] = [
            // μ = (1, 0); centred rows (−1, 0) x 4 and (4, 0); v = (1, 0); scores 1, 1, 1, 1, 16:
            // the outlier goes, the mean of the rest is 0.
            ([[0, 0], [0, 0], [0, 0], [0, 0], [5, 0]], 1, [0, 0], [0, 1, 2, 3], #line),
            // f = 0 keeps everyone: the plain mean.
            ([[0, 0], [0, 0], [0, 0], [0, 0], [5, 0]], 0, [1, 0], [0, 1, 2, 3, 4], #line),
            // The outlier direction is diagonal; the two largest projections go with f = 2.
            ([[1, 1], [1, 1], [1.5, 1.5], [1, 1], [-6, -6], [9, 9]], 2, [1.125, 1.125], [0, 1, 2, 3], #line),
        ]
        for (rows, f, expected, kept, line) in table {
            var rule = try DivideAndConquer(f: .fixed(f), dimensions: 100, iterations: 3)
            let r = try rule.aggregate(matrix(rows), context: RobustFixtures.context(rows.count))
            assertClose(r.aggregate, expected, accuracy: 1e-6)
            XCTAssertEqual(r.decisions.enumerated().filter { $0.element.selected }.map(\.offset), kept, line: line)
            XCTAssertEqual(r.decisions.map(\.weight).reduce(0, +), 1, accuracy: 1e-12, line: line)
            XCTAssertEqual(r.figures["kept"], Double(kept.count), line: line)
        }
    }

    func testScoresAreSquaredProjectionsOnTheTopSingularVector() {
        // Centred rows (2, 0, 0), (−2, 0, 0), (0, 1, 0), (0, −1, 0): AᵀA = diag(8, 2, 0),
        // v = e1, scores 4, 4, 0, 0.
        let m = matrix([[3, 1, 7], [-1, 1, 7], [1, 2, 7], [1, 0, 7]])
        let s = DivideAndConquer.outlierScores(m, coordinates: [0, 1, 2])
        for (a, b) in zip(s, [4.0, 4, 0, 0]) { XCTAssertEqual(a, b, accuracy: 1e-9) }
    }

    func testJacobiTopEigenpair() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1, top vector (1, 1)/√2.
        let (value, vector) = SymmetricEigen.top([2, 1, 1, 2], n: 2)
        XCTAssertEqual(value, 3, accuracy: 1e-12)
        XCTAssertEqual(abs(vector[0]), 0.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(vector[0], vector[1], accuracy: 1e-12)
        // A random symmetric 6 x 6: A v = λ v, and λ is the largest Rayleigh quotient found.
        var rng = SeededRNG(seed: 3)
        var a = [Double](repeating: 0, count: 36)
        for i in 0..<6 { for j in i..<6 { let x = rng.nextDouble() - 0.5; a[i * 6 + j] = x; a[j * 6 + i] = x } }
        let (l, v) = SymmetricEigen.top(a, n: 6)
        for i in 0..<6 {
            let av = (0..<6).reduce(0.0) { $0 + a[i * 6 + $1] * v[$1] }
            XCTAssertEqual(av, l * v[i], accuracy: 1e-9)
        }
        for _ in 0..<50 {
            let x = (0..<6).map { _ in rng.nextDouble() - 0.5 }
            let ax = (0..<6).map { i in (0..<6).reduce(0.0) { $0 + a[i * 6 + $1] * x[$1] } }
            let q = zip(x, ax).reduce(0.0) { $0 + $1.0 * $1.1 } / x.reduce(0.0) { $0 + $1 * $1 }
            XCTAssertLessThanOrEqual(q, l + 1e-9)
        }
    }

    func testSubsamplingIsSeededAndCatchesAnOutlierInFewCoordinates() throws {
        // 10 honest rows of small noise, one row shifted by 3 on every coordinate; b = 50 of d = 2000.
        var rng = SeededRNG(seed: 9)
        let rows: [[Float]] = (0..<11).map { i in (0..<2000).map { _ in Float(rng.nextGaussian() * 0.1) + (i == 10 ? 3 : 0) } }
        var rule = try DivideAndConquer(f: .fixed(1), dimensions: 50)
        let a = try rule.aggregate(matrix(rows), context: RobustFixtures.context(11, seed: 4))
        let b = try rule.aggregate(matrix(rows), context: RobustFixtures.context(11, seed: 4))
        XCTAssertEqual(a.aggregate, b.aggregate)
        XCTAssertFalse(a.decisions[10].selected)
        XCTAssertEqual(a.decisions.filter(\.selected).count, 10)
    }

    func testPreconditionsCarryTheNumbers() throws {
        XCTAssertThrowsError(try DivideAndConquer(f: .fixed(3)).check(n: 3)) {
            XCTAssertEqual("\($0)", "dnc needs n > ⌊c f⌋ (c = 1.0); got n = 3, f = 3")
        }
        XCTAssertThrowsError(try DivideAndConquer(f: .fixed(1), dimensions: 0)) {
            XCTAssertEqual("\($0)", "dnc: dimensions must be >= 1; got 0")
        }
        XCTAssertEqual(DivideAndConquer.fMax(n: 5, filter: 1), 4)
        XCTAssertEqual(DivideAndConquer.fMax(n: 5, filter: 2), 2)
    }
}
