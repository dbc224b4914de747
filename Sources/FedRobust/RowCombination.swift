import FedCore

/// The weighted row combination, the one kernel behind every mean-like step:
///
///     out_j = s · o_j + Σ_i c_i x_ij          (o: optional offset vector, s its scale)
///
/// FedAvg / `WeightedMean` (c = w / Σ w), Multi-Krum (c = 1/m on the chosen rows), FLTrust
/// (trust-weighted, rescaled rows), FoolsGold (α / n), norm bounding (α_i · min(1, M/||x_i||)),
/// centered clipping (o = the centre, s = 1 − Σ s_i / n) and every Weiszfeld step of the
/// geometric median (c = β, fused with the distances to the result, see
/// `combineWithDistances`).
///
/// Accumulates in Double (ALGORITHMS.md section 0) over column blocks (`blockWidth`), so the
/// accumulator stays in L1/L2 while each row's block streams in; rows are added four at a
/// time (`a_j += c_0 x_0j + c_1 x_1j + c_2 x_2j + c_3 x_3j`), so the accumulator is read and
/// written once per four rows. One read of the rows with a non-zero coefficient, one write of
/// the result. Blocks are split between the cores (`BlockedPass`); each output coordinate is
/// the same sum in the same row order whatever the thread count, so results are reproducible.
enum RowCombination {
    /// Columns per block for n rows: n x B Floats ≤ 1 MiB, so a block's rows are still in L2
    /// when the fused distance pass re-reads them; 512 ≤ B ≤ 8,192 (64 KiB of accumulator).
    static func blockWidth(rows n: Int) -> Int {
        max(512, min(8_192, (1 << 18) / max(n, 1))) & ~63
    }

    /// `Σ_i coefficients[i] · row_i (+ offsetScale · offset)`; rows whose coefficient is 0 are
    /// not read.
    static func combine(_ matrix: UpdateMatrix, coefficients: [Double],
                        offset: [Float]? = nil, offsetScale: Double = 1) -> [Float] {
        run(matrix, coefficients: coefficients, offset: offset, offsetScale: offsetScale, distances: false).values
    }

    /// `v = Σ_i c_i x_i` and, in the same pass over the matrix, `||x_i − v||₂` for EVERY row
    /// (coefficient 0 included), with v in Double before rounding: each block's rows are
    /// re-read from cache right after the block of v is complete. One Weiszfeld step.
    static func combineWithDistances(_ matrix: UpdateMatrix, coefficients: [Double]) -> (values: [Float], distances: [Double]) {
        let r = run(matrix, coefficients: coefficients, offset: nil, offsetScale: 1, distances: true)
        return (r.values, r.squaredDistances.map { $0.squareRoot() })
    }

    /// The plain (unweighted) mean of `rows` (distinct row indices).
    static func mean(_ matrix: UpdateMatrix, rows: [Int]) -> [Float] {
        var c = [Double](repeating: 0, count: matrix.rows)
        for i in rows { c[i] = 1 / Double(rows.count) }
        return combine(matrix, coefficients: c)
    }

    // MARK: - Pass

    private static func run(_ matrix: UpdateMatrix, coefficients: [Double], offset: [Float]?, offsetScale: Double,
                            distances: Bool) -> (values: [Float], squaredDistances: [Double]) {
        let n = matrix.rows, d = matrix.columns
        precondition(coefficients.count == n, "RowCombination: \(coefficients.count) coefficients for \(n) rows")
        precondition(offset.map { $0.count == d } ?? true, "RowCombination: offset of \(offset?.count ?? 0) values for \(d) columns")
        let used = coefficients.indices.filter { coefficients[$0] != 0 }
        let c = used.map { coefficients[$0] }
        let width = blockWidth(rows: n)
        let blocks = (d + width - 1) / width
        var partials = [Double](repeating: 0, count: distances ? n * blocks : 0)
        let off = offset ?? []
        let values = [Float](unsafeUninitializedCapacity: d) { ob, count in
            count = d
            guard d > 0 else { return }
            matrix.values.withUnsafeBufferPointer { xb in
                used.withUnsafeBufferPointer { ub in
                    c.withUnsafeBufferPointer { cb in
                        off.withUnsafeBufferPointer { offb in
                            partials.withUnsafeMutableBufferPointer { pb in
                                guard let x = xb.baseAddress, let o = ob.baseAddress else { return }
                                let job = CombineJob(
                                    x: x, n: n, d: d, width: width, rows: ub, coefficients: cb, out: o,
                                    offset: offset == nil ? nil : offb.baseAddress, offsetScale: offsetScale,
                                    partials: distances ? pb.baseAddress : nil)
                                BlockedPass.run(blocks: blocks, work: (used.count + (distances ? n : 0)) * d) {
                                    job.run(blocks: $0)
                                }
                            }
                        }
                    }
                }
            }
        }
        guard distances else { return (values, []) }
        let sq = partials.withUnsafeBufferPointer { BlockedPass.sumPartials($0, rows: n, blocks: blocks) }
        return (values, sq)
    }
}

