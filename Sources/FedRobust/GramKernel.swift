import FedCore

/// The Gram matrix `G_ij = ⟨x_i, x_j⟩` of n row-major Float rows, without BLAS: register-tiled
/// SIMD dot products, split between the cores.
///
/// Why not `ssyrk`: the system OpenBLAS (0.3.21, DYNAMIC_ARCH) does not recognise recent Xeons
/// and falls back to its generic "Prescott" SSE3 kernels, where `ssyrk` with small n and large
/// k reaches ≈ 12 GFLOP/s per core. This kernel computes 2 x 2 tiles of rows (four products
/// per pair of loads, eight independent SIMD accumulators) and is about twice as fast with the
/// same SSE instructions; numpy's own OpenBLAS picks AVX-512 kernels.
///
/// Precision: products and sums in Float over chunks of `chunk` columns (128 terms per SIMD
/// lane), each chunk's sum added into Double; so rounding grows with the chunk length, not with
/// d (the BLAS path used blocks of 65,536). Determinism: the columns are cut into super-blocks
/// of `superBlock` (fixed); each super-block's n x n Double partial has its own slot and the
/// slots are added in order (`BlockedPass`), whatever the thread count.
enum GramKernel {
    /// Columns per Float accumulation.
    static let chunk = 1_024
    /// Columns per unit of work between threads.
    static let superBlock = 16_384

    /// G, n x n row-major and exactly symmetric, for the n x d rows at `base` with leading
    /// dimension `lda`.
    static func gram(_ base: UnsafePointer<Float>, rows n: Int, columns d: Int, lda: Int) -> [Double] {
        guard n > 0 else { return [] }
        let blocks = (d + superBlock - 1) / superBlock
        var partials = [Double](repeating: 0, count: blocks * n * n)
        partials.withUnsafeMutableBufferPointer { pb in
            guard let p = pb.baseAddress else { return }
            let job = UncheckedSendable((x: base, p: p))
            BlockedPass.run(blocks: blocks, work: n * d * max(1, n / 4)) { range in
                let (x, p) = job.value
                for blk in range {
                    let c0 = blk * superBlock
                    let k = min(superBlock, d - c0)
                    superBlockGram(x + c0, rows: n, columns: k, lda: lda, into: p + blk * n * n)
                }
            }
        }
        var g = [Double](repeating: 0, count: n * n)
        for b in 0..<blocks {
            for t in 0..<(n * n) { g[t] += partials[b * n * n + t] }
        }
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) { g[j * n + i] = g[i * n + j] }
        }
        return g
    }

    /// Adds into `out` (upper triangle, i ≤ j) the Gram of an n x k block, chunk by chunk.
    private static func superBlockGram(_ x: UnsafePointer<Float>, rows n: Int, columns k: Int, lda: Int,
                                       into out: UnsafeMutablePointer<Double>) {
        var c0 = 0
        while c0 < k {
            let w = min(chunk, k - c0)
            var i = 0
            while i < n {
                let i1 = min(i + 1, n - 1)
                var j = i
                while j < n {
                    let j1 = min(j + 1, n - 1)
                    let t = tile(x + i * lda + c0, x + i1 * lda + c0, x + j * lda + c0, x + j1 * lda + c0, count: w)
                    out[i * n + j] += t.0
                    if j1 != j { out[i * n + j1] += t.1 }
                    if i1 != i {
                        if i1 <= j { out[i1 * n + j] += t.2 }
                        if j1 != j { out[i1 * n + j1] += t.3 }
                    }
                    j += 2
                }
                i += 2
            }
            c0 += w
        }
    }

    /// (⟨a0, b0⟩, ⟨a0, b1⟩, ⟨a1, b0⟩, ⟨a1, b1⟩) over `count` columns, in Float (SIMD8).
    @inline(__always)
    private static func tile(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>,
                             _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>,
                             count w: Int) -> (Double, Double, Double, Double) {
        let ra0 = UnsafeRawPointer(a0), ra1 = UnsafeRawPointer(a1)
        let rb0 = UnsafeRawPointer(b0), rb1 = UnsafeRawPointer(b1)
        var s00 = SIMD8<Float>(), s01 = SIMD8<Float>(), s10 = SIMD8<Float>(), s11 = SIMD8<Float>()
        var c = 0
        while c + 8 <= w {
            let x0 = ra0.loadUnaligned(fromByteOffset: 4 * c, as: SIMD8<Float>.self)
            let x1 = ra1.loadUnaligned(fromByteOffset: 4 * c, as: SIMD8<Float>.self)
            let y0 = rb0.loadUnaligned(fromByteOffset: 4 * c, as: SIMD8<Float>.self)
            let y1 = rb1.loadUnaligned(fromByteOffset: 4 * c, as: SIMD8<Float>.self)
            s00 += x0 * y0; s01 += x0 * y1; s10 += x1 * y0; s11 += x1 * y1
            c += 8
        }
        var t00 = Double(s00.sum()), t01 = Double(s01.sum()), t10 = Double(s10.sum()), t11 = Double(s11.sum())
        while c < w {
            let x0 = Double(a0[c]), x1 = Double(a1[c]), y0 = Double(b0[c]), y1 = Double(b1[c])
            t00 += x0 * y0; t01 += x0 * y1; t10 += x1 * y0; t11 += x1 * y1
            c += 1
        }
        return (t00, t01, t10, t11)
    }
}
