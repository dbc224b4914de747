import FedCore

/// `Σ_i c_i x_i` over the rows of an update matrix: the last step of Multi-Krum (plain
/// average of the chosen rows), FLTrust (trust-weighted, rescaled rows) and FoolsGold
/// (α-weighted rows).
///
/// Accumulates in Double (ALGORITHMS.md section 0) over column blocks of 4,096, so the
/// accumulator stays in L1/L2 while each row's block streams in: one read of the rows with
/// a non-zero coefficient, one write of the result. Each output coordinate is the same sum
/// in the same row order whatever the blocking, so results are reproducible.
enum RowCombination {
    /// Columns per block (32 KB of Double accumulator).
    static let blockWidth = 4_096

    /// `Σ_i coefficients[i] · row_i`; rows whose coefficient is 0 are not read.
    static func combine(_ matrix: UpdateMatrix, coefficients: [Double]) -> [Float] {
        precondition(coefficients.count == matrix.rows,
                     "RowCombination: \(coefficients.count) coefficients for \(matrix.rows) rows")
        let d = matrix.columns
        let used = coefficients.indices.filter { coefficients[$0] != 0 }
        var out = [Float](repeating: 0, count: d)
        guard !used.isEmpty, d > 0 else { return out }
        var acc = [Double](repeating: 0, count: min(blockWidth, d))
        matrix.values.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { o in
                acc.withUnsafeMutableBufferPointer { a in
                    guard let x = xs.baseAddress else { return }
                    var c0 = 0
                    while c0 < d {
                        let k = min(blockWidth, d - c0)
                        for j in 0..<k { a[j] = 0 }
                        for i in used {
                            let c = coefficients[i]
                            let row = x + i * d + c0
                            for j in 0..<k { a[j] += c * Double(row[j]) }
                        }
                        for j in 0..<k { o[c0 + j] = Float(a[j]) }
                        c0 += k
                    }
                }
            }
        }
        return out
    }

    /// The plain (unweighted) mean of `rows` (distinct row indices).
    static func mean(_ matrix: UpdateMatrix, rows: [Int]) -> [Float] {
        var c = [Double](repeating: 0, count: matrix.rows)
        for i in rows { c[i] = 1 / Double(rows.count) }
        return combine(matrix, coefficients: c)
    }
}
