import CKernels
import FedCore

/// The Gram matrix `G_ij = ⟨x_i, x_j⟩` of n row-major Float rows, without BLAS: register-tiled
/// FMA dot products (`fedsim_gram_block` in CKernels: 4 x 4 pairs per AVX-512 tile, 4 x 3
/// with AVX2, one 8-lane half of each product at a time), split between the cores.
///
/// Why not `ssyrk`: the system OpenBLAS (0.3.21, DYNAMIC_ARCH) does not recognise recent Xeons
/// and falls back to its generic "Prescott" SSE3 kernels, where `ssyrk` with small n and large
/// k reaches ≈ 12 GFLOP/s per core; this kernel runs the vector width the CPU has.
///
/// Precision: products and sums in Float over chunks of `chunk` columns (16 lanes, 64 terms
/// per lane), each chunk's sum added into Double; so rounding grows with the chunk length,
/// not with d. Determinism: the arithmetic is fixed by the lane layout, not by the vector
/// width (every kernel version gives the same bits); the columns are cut into super-blocks
/// of `superBlock` (fixed); each super-block's n x n Double partial has its own slot and the
/// slots are added in order (`BlockedPass`), whatever the thread count.
enum GramKernel {
    /// Columns per Float accumulation.
    static let chunk = 1_024
    /// Columns per unit of work between threads.
    static let superBlock = 16_384

    /// G, n x n row-major and exactly symmetric, for the n x d rows at `base` with leading
    /// dimension `lda`, computed by kernel version `isa` (default: the selected one).
    static func gram(_ base: UnsafePointer<Float>, rows n: Int, columns d: Int, lda: Int,
                     isa: Int32 = KernelISA.selectedCode) -> [Double] {
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
                    fedsim_gram_block(isa, x + c0, n, k, lda, chunk, p + blk * n * n)
                }
            }
        }
        return symmetricSum(partials, blocks: blocks, n: n)
    }

    /// The Gram matrix of n rows that `fill` writes chunk by chunk, just before the chunk's
    /// products: `fill(columns, rows)` gets a column range of at most `chunk` columns (the
    /// chunks of the same super-blocks as `gram(_:rows:columns:lda:)`) and n rows of that
    /// many Floats to write (leading dimension `columns.count`), from any of the pool's
    /// threads, each range once. The result has the same bits as `gram` on the rows `fill`
    /// writes, and the rows never need to exist as one matrix: FoolsGold adds the round's
    /// updates to the histories inside `fill`, so the histories are read once per round, and
    /// the chunk is still in cache when its products are taken.
    static func gram(rows n: Int, columns d: Int, isa: Int32 = KernelISA.selectedCode,
                     fill: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> [Double] {
        guard n > 0 else { return [] }
        let blocks = (d + superBlock - 1) / superBlock
        var partials = [Double](repeating: 0, count: blocks * n * n)
        withoutActuallyEscaping(fill) { fill in
            partials.withUnsafeMutableBufferPointer { pb in
                guard let p = pb.baseAddress else { return }
                let job = UncheckedSendable((p: p, fill: fill))
                BlockedPass.run(blocks: blocks, work: n * d * max(1, n / 4)) { range in
                    let (p, fill) = job.value
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: n * chunk)
                    defer { scratch.deallocate() }
                    for blk in range {
                        let end = min(d, (blk + 1) * superBlock)
                        var c0 = blk * superBlock
                        while c0 < end {
                            let k = min(chunk, end - c0)
                            fill(c0..<(c0 + k), scratch)
                            fedsim_gram_block(isa, scratch, n, k, k, chunk, p + blk * n * n)
                            c0 += k
                        }
                    }
                }
            }
        }
        return symmetricSum(partials, blocks: blocks, n: n)
    }

    /// Adds the super-blocks' partials in order and mirrors the upper triangle.
    private static func symmetricSum(_ partials: [Double], blocks: Int, n: Int) -> [Double] {
        var g = [Double](repeating: 0, count: n * n)
        for b in 0..<blocks {
            for t in 0..<(n * n) { g[t] += partials[b * n * n + t] }
        }
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) { g[j * n + i] = g[i * n + j] }
        }
        return g
    }
}
