import FedCore

/// Static clipping, a pre-aggregation step (ByzFL's `Clipping`, default c = 2.0): scale every
/// update to norm at most c before any rule,
///
///     x_i ← x_i · min(1, c / ||x_i||₂)
///
/// so that no single update can move a mean-like rule by more than c/n. A bound in units of
/// update norm: pick c for the scale of the updates (FedAvg deltas of small models have norms
/// around 0.1–1, gradients of large CNNs much more; ALGORITHMS.md 2.7, 2.10).
public struct StaticClipping: Sendable {
    /// The bound c on each update's Euclidean norm.
    public let norm: Double

    /// - Throws: `.parameter` unless `norm` is positive and finite.
    public init(norm: Double = 2.0) throws(AggregatorError) {
        guard norm > 0 && norm.isFinite else {
            throw .parameter(rule: "static-clipping", message: "norm must be positive and finite; got \(norm)")
        }
        self.norm = norm
    }

    /// Clips the rows of `m` in place; returns, per row, whether it was scaled down.
    @discardableResult
    public func apply(_ m: inout UpdateMatrix) -> [Bool] {
        let norms = RowNormKernels.norms(m)
        let d = m.columns
        var clipped = [Bool](repeating: false, count: m.rows)
        m.values.withUnsafeMutableBufferPointer { buf in
            for (i, r) in norms.enumerated() where r > norm {
                clipped[i] = true
                let s = Float(norm / r)
                for j in (i * d)..<((i + 1) * d) { buf[j] *= s }
            }
        }
        return clipped
    }

    /// The factor min(1, bound / r) that clips a vector of norm r to norm ≤ bound (1 for r = 0).
    static func scale(norm r: Double, bound: Double) -> Double {
        r > bound ? bound / r : 1
    }
}

/// Row norms and distances for the norm-based rules, accumulated in Double with four
/// independent partial sums (fixed order: deterministic, and four times shorter dependency
/// chains than one running sum).
enum RowNormKernels {
    /// ||x_i||₂ for every row.
    static func norms(_ m: UpdateMatrix) -> [Double] {
        let d = m.columns
        return m.values.withUnsafeBufferPointer { x -> [Double] in
            guard let p = x.baseAddress else { return [Double](repeating: 0, count: m.rows) }
            return (0..<m.rows).map { i in sumSquares(p + i * d, count: d).squareRoot() }
        }
    }

    /// ||x_i − c||₂ for every row, with c in Float.
    static func distances(_ m: UpdateMatrix, to c: [Float]) -> [Double] {
        precondition(c.count == m.columns, "distances: center of \(c.count) values for \(m.columns) columns")
        let d = m.columns
        return m.values.withUnsafeBufferPointer { x in
            c.withUnsafeBufferPointer { cb -> [Double] in
                guard let p = x.baseAddress, let q = cb.baseAddress else { return [Double](repeating: 0, count: m.rows) }
                return (0..<m.rows).map { i in
                    let row = p + i * d
                    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                    var j = 0
                    while j + 4 <= d {
                        let a = Double(row[j]) - Double(q[j]), b = Double(row[j + 1]) - Double(q[j + 1])
                        let e = Double(row[j + 2]) - Double(q[j + 2]), f = Double(row[j + 3]) - Double(q[j + 3])
                        s0 += a * a; s1 += b * b; s2 += e * e; s3 += f * f
                        j += 4
                    }
                    while j < d { let a = Double(row[j]) - Double(q[j]); s0 += a * a; j += 1 }
                    return ((s0 + s1) + (s2 + s3)).squareRoot()
                }
            }
        }
    }

    /// ||x_i − c||₂ for every row, with c in Double.
    static func distances(_ m: UpdateMatrix, to c: [Double]) -> [Double] {
        precondition(c.count == m.columns, "distances: center of \(c.count) values for \(m.columns) columns")
        let d = m.columns
        return m.values.withUnsafeBufferPointer { x in
            c.withUnsafeBufferPointer { cb -> [Double] in
                guard let p = x.baseAddress, let q = cb.baseAddress else { return [Double](repeating: 0, count: m.rows) }
                return (0..<m.rows).map { i in
                    let row = p + i * d
                    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                    var j = 0
                    while j + 4 <= d {
                        let a = Double(row[j]) - q[j], b = Double(row[j + 1]) - q[j + 1]
                        let e = Double(row[j + 2]) - q[j + 2], f = Double(row[j + 3]) - q[j + 3]
                        s0 += a * a; s1 += b * b; s2 += e * e; s3 += f * f
                        j += 4
                    }
                    while j < d { let a = Double(row[j]) - q[j]; s0 += a * a; j += 1 }
                    return ((s0 + s1) + (s2 + s3)).squareRoot()
                }
            }
        }
    }

    /// Σ_j v_j², in Double.
    static func sumSquares(_ v: UnsafePointer<Float>, count d: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var j = 0
        while j + 4 <= d {
            let a = Double(v[j]), b = Double(v[j + 1]), e = Double(v[j + 2]), f = Double(v[j + 3])
            s0 += a * a; s1 += b * b; s2 += e * e; s3 += f * f
            j += 4
        }
        while j < d { let a = Double(v[j]); s0 += a * a; j += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// out += w · x_i (row i of the matrix), in Double.
    static func addScaledRow(_ m: UnsafePointer<Float>, row i: Int, columns d: Int, weight w: Double,
                             into out: UnsafeMutablePointer<Double>) {
        let row = m + i * d
        for j in 0..<d { out[j] += w * Double(row[j]) }
    }
}
