import FedCore

// MARK: - Column statistics of an update matrix

/// Coordinate-wise mean of the rows of `m`: `μ_j = (1/n) Σ_i m[i][j]`.
///
/// Accumulates in `Double`, walking the row-major buffer in row order (one column pass per
/// row, cache friendly). Returns `m.columns` zeros when `m` has no rows.
public func meanRow(_ m: UpdateMatrix) -> [Float] {
    meanRowDouble(m).map { Float($0) }
}

/// Coordinate-wise standard deviation of the rows of `m`:
/// `σ_j = sqrt( Σ_i (m[i][j] − μ_j)² / (n − ddof) )`.
///
/// `ddof = 1` is the unbiased sample estimate (torch, byzfl); `ddof = 0` the population one
/// (NumPy default, FLPoison). Two passes in `Double` (mean, then squared deviations), both in
/// row order. Returns NaN in every coordinate when `n − ddof ≤ 0` (undefined).
public func coordinateStd(_ m: UpdateMatrix, ddof: Int) -> [Float] {
    coordinateStdDouble(m, ddof: ddof).map { Float($0) }
}

// MARK: - Double-precision kernels (shared by the attacks)

/// `meanRow` without the final rounding to `Float`.
func meanRowDouble(_ m: UpdateMatrix) -> [Double] {
    let d = m.columns
    var acc = [Double](repeating: 0, count: d)
    guard m.rows > 0 else { return acc }
    m.values.withUnsafeBufferPointer { buf in
        acc.withUnsafeMutableBufferPointer { a in
            for i in 0..<m.rows {
                let base = i * d
                for j in 0..<d { a[j] += Double(buf[base + j]) }
            }
            let inv = 1.0 / Double(m.rows)
            for j in 0..<d { a[j] *= inv }
        }
    }
    return acc
}

/// `coordinateStd` without the final rounding to `Float`; `mean` may be passed when known.
func coordinateStdDouble(_ m: UpdateMatrix, ddof: Int, mean known: [Double]? = nil) -> [Double] {
    let d = m.columns
    let denom = m.rows - ddof
    guard denom > 0 else { return [Double](repeating: .nan, count: d) }
    let mu = known ?? meanRowDouble(m)
    var acc = [Double](repeating: 0, count: d)
    m.values.withUnsafeBufferPointer { buf in
        acc.withUnsafeMutableBufferPointer { a in
            for i in 0..<m.rows {
                let base = i * d
                for j in 0..<d {
                    let e = Double(buf[base + j]) - mu[j]
                    a[j] += e * e
                }
            }
            let inv = 1.0 / Double(denom)
            for j in 0..<d { a[j] = (a[j] * inv).squareRoot() }
        }
    }
    return acc
}

/// `||x − row_i(m)||²` in `Double` for every row i.
func squaredDistancesToRows(_ x: [Double], _ m: UpdateMatrix) -> [Double] {
    let d = m.columns
    var out = [Double](repeating: 0, count: m.rows)
    m.values.withUnsafeBufferPointer { buf in
        for i in 0..<m.rows {
            let base = i * d
            var s = 0.0
            for j in 0..<d {
                let e = x[j] - Double(buf[base + j])
                s += e * e
            }
            out[i] = s
        }
    }
    return out
}

/// Symmetric matrix of pairwise squared distances between the rows of `m` (n x n, `Double`,
/// zero diagonal), O(n² d).
func pairwiseSquaredDistances(_ m: UpdateMatrix) -> [[Double]] {
    let n = m.rows, d = m.columns
    var dist = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    m.values.withUnsafeBufferPointer { buf in
        for i in 0..<n {
            for k in (i + 1)..<n {
                var s = 0.0
                let bi = i * d, bk = k * d
                for j in 0..<d {
                    let e = Double(buf[bi + j]) - Double(buf[bk + j])
                    s += e * e
                }
                dist[i][k] = s
                dist[k][i] = s
            }
        }
    }
    return dist
}

/// An `rows x row.count` matrix whose every row is `row` (colluding attackers all send it).
func repeatedRows(_ row: [Float], rows: Int) -> UpdateMatrix {
    var values = [Float]()
    values.reserveCapacity(rows * row.count)
    for _ in 0..<rows { values.append(contentsOf: row) }
    return UpdateMatrix(rows: rows, columns: row.count, values: values)
}
