import FedTestSupport
import XCTest
@testable import FedCore

final class BLASTests: XCTestCase {
    /// gemm with every transpose combination against a naive triple loop.
    func testGemmMatchesNaiveProduct() {
        assertGemmMatchesNaiveProduct()
    }

    /// The thread count is global to the process: the test puts back what it found.
    func testSetBLASThreadsDoesNotBreakGemm() {
        let previous = blasThreads()
        defer { setBLASThreads(previous) }
        setBLASThreads(1)
        XCTAssertEqual(blasThreads(), 1)
        assertGemmMatchesNaiveProduct()
    }

    private func assertGemmMatchesNaiveProduct(file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededRNG(seed: 11)
        let (m, n, k) = (3, 4, 5)
        for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = uniformFloats(m * k, scale: 1, rng: &rng)   // stored k x m when transposed
            let b = uniformFloats(k * n, scale: 1, rng: &rng)
            var c = uniformFloats(m * n, scale: 1, rng: &rng)
            let c0 = c
            let lda = transA ? m : k, ldb = transB ? k : n
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 2, a: pa, lda: lda,
                             b: pb, ldb: ldb, beta: 0.5, c: pc, ldc: n)
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    var s: Float = 0
                    for p in 0..<k {
                        let av = transA ? a[p * m + i] : a[i * k + p]
                        let bv = transB ? b[j * k + p] : b[p * n + j]
                        s += av * bv
                    }
                    XCTAssertEqual(c[i * n + j], 2 * s + 0.5 * c0[i * n + j], accuracy: 1e-5, "\(transA) \(transB)",
                                   file: file, line: line)
                }
            }
        }
    }

    func testGemmWithEmptyInnerDimensionScalesC() {
        var c: [Float] = [1, 2, 3, 4]
        let empty: [Float] = []
        empty.withUnsafeBufferPointer { e in
            c.withUnsafeMutableBufferPointer { pc in
                gemm(transA: false, transB: false, m: 2, n: 2, k: 0, alpha: 1, a: e, lda: 1, b: e, ldb: 2,
                     beta: 3, c: pc, ldc: 2)
            }
        }
        XCTAssertEqual(c, [3, 6, 9, 12])
    }
}
