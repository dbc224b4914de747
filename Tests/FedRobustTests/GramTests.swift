import FedCore
import FedTestSupport
import FedRobust
import XCTest

final class GramTests: XCTestCase {
    private func naiveGram(_ m: UpdateMatrix) -> [Double] {
        let n = m.rows, d = m.columns
        var g = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<d { s += Double(m.values[i * d + k]) * Double(m.values[j * d + k]) }
                g[i * n + j] = s
            }
        }
        return g
    }

    private func naiveDistances(_ m: UpdateMatrix) -> [Double] {
        let n = m.rows, d = m.columns
        var r = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<d {
                    let t = Double(m.values[i * d + k]) - Double(m.values[j * d + k])
                    s += t * t
                }
                r[i * n + j] = s
            }
        }
        return r
    }

    func testGramAndDistancesMatchNaiveDouble() {
        let shapes = [(1, 1), (1, 7), (2, 3), (2, 1001), (5, 1), (7, 333), (13, 4097), (4, 70_001)]
        for (t, (n, d)) in shapes.enumerated() {
            let m = gaussianMatrix(rows: n, columns: d, seed: UInt64(100 + t))
            let g = Gram(m)
            let expected = naiveGram(m)
            let scale = expected.map(abs).max() ?? 1
            XCTAssertEqual(g.n, n)
            for (a, e) in zip(g.values, expected) { XCTAssertEqual(a, e, accuracy: 1e-4 * scale, "n = \(n), d = \(d)") }
            let dist = PairwiseDistances(m)
            let naive = naiveDistances(m)
            for i in 0..<n {
                XCTAssertEqual(dist[i, i], 0)
                for j in 0..<n {
                    XCTAssertEqual(dist[i, j], dist[j, i])
                    XCTAssertGreaterThanOrEqual(dist[i, j], 0)
                    XCTAssertEqual(dist[i, j], naive[i * n + j], accuracy: 1e-4 * max(naive[i * n + j], 1e-3 * scale),
                                   "n = \(n), d = \(d), (\(i), \(j))")
                }
            }
            for i in 0..<n { XCTAssertEqual(g.norms[i], m.rowNorm(i), accuracy: 1e-4 * m.rowNorm(i)) }
        }
    }

    func testBlockingDoesNotChangeTheResultBeyondRounding() {
        let m = gaussianMatrix(rows: 6, columns: 1_000, seed: 3)
        let whole = Gram(m, blockWidth: 1_000)
        for width in [1, 7, 64, 999] {
            let blocked = Gram(m, blockWidth: width)
            for (a, b) in zip(blocked.values, whole.values) { XCTAssertEqual(a, b, accuracy: 1e-3) }
            for i in 0..<6 { for j in 0..<6 { XCTAssertEqual(blocked[i, j], blocked[j, i]) } }
        }
    }

    func testGatheredRowsGiveTheSameGram() {
        let m = gaussianMatrix(rows: 5, columns: 2_500, seed: 4)
        let direct = Gram(m)
        let gathered = Gram(rows: 5, columns: 2_500, blockWidth: 300) { columns, block in
            for i in 0..<5 {
                for (c, col) in columns.enumerated() { block[i * columns.count + c] = m.values[i * 2_500 + col] }
            }
        }
        for (a, b) in zip(gathered.values, direct.values) { XCTAssertEqual(a, b, accuracy: 1e-4 * abs(b) + 1e-6) }
    }

    func testCosines() {
        let m = matrix([[1, 0], [2, 0], [-3, 0], [0, 0], [1, 1]])
        let c = Gram(m).cosines
        let expected: [[Double]] = [
            [1, 1, -1, 0, 0.7071068],
            [1, 1, -1, 0, 0.7071068],
            [-1, -1, 1, 0, -0.7071068],
            [0, 0, 0, 0, 0],
            [0.7071068, 0.7071068, -0.7071068, 0, 1],
        ]
        for i in 0..<5 { for j in 0..<5 { XCTAssertEqual(c[i * 5 + j], expected[i][j], accuracy: 1e-6, "(\(i), \(j))") } }
    }

    func testIdenticalRowsHaveZeroDistanceAndEdgeSizes() {
        let m = matrix([[3, -4, 12], [3, -4, 12]])
        let d = PairwiseDistances(m)
        XCTAssertEqual(d.squared, [0, 0, 0, 0])
        XCTAssertEqual(Gram(m).squaredNorms, [169, 169])
        XCTAssertEqual(Gram(UpdateMatrix(rows: 0, columns: 4)).n, 0)
        XCTAssertEqual(PairwiseDistances(UpdateMatrix(rows: 1, columns: 0)).squared, [0])
    }
}
