import FedCore

/// Per-row reductions for the norm-based rules, in one pass over the matrix:
///
///     norms:      ||x_i||₂ = sqrt(Σ_j x_ij²)
///     distances:  ||x_i − c||₂ = sqrt(Σ_j (x_ij − c_j)²)
///     dots:       (||x_i||₂, ⟨x_i, g⟩)          (FLTrust)
///
/// Accumulated in Double with four independent partial sums (fixed order). The columns are cut
/// into blocks of `blockWidth` (fixed, independent of the thread count); each block's sum per
/// row goes to its own slot and the slots are added in block order (`BlockedPass`), so the
/// blocks can be split between the cores and the result is still the same number every run.
enum RowNormKernels {
    /// Columns per block: 64 KiB of each row, long enough to stream.
    static let blockWidth = 16_384

    /// ||x_i||₂ for every row.
    static func norms(_ m: UpdateMatrix) -> [Double] {
        reduce(m, vector: nil, kind: .sumSquares).first.map { $0.squareRoot() }
    }

    /// ||x_i − c||₂ for every row, with c in Float.
    static func distances(_ m: UpdateMatrix, to c: [Float]) -> [Double] {
        precondition(c.count == m.columns, "distances: center of \(c.count) values for \(m.columns) columns")
        return c.withUnsafeBufferPointer { cb in
            reduce(m, vector: cb.baseAddress, kind: .distance).first.map { $0.squareRoot() }
        }
    }

    /// ||x_i − c||₂ for every row, with c in Double.
    static func distances(_ m: UpdateMatrix, to c: [Double]) -> [Double] {
        precondition(c.count == m.columns, "distances: center of \(c.count) values for \(m.columns) columns")
        return c.withUnsafeBufferPointer { cb in
            reduce(m, vector: nil, doubleVector: cb.baseAddress, kind: .distanceDouble).first.map { $0.squareRoot() }
        }
    }

    /// (||x_i||₂, ⟨x_i, g⟩) for every row, in one pass.
    static func normsAndDots(_ m: UpdateMatrix, with g: [Float]) -> (norms: [Double], dots: [Double]) {
        precondition(g.count == m.columns, "normsAndDots: vector of \(g.count) values for \(m.columns) columns")
        let r = g.withUnsafeBufferPointer { gb in reduce(m, vector: gb.baseAddress, kind: .sumSquaresAndDot) }
        return (r.first.map { $0.squareRoot() }, r.second)
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

    // MARK: - Pass

    enum Kind { case sumSquares, distance, distanceDouble, sumSquaresAndDot }

    /// One threaded pass; `first` per row (Σ x², or Σ (x − c)²), `second` = ⟨x_i, g⟩ for
    /// `.sumSquaresAndDot` (empty otherwise).
    private static func reduce(_ m: UpdateMatrix, vector: UnsafePointer<Float>?, doubleVector: UnsafePointer<Double>? = nil,
                               kind: Kind) -> (first: [Double], second: [Double]) {
        let n = m.rows, d = m.columns
        guard n > 0, d > 0 else { return ([Double](repeating: 0, count: n), kind == .sumSquaresAndDot ? [Double](repeating: 0, count: n) : []) }
        let blocks = (d + blockWidth - 1) / blockWidth
        let two = kind == .sumSquaresAndDot
        var p1 = [Double](repeating: 0, count: n * blocks)
        var p2 = [Double](repeating: 0, count: two ? n * blocks : 0)
        m.values.withUnsafeBufferPointer { xb in
            p1.withUnsafeMutableBufferPointer { b1 in
                p2.withUnsafeMutableBufferPointer { b2 in
                    guard let x = xb.baseAddress, let q1 = b1.baseAddress else { return }
                    let job = UncheckedSendable((x: x, q1: q1, q2: two ? b2.baseAddress : nil))
                    BlockedPass.run(blocks: blocks, work: n * d) { range in
                        let (x, q1, q2) = job.value
                        for blk in range {
                            let c0 = blk * blockWidth
                            let k = min(blockWidth, d - c0)
                            for i in 0..<n {
                                let row = x + i * d + c0
                                switch kind {
                                case .sumSquares:
                                    q1[blk * n + i] = sumSquares(row, count: k)
                                case .distance:
                                    q1[blk * n + i] = vector.map { squaredDistance(row, $0 + c0, count: k) } ?? 0
                                case .distanceDouble:
                                    q1[blk * n + i] = doubleVector.map { squaredDistance(row, $0 + c0, count: k) } ?? 0
                                case .sumSquaresAndDot:
                                    guard let g = vector, let q2 else { continue }
                                    let (s, t) = sumSquaresAndDot(row, g + c0, count: k)
                                    q1[blk * n + i] = s
                                    q2[blk * n + i] = t
                                }
                            }
                        }
                    }
                }
            }
        }
        let first = p1.withUnsafeBufferPointer { BlockedPass.sumPartials($0, rows: n, blocks: blocks) }
        let second = two ? p2.withUnsafeBufferPointer { BlockedPass.sumPartials($0, rows: n, blocks: blocks) } : []
        return (first, second)
    }

    // MARK: - Inner loops

    /// Σ_j (row[j] − c[j])², c in Float.
    @inline(__always)
    static func squaredDistance(_ row: UnsafePointer<Float>, _ c: UnsafePointer<Float>, count k: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var j = 0
        while j + 4 <= k {
            let a = Double(row[j]) - Double(c[j]), b = Double(row[j + 1]) - Double(c[j + 1])
            let e = Double(row[j + 2]) - Double(c[j + 2]), f = Double(row[j + 3]) - Double(c[j + 3])
            s0 += a * a; s1 += b * b; s2 += e * e; s3 += f * f
            j += 4
        }
        while j < k { let a = Double(row[j]) - Double(c[j]); s0 += a * a; j += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// Σ_j (row[j] − c[j])², c in Double.
    @inline(__always)
    static func squaredDistance(_ row: UnsafePointer<Float>, _ c: UnsafePointer<Double>, count k: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var j = 0
        while j + 4 <= k {
            let a = Double(row[j]) - c[j], b = Double(row[j + 1]) - c[j + 1]
            let e = Double(row[j + 2]) - c[j + 2], f = Double(row[j + 3]) - c[j + 3]
            s0 += a * a; s1 += b * b; s2 += e * e; s3 += f * f
            j += 4
        }
        while j < k { let a = Double(row[j]) - c[j]; s0 += a * a; j += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// (Σ_j row[j]², Σ_j row[j] g[j]), in Double.
    @inline(__always)
    static func sumSquaresAndDot(_ row: UnsafePointer<Float>, _ g: UnsafePointer<Float>, count k: Int) -> (Double, Double) {
        var s0 = 0.0, s1 = 0.0, t0 = 0.0, t1 = 0.0
        var j = 0
        while j + 2 <= k {
            let a = Double(row[j]), b = Double(row[j + 1])
            s0 += a * a; s1 += b * b
            t0 += a * Double(g[j]); t1 += b * Double(g[j + 1])
            j += 2
        }
        while j < k { let a = Double(row[j]); s0 += a * a; t0 += a * Double(g[j]); j += 1 }
        return (s0 + s1, t0 + t1)
    }
}
