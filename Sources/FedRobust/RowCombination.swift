import CKernels
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
/// Accumulates in Double (docs/ALGORITHMS.md section 0) over column blocks (`combineWidth`, or
/// `blockWidth` with the distance pass), so the accumulator stays in L1/L2 while each row's
/// block streams in; rows are added up to eight at a time in a fixed tree
/// (`fedsim_combine_rows` in CKernels, AVX-512 / AVX2 / portable versions with the same
/// bits), so the accumulator is read and written once per group. One read of the rows with a
/// non-zero coefficient, one write of the result; bound by memory bandwidth (the benchmark's
/// memory floor). Blocks are split between the cores (`BlockedPass`); each output coordinate
/// is the same sum in the same row order whatever the thread count or the CPU, so results
/// are reproducible.
enum RowCombination {
    /// Columns per block for n rows: n x B Floats ≤ 1 MiB, so a block's rows are still in L2
    /// when the fused distance pass re-reads them; 512 ≤ B ≤ 8,192 (64 KiB of accumulator).
    static func blockWidth(rows n: Int) -> Int {
        max(512, min(8_192, (1 << 18) / max(n, 1))) & ~63
    }

    /// Columns per block without the distance pass: 16 KiB of accumulator, in L1 (measured
    /// best for n = 20 to 100; the block width never changes the numbers, only the speed).
    static let combineWidth = 2_048

    /// `Σ_i coefficients[i] · row_i (+ offsetScale · offset)`; rows whose coefficient is 0 are
    /// not read.
    static func combine(_ matrix: UpdateMatrix, coefficients: [Double],
                        offset: [Float]? = nil, offsetScale: Double = 1,
                        isa: Int32 = KernelISA.selectedCode) -> [Float] {
        run(matrix, coefficients: coefficients, offset: offset, offsetScale: offsetScale, distances: false, isa: isa).values
    }

    /// `v = Σ_i c_i x_i` and, in the same pass over the matrix, `||x_i − v||₂` for EVERY row
    /// (coefficient 0 included), with v in Double before rounding: each block's rows are
    /// re-read from cache right after the block of v is complete. One Weiszfeld step.
    static func combineWithDistances(_ matrix: UpdateMatrix, coefficients: [Double],
                                     isa: Int32 = KernelISA.selectedCode) -> (values: [Float], distances: [Double]) {
        let r = run(matrix, coefficients: coefficients, offset: nil, offsetScale: 1, distances: true, isa: isa)
        return (r.values, r.squaredDistances.map { $0.squareRoot() })
    }

    /// `combine` with an offset, fused with the squared distance of every row to the Float
    /// result: (out, ||x_i − out||² for every i). Centered clipping's iterations use it, so
    /// that each iteration after the first reads the rows once (the block is still in L2
    /// for the distance pass) instead of twice. The distances are to the rounded Float
    /// result, as `RowNormKernels.distances(_:to:)` measures to a Float centre, summed per
    /// block (`fedsim_squared_distance`, lane j mod 8) and the blocks in order.
    static func combineWithDistancesToResult(_ matrix: UpdateMatrix, coefficients: [Double],
                                             offset: [Float]?, offsetScale: Double,
                                             isa: Int32 = KernelISA.selectedCode) -> (values: [Float], squaredDistances: [Double]) {
        run(matrix, coefficients: coefficients, offset: offset, offsetScale: offsetScale, distances: true,
            toRounded: true, isa: isa)
    }

    /// The plain (unweighted) mean of `rows` (distinct row indices).
    static func mean(_ matrix: UpdateMatrix, rows: [Int]) -> [Float] {
        var c = [Double](repeating: 0, count: matrix.rows)
        for i in rows { c[i] = 1 / Double(rows.count) }
        return combine(matrix, coefficients: c)
    }

    // MARK: - Pass

    private static func run(_ matrix: UpdateMatrix, coefficients: [Double], offset: [Float]?, offsetScale: Double,
                            distances: Bool, toRounded: Bool = false, isa: Int32) -> (values: [Float], squaredDistances: [Double]) {
        let n = matrix.rows, d = matrix.columns
        precondition(coefficients.count == n, "RowCombination: \(coefficients.count) coefficients for \(n) rows")
        precondition(offset.map { $0.count == d } ?? true, "RowCombination: offset of \(offset?.count ?? 0) values for \(d) columns")
        let used = coefficients.indices.filter { coefficients[$0] != 0 }
        let c = used.map { coefficients[$0] }
        let width = distances ? blockWidth(rows: n) : combineWidth
        let blocks = (d + width - 1) / width
        var partials = [Double](repeating: 0, count: distances ? n * blocks : 0)
        let off = offset ?? []
        // Every column block writes its own output columns (huge pages for a large d).
        let values = LargeBuffer.floats(count: d) { ob in
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
                                    partials: distances ? pb.baseAddress : nil, toRounded: toRounded, isa: isa)
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
    /// Distances to the Float result (acc rounded to Float) rather than to the Double acc.
    let toRounded: Bool
    /// Kernel version (`KernelISA`).
    let isa: Int32

    func run(blocks: Range<Int>) {
        guard !blocks.isEmpty else { return }
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: width)
        defer { acc.deallocate() }
        for blk in blocks {
            let c0 = blk * width
            let k = min(width, d - c0)
            fedsim_combine_block(isa, x, d, rows.baseAddress, coefficients.baseAddress, rows.count, c0, k,
                                 offset, offsetScale, acc, out)
            if let p = partials {
                if toRounded {
                    for j in 0..<k { acc[j] = Double(out[c0 + j]) }
                }
                for i in 0..<n { p[blk * n + i] = squaredDistance(x + i * d + c0, acc, count: k) }
            }
        }
    }

    /// Σ_j (row[j] − v[j])², in Double (`fedsim_squared_distance`: eight lanes, no FMA).
    @inline(__always)
    private func squaredDistance(_ row: UnsafePointer<Float>, _ v: UnsafePointer<Double>, count k: Int) -> Double {
        fedsim_squared_distance(isa, row, v, k)
    }
}
