import CBLAS
import FedCore

/// The Gram matrix `G = X Xᵀ` of n vectors of dimension d: `G_ij = ⟨x_i, x_j⟩`.
///
/// This is the hot path of every distance-based rule (Krum, Multi-Krum, Bulyan) and of
/// FoolsGold: everything they need about pairs of updates follows from G in O(n²) —
/// squared norms (the diagonal), squared distances `||x_i − x_j||² = G_ii + G_jj − 2 G_ij`
/// and cosines `G_ij / sqrt(G_ii G_jj)`. The only O(n²d) work is one symmetric rank-k
/// update (BLAS `ssyrk`, n(n+1)d/2 multiply-adds, half of a general `sgemm`), done once per
/// round; nothing else in these rules touches all n²d products. Contiguous rows (the update
/// matrix, FoolsGold's history store) go through `GramKernel` (threaded SIMD tiles, faster
/// than the system OpenBLAS's generic kernels); gathered rows (`init(rows:columns:fill:)`)
/// through `ssyrk` per block.
///
/// Precision trade-off (Float products, Double combination): the inputs are Float32 and so
/// are the BLAS inner products; the columns are split into blocks of at most
/// `blockWidth` (default 65,536) and each block's Float Gram is added into a Double
/// accumulator, so rounding grows with the block length, not with d. The n x n result and
/// everything derived from it (distances, cosines) are Double. The remaining weakness is
/// the usual one of the Gram trick: a squared distance that is tiny compared with the
/// squared norms (vectors almost equal, far from the origin) loses relative precision by
/// about `eps_float · (||x_i||² + ||x_j||²) / ||x_i − x_j||²`; distances are clamped at 0.
/// FL updates (deltas) are centred near zero, where this is harmless; the direct
/// difference would cost a second O(n²d) pass, which we do not pay.
///
/// Large d: the update matrix is read in place (no copy); a block is a column range of
/// the row-major buffer passed with leading dimension d, which also keeps BLAS's 32-bit
/// sizes in range for any d (one row must still fit a 32-bit leading dimension, d < 2³¹).
public struct Gram: Sendable, Equatable {
    /// Number of vectors.
    public let n: Int
    /// `G` row-major, n x n, symmetric (exactly: the lower triangle is a mirror).
    public let values: [Double]

    /// Default number of columns per BLAS call (see the precision note above).
    public static let defaultBlockWidth = 1 << 16

    /// Wraps a symmetric n x n matrix given row-major.
    public init(n: Int, values: [Double]) {
        precondition(values.count == n * n, "Gram: \(values.count) values for \(n) x \(n)")
        self.n = n
        self.values = values
    }

    /// The Gram matrix of the rows of `matrix`, read in place.
    public init(_ matrix: UpdateMatrix, blockWidth: Int = Gram.defaultBlockWidth) {
        let n = matrix.rows, d = matrix.columns
        precondition(blockWidth > 0, "Gram: block width must be positive; got \(blockWidth)")
        precondition(d < Int(Int32.max), "Gram: d = \(d) exceeds BLAS's 32-bit leading dimension")
        let values = matrix.values.withUnsafeBufferPointer { x -> [Double] in
            guard let base = x.baseAddress else { return [Double](repeating: 0, count: n * n) }
            return Gram.accumulate(base, rows: n, columns: d, lda: d, blockWidth: blockWidth)
        }
        self.init(n: n, values: values)
    }

    /// The Gram matrix of the n x d row-major block at `base` with leading dimension `lda`
    /// (FoolsGold's contiguous histories), read in place.
    init(rows n: Int, columns d: Int, base: UnsafePointer<Float>, lda: Int, blockWidth: Int = Gram.defaultBlockWidth) {
        precondition(lda >= d && lda < Int(Int32.max), "Gram: leading dimension \(lda) for d = \(d)")
        self.init(n: n, values: Gram.accumulate(base, rows: n, columns: d, lda: lda, blockWidth: blockWidth))
    }

    /// `blockWidth` is kept for the API; `GramKernel` uses its own fixed chunks.
    private static func accumulate(_ base: UnsafePointer<Float>, rows n: Int, columns d: Int, lda: Int,
                                   blockWidth: Int) -> [Double] {
        GramKernel.gram(base, rows: n, columns: d, lda: lda)
    }

