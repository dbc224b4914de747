import FedCore
import FedTestSupport
@testable import FedRobust
import XCTest

final class ColumnKernelTests: XCTestCase {
    static let sizes = [1, 2, 3, 4, 5, 7, 8, 20, 33, 100, 256, 257]

    func testWindowMeanMatchesNaiveSortBitForBit() {
        for (t, n) in Self.sizes.enumerated() {
            // d is never a multiple of the block width, and spans several blocks.
            let d = 3 * ColumnKernels.blockWidth(rows: n, network: n <= ColumnKernels.networkMaxRows) + 37
            let m = gaussianMatrix(rows: n, columns: d, seed: UInt64(100 + t))
            var trims = Set([0, (n - 1) / 2, n / 10, n / 4])
            trims = trims.filter { n - 2 * $0 >= 1 }
            for b in trims.sorted() {
                let got = ColumnKernels.windowMean(m, trim: b, attribute: true, maxThreads: 1)
                XCTAssertEqual(got.values, RobustFixtures.naiveWindowMean(m, trim: b), "n = \(n), b = \(b)")
                XCTAssertEqual(got.rowCounts, RobustFixtures.naiveRowCounts(m, trim: b), "n = \(n), b = \(b)")
            }
        }
    }

    /// Heavy ties (values from {−1, 0, 1}) exercise the edge tie-breaking of the attribution.
    func testTiesMatchStableRanks() {
        for (t, n) in Self.sizes.enumerated() {
            var rng = SeededRNG(seed: UInt64(7 + t))
            let d = 301
            let m = UpdateMatrix(rows: n, columns: d, values: (0..<(n * d)).map { _ in Float(rng.nextInt(below: 3) - 1) })
            for b in Set([0, (n - 1) / 2, n / 4]).sorted() where n - 2 * b >= 1 {
                let got = ColumnKernels.windowMean(m, trim: b, attribute: true, maxThreads: 1)
                XCTAssertEqual(got.values, RobustFixtures.naiveWindowMean(m, trim: b), "n = \(n), b = \(b)")
                XCTAssertEqual(got.rowCounts, RobustFixtures.naiveRowCounts(m, trim: b), "n = \(n), b = \(b)")
                XCTAssertEqual(got.rowCounts.reduce(0, +), d * (n - 2 * b))
            }
        }
    }

    /// Threads split blocks only: the result is identical for any thread count.
    func testThreadCountDoesNotChangeResults() {
        for n in [9, 60, 300] {
            let m = gaussianMatrix(rows: n, columns: (1 << 18) / n + 1_001, seed: 5)
            let one = ColumnKernels.windowMean(m, trim: 2, attribute: true, maxThreads: 1)
            let two = ColumnKernels.windowMean(m, trim: 2, attribute: true, maxThreads: 2)
            XCTAssertEqual(one.values, two.values)
            XCTAssertEqual(one.rowCounts, two.rowCounts)
        }
    }

    func testSelectAndTransposedBlocks() {
        var rng = SeededRNG(seed: 3)
        for n in [1, 2, 17, 40, 101] {
            let base = (0..<n).map { _ in Float(rng.nextInt(below: 20)) }
            for k in 0..<n {
                var a = base
                a.withUnsafeMutableBufferPointer { p in
                    guard let q = p.baseAddress else { return }
                    ColumnKernels.select(q, 0, n - 1, k)
                }
                XCTAssertEqual(a[k], base.sorted()[k])
                XCTAssertTrue(a[..<k].allSatisfy { $0 <= a[k] } && a[(k + 1)...].allSatisfy { $0 >= a[k] })
            }
        }
        let m = gaussianMatrix(rows: 5, columns: 1_000, seed: 9)
        var seen = 0
        ColumnKernels.forEachTransposedBlock(m) { c0, w, t in
            for k in 0..<w { for i in 0..<5 { XCTAssertEqual(t[k * 5 + i], m.values[i * 1_000 + c0 + k]) } }
            seen += w
        }
        XCTAssertEqual(seen, 1_000)
    }

    func testEmptyColumns() {
        let r = ColumnKernels.windowMean(UpdateMatrix(rows: 3, columns: 0), trim: 1, attribute: true)
        XCTAssertEqual(r.values, [])
        XCTAssertEqual(r.rowCounts, [0, 0, 0])
    }
}
