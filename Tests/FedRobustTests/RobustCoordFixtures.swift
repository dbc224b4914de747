import FedCore
@testable import FedRobust
import XCTest

/// Shared fixtures of the coordinate-wise and norm-based rule tests (namespaced so that other
/// test files of this target can define their own helpers freely).
enum RCFixture {
    /// Reference: sort each column, mean of ranks b...n−1−b summed in Double in sorted order.
    static func naiveWindowMean(_ m: UpdateMatrix, trim b: Int) -> [Float] {
        (0..<m.columns).map { k in
            let col = (0..<m.rows).map { m.values[$0 * m.columns + k] }.sorted()
            var s = 0.0
            for r in b...(m.rows - 1 - b) { s += Double(col[r]) }
            return Float(s * (1 / Double(m.rows - 2 * b)))
        }
    }

    /// Reference attribution: stable ranks (value, then row index); rows with rank in the window.
    static func naiveRowCounts(_ m: UpdateMatrix, trim b: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: m.rows)
        for k in 0..<m.columns {
            let order = (0..<m.rows).sorted {
                let u = m.values[$0 * m.columns + k], v = m.values[$1 * m.columns + k]
                return u < v || (u == v && $0 < $1)
            }
            for r in b...(m.rows - 1 - b) { counts[order[r]] += 1 }
        }
        return counts
    }

    static func gaussianMatrix(rows: Int, columns: Int, seed: UInt64, scale: Double = 1) -> UpdateMatrix {
        var rng = SeededRNG(seed: seed)
        return UpdateMatrix(rows: rows, columns: columns,
                            values: (0..<(rows * columns)).map { _ in Float(scale * rng.nextGaussian()) })
    }

    /// A matrix from literal rows.
    static func matrix(_ rows: [[Float]]) -> UpdateMatrix {
        var m = UpdateMatrix(rows: rows.count, columns: rows.first?.count ?? 0)
        for (i, r) in rows.enumerated() { m.setRow(i, r) }
        return m
    }

    static func context(_ n: Int, weights: [Double]? = nil, seed: UInt64 = 1) -> AggregationContext {
        AggregationContext(round: 1, clientIds: Array(0..<n), weights: weights ?? [Double](repeating: 1, count: n),
                           rng: SeededRNG(seed: seed))
    }

    static func assertClose(_ a: [Float], _ b: [Float], _ tol: Float, _ msg: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, msg, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: tol, msg, file: file, line: line) }
    }

    /// The rows of `m` in the order `perm`.
    static func permuted(_ m: UpdateMatrix, _ perm: [Int]) -> UpdateMatrix {
        var p = UpdateMatrix(rows: m.rows, columns: m.columns)
        for (i, j) in perm.enumerated() { p.setRow(i, m.row(j)) }
        return p
    }

    /// `honest` N(0, I_d) rows followed by `bad` rows of value 1e6 in every coordinate.
    static func honestPlusOutliers(honest: Int, bad: Int, d: Int, seed: UInt64) -> UpdateMatrix {
        var rng = SeededRNG(seed: seed)
        var m = UpdateMatrix(rows: honest + bad, columns: d)
        for i in 0..<honest { m.setRow(i, (0..<d).map { _ in Float(rng.nextGaussian()) }) }
        for i in honest..<(honest + bad) { m.setRow(i, [Float](repeating: 1e6, count: d)) }
        return m
    }

    /// Largest distance from `v` to the per-coordinate range of the honest rows (0 inside the box).
    static func distanceToHonestBox(_ v: [Float], _ m: UpdateMatrix, honest: Int) -> Float {
        var worst: Float = 0
        for k in 0..<m.columns {
            let col = (0..<honest).map { m.values[$0 * m.columns + k] }
            let lo = col.min() ?? 0, hi = col.max() ?? 0
            worst = max(worst, max(lo - v[k], v[k] - hi, 0))
        }
        return worst
    }
}
