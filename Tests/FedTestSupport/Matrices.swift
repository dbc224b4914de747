import FedCore

// MARK: - Update matrices

/// A matrix from literal rows (every row the same length; no rows gives 0 x 0).
///
///     matrix([[1, 2], [3, 4]])   // 2 x 2, row-major values [1, 2, 3, 4]
public func matrix(_ rows: [[Float]]) -> UpdateMatrix {
    let columns = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == columns }, "matrix: rows of different lengths \(rows.map(\.count))")
    return UpdateMatrix(rows: rows.count, columns: columns, values: rows.flatMap { $0 })
}

/// `rows` x `columns` values `mean + std · z`, z standard normal from `SeededRNG(seed:)`, drawn
/// row by row: the same matrix for the same seed on every machine.
public func gaussianMatrix(rows: Int, columns: Int, seed: UInt64, mean: Double = 0, std: Double = 1) -> UpdateMatrix {
    var rng = SeededRNG(seed: seed)
    let values = (0..<(rows * columns)).map { _ in Float(mean + std * rng.nextGaussian()) }
    return UpdateMatrix(rows: rows, columns: columns, values: values)
}

/// The rows of `m` in the order `perm`: row i of the result is row perm[i] of `m`.
public func permuted(_ m: UpdateMatrix, _ perm: [Int]) -> UpdateMatrix {
    precondition(perm.count == m.rows, "permuted: \(perm.count) indices for \(m.rows) rows")
    var out = UpdateMatrix(rows: m.rows, columns: m.columns)
    for (i, p) in perm.enumerated() { out.setRow(i, m.row(p)) }
    return out
}

/// True when every row of `m` equals row 0 (always for fewer than two rows).
public func allRowsEqual(_ m: UpdateMatrix) -> Bool {
    guard m.rows > 1 else { return true }
    let first = m.row(0)
    return (1..<m.rows).allSatisfy { m.row($0) == first }
}

// MARK: - Vectors

/// `n` values uniform in [−scale, scale) from `rng` (which advances).
public func uniformFloats(_ n: Int, scale: Double, rng: inout SeededRNG) -> [Float] {
    (0..<n).map { _ in Float(scale * (2 * rng.nextDouble() - 1)) }
}

/// Squared Euclidean distance ‖a − b‖², summed in Double.
public func squaredDistance(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count, "squaredDistance: \(a.count) vs \(b.count) values")
    return zip(a, b).reduce(0.0) { s, p in
        let e = Double(p.0) - Double(p.1)
        return s + e * e
    }
}

/// Largest absolute difference maxᵢ |aᵢ − bᵢ| (0 for empty vectors).
public func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "maxAbsDiff: \(a.count) vs \(b.count) values")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