    /// The Gram matrix of n rows that are not stored contiguously (FoolsGold's histories).
    /// `fill(columns, block)` must write, for every row i, the values of row i in `columns`
    /// into `block[i * columns.count ..< (i + 1) * columns.count]`. Only one block of
    /// n x blockWidth Floats is allocated, whatever d is.
    public init(rows n: Int, columns d: Int, blockWidth: Int = 1 << 14,
                fill: (Range<Int>, UnsafeMutableBufferPointer<Float>) -> Void) {
        precondition(blockWidth > 0, "Gram: block width must be positive; got \(blockWidth)")
        var acc = Accumulator(n: n)
        let width = max(1, min(blockWidth, d))
        var block = [Float](repeating: 0, count: n * width)
        block.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return }
            var c0 = 0
            while c0 < d {
                let k = min(width, d - c0)
                fill(c0..<(c0 + k), UnsafeMutableBufferPointer(start: base, count: n * k))
                acc.add(base, k: k, lda: k)
                c0 += k
            }
        }
        self.init(n: n, values: acc.finish())
    }

    /// `G_ij`.
    @inlinable public subscript(i: Int, j: Int) -> Double { values[i * n + j] }

    /// `||x_i||²`, the diagonal of G.
    public var squaredNorms: [Double] { (0..<n).map { values[$0 * n + $0] } }

    /// `||x_i||`.
    public var norms: [Double] { squaredNorms.map { $0.squareRoot() } }

    /// Pairwise squared Euclidean distances.
    public var distances: PairwiseDistances { PairwiseDistances(gram: self) }

    /// Cosine similarities `G_ij / (||x_i|| ||x_j||)`, n x n row-major, clamped to [−1, 1];
    /// a zero vector has cosine 0 with every vector, itself included. The diagonal is 1 for
    /// a non-zero vector.
    public var cosines: [Double] {
        let sq = squaredNorms
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n where sq[i] > 0 {
            for j in i..<n where sq[j] > 0 {
                let v = i == j ? 1 : min(1, max(-1, values[i * n + j] / (sq[i] * sq[j]).squareRoot()))
                c[i * n + j] = v
                c[j * n + i] = v
            }
        }
        return c
    }

    // MARK: - Accumulation

    /// Float Gram per block (`ssyrk`, upper triangle) added into a Double upper triangle.
    private struct Accumulator {
        let n: Int
        var sum: [Double]
        var block: [Float]

        init(n: Int) {
            self.n = n
            sum = [Double](repeating: 0, count: n * n)
            block = [Float](repeating: 0, count: n * n)
        }

        /// Adds `A Aᵀ` for the n x k row-major block at `a` with leading dimension `lda`.
        mutating func add(_ a: UnsafePointer<Float>, k: Int, lda: Int) {
            guard n > 0, k > 0 else { return }
            let n = self.n
            block.withUnsafeMutableBufferPointer { c in
                guard let pc = c.baseAddress else { return }
                cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans,
                            blasint(n), blasint(k), 1, a, blasint(lda), 0, pc, blasint(n))
                sum.withUnsafeMutableBufferPointer { s in
                    for i in 0..<n {
                        for j in i..<n { s[i * n + j] += Double(c[i * n + j]) }
                    }
                }
            }
        }

        /// The full symmetric matrix (upper triangle mirrored).
        func finish() -> [Double] {
            var g = sum
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) { g[j * n + i] = g[i * n + j] }
            }
            return g
        }
    }
}

/// Squared Euclidean distances between n vectors, from their Gram matrix:
///
///     D_ij = ||x_i||² + ||x_j||² − 2⟨x_i, x_j⟩   (Double, clamped at 0; D_ii = 0)
///
/// Computed once per round and shared by Krum's scores and Bulyan's repeated Krum
/// selections (which never recompute distances). See `Gram` for the precision trade-off.
public struct PairwiseDistances: Sendable, Equatable {
    /// Number of vectors.
    public let n: Int
    /// n x n row-major, symmetric, diagonal 0, every entry ≥ 0.
    public let squared: [Double]

    /// Wraps a precomputed matrix (tests, other kernels).
    public init(n: Int, squared: [Double]) {
        precondition(squared.count == n * n, "PairwiseDistances: \(squared.count) values for \(n) x \(n)")
        self.n = n
        self.squared = squared
    }

    /// Distances from a Gram matrix (O(n²)).
    public init(gram: Gram) {
        let n = gram.n
        let g = gram.values
        var d = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let v = max(0, g[i * n + i] + g[j * n + j] - 2 * g[i * n + j])
                d[i * n + j] = v
                d[j * n + i] = v
            }
        }
        self.init(n: n, squared: d)
    }

    /// Distances between the rows of `matrix` (one `Gram`, i.e. one pass of `ssyrk`).
    public init(_ matrix: UpdateMatrix) {
        self.init(gram: Gram(matrix))
    }

    /// `||x_i − x_j||²`.
    @inlinable public subscript(i: Int, j: Int) -> Double { squared[i * n + j] }
}
