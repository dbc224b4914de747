import FedCore
import FedTestSupport
@testable import FedRobust
import XCTest

/// The threaded row kernels against naive Double loops, at sizes that cross the block widths
/// and the threading threshold (odd n, d not a multiple of any block).
final class RowKernelTests: XCTestCase {
    private func matrix(n: Int, d: Int) -> UpdateMatrix {
        var s: UInt64 = 12345
        let v = (0..<(n * d)).map { _ -> Float in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: s >> 11) % 2001 - 1000) / 1000
        }
        return UpdateMatrix(rows: n, columns: d, values: v)
    }

    func testCombinationDistancesAndGramMatchNaive() {
        for (n, d) in [(1, 5), (7, 3), (9, 40_003), (33, 20_011)] {
            let m = matrix(n: n, d: d)
            let c = (0..<n).map { i in i % 3 == 1 ? 0 : Double(i + 1) / Double(n * n) }
            var naive = [Double](repeating: 0, count: d)
            for i in 0..<n { for j in 0..<d { naive[j] += c[i] * Double(m.values[i * d + j]) } }
            let (v, dist) = RowCombination.combineWithDistances(m, coefficients: c)
            for j in 0..<d { XCTAssertEqual(Double(v[j]), naive[j], accuracy: 1e-6) }
            for i in 0..<n {
                let e = (0..<d).reduce(0.0) { $0 + pow(Double(m.values[i * d + $1]) - naive[$1], 2) }.squareRoot()
                XCTAssertEqual(dist[i], e, accuracy: 1e-9 * max(1, e))
            }
            let off = [Float](repeating: 2, count: d)
            let shifted = RowCombination.combine(m, coefficients: c, offset: off, offsetScale: 0.5)
            for j in 0..<d { XCTAssertEqual(Double(shifted[j]), naive[j] + 1, accuracy: 1e-6) }
            let g = Gram(m)
            let (norms, dots) = RowNormKernels.normsAndDots(m, with: m.row(0))
            for i in 0..<n {
                for k in 0..<n {
                    let e = (0..<d).reduce(0.0) { $0 + Double(m.values[i * d + $1]) * Double(m.values[k * d + $1]) }
                    // Float products per chunk: error ≤ ~1e-6 · Σ|x_i x_k| ≤ 1e-6 · ||x_i|| ||x_k||.
                    XCTAssertEqual(g[i, k], e, accuracy: 1e-6 * (g[i, i] * g[k, k]).squareRoot() + 1e-9)
                    XCTAssertEqual(g[i, k], g[k, i])
                }
                XCTAssertEqual(norms[i] * norms[i], g[i, i], accuracy: 1e-5 * max(1, g[i, i]))
                XCTAssertEqual(dots[i], g[i, 0], accuracy: 1e-6 * (g[i, i] * g[0, 0]).squareRoot() + 1e-9)
            }
            // Same input, same bits (threads never change the order of a sum).
            XCTAssertEqual(RowCombination.combineWithDistances(m, coefficients: c).values, v)
            XCTAssertEqual(Gram(m), g)
        }
    }
}