// MARK: - One worker's blocks

/// Raw pointers of one combination pass; each block writes its own output columns and its
/// own n partial sums.
private struct CombineJob {
    let x: UnsafePointer<Float>
    let n: Int, d: Int, width: Int
    /// Rows with a non-zero coefficient, ascending, and their coefficients.
    let rows: UnsafeBufferPointer<Int>
    let coefficients: UnsafeBufferPointer<Double>
    let out: UnsafeMutablePointer<Float>
    let offset: UnsafePointer<Float>?
    let offsetScale: Double
    /// `partials[b * n + i]` = Σ over block b of (x_ij − v_j)², or nil (no distances).
    let partials: UnsafeMutablePointer<Double>?

    func run(blocks: Range<Int>) {
        guard !blocks.isEmpty else { return }
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: width)
        defer { acc.deallocate() }
        for blk in blocks {
            let c0 = blk * width
            let k = min(width, d - c0)
            if let o = offset {
                let s = offsetScale
                for j in 0..<k { acc[j] = s * Double(o[c0 + j]) }
            } else {
                for j in 0..<k { acc[j] = 0 }
            }
            accumulate(into: acc, c0: c0, k: k)
            for j in 0..<k { out[c0 + j] = Float(acc[j]) }
            if let p = partials {
                for i in 0..<n { p[blk * n + i] = squaredDistance(x + i * d + c0, acc, count: k) }
            }
        }
    }

    /// acc[j] += Σ_i c_i x_i[c0 + j], four rows per sweep.
    @inline(__always)
    private func accumulate(into a: UnsafeMutablePointer<Double>, c0: Int, k: Int) {
        var g = 0
        let m = rows.count
        while g + 4 <= m {
            let r0 = x + rows[g] * d + c0, r1 = x + rows[g + 1] * d + c0
            let r2 = x + rows[g + 2] * d + c0, r3 = x + rows[g + 3] * d + c0
            let w0 = coefficients[g], w1 = coefficients[g + 1], w2 = coefficients[g + 2], w3 = coefficients[g + 3]
            for j in 0..<k {
                a[j] += (w0 * Double(r0[j]) + w1 * Double(r1[j])) + (w2 * Double(r2[j]) + w3 * Double(r3[j]))
            }
            g += 4
        }
        switch m - g {
        case 3:
            let r0 = x + rows[g] * d + c0, r1 = x + rows[g + 1] * d + c0, r2 = x + rows[g + 2] * d + c0
            let w0 = coefficients[g], w1 = coefficients[g + 1], w2 = coefficients[g + 2]
            for j in 0..<k { a[j] += (w0 * Double(r0[j]) + w1 * Double(r1[j])) + w2 * Double(r2[j]) }
        case 2:
            let r0 = x + rows[g] * d + c0, r1 = x + rows[g + 1] * d + c0
            let w0 = coefficients[g], w1 = coefficients[g + 1]
            for j in 0..<k { a[j] += w0 * Double(r0[j]) + w1 * Double(r1[j]) }
        case 1:
            let r0 = x + rows[g] * d + c0
            let w0 = coefficients[g]
            for j in 0..<k { a[j] += w0 * Double(r0[j]) }
        default:
            break
        }
    }

    /// Σ_j (row[j] − v[j])², in Double with four partial sums.
    @inline(__always)
    private func squaredDistance(_ row: UnsafePointer<Float>, _ v: UnsafePointer<Double>, count k: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var j = 0
        while j + 4 <= k {
            let a = Double(row[j]) - v[j], b = Double(row[j + 1]) - v[j + 1]
            let e = Double(row[j + 2]) - v[j + 2], f = Double(row[j + 3]) - v[j + 3]
            s0 += a * a; s1 += b * b; s2 += e * e; s3 += f * f
            j += 4
        }
        while j < k { let a = Double(row[j]) - v[j]; s0 += a * a; j += 1 }
        return (s0 + s1) + (s2 + s3)
    }
}
