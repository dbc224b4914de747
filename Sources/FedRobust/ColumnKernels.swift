#if canImport(Glibc)
import Glibc
#endif
import FedCore

/// Cache-blocked column passes over the row-major n x d update matrix, for the
/// coordinate-wise rules (median, trimmed mean).
///
/// Both rules are one computation, the **rank-window mean**: per coordinate k, order the n
/// values `x_{(0),k} ≤ … ≤ x_{(n-1),k}` and return
///
///     out_k = (1 / (n − 2b)) · Σ_{r = b}^{n−1−b} x_{(r),k}        (needs n − 2b ≥ 1)
///
/// Trimmed mean is the window with `b` trimmed at each end; the median is `b = ⌊(n−1)/2⌋`
/// (one middle value for odd n, the mean of the two middle values for even n: NumPy's
/// convention). Sums are in Double, the result is rounded to Float once.
///
/// The matrix is walked in blocks of B columns so that a block's n x B values stay in L1/L2:
/// - small n (≤ `networkMaxRows`): the block's rows are copied into a scratch n x B buffer and
///   a Batcher odd–even merge sorting network, pruned to what the window needs, runs on whole
///   rows: each comparator is a min/max of two rows of B floats, branch-free and vectorised
///   across the columns. No transpose, no data-dependent branches. The window rows then come
///   out in sorted order, so the sum is bit-for-bit the one of a naive per-column sort.
/// - large n: the block is transposed into a contiguous B x n buffer and each column of n
///   values gets a quickselect (Hoare partition, median-of-3 pivot, insertion sort below 16
///   values) for rank b, then for rank n−1−b on the right part: expected O(n) per column,
///   never a full sort.
///
/// Per-client attribution (which row's value was inside the window, for `ClientDecision`) is
/// an optional second vectorised pass over the block: a row counts in column k when its value
/// lies in `[x_{(b),k}, x_{(n−1−b),k}]`; ties at the window edges are broken by row index
/// (stable ranks), resolved by a scalar scan only in columns that have such ties.
///
/// Blocks are split between threads (`Parallel.run`) in contiguous ranges;
/// each thread writes only its own output columns and its own count array, and counts are
/// integers, so results do not depend on the thread count.
enum ColumnKernels {
    /// Largest n for which the sorting network is used. Measured (release, one thread, 2-core
    /// Xeon): median at n = 100, d = 10^6 takes 0.24 s with the network and 1.8 s with
    /// transpose + quickselect (branch mispredictions dominate); n = 200: 0.12 s vs 0.72 s per
    /// 2·10^5 columns; at n = 400 both take ≈ 1.4 s, so quickselect takes over above 256.
    static let networkMaxRows = 256

    /// Columns per block: the scratch block (n x B floats) should fit in L1/L2.
    static func blockWidth(rows n: Int, network: Bool) -> Int {
        let target = network ? 8_192 : 32_768        // floats in scratch (32 KiB: L1 / 128 KiB: L2)
        let w = max(16, min(4_096, target / max(n, 1)))
        return (w + 15) & ~15
    }

    /// Output of a rank-window pass.
    struct WindowMean: Sendable {
        /// Mean of ranks b...n−1−b per column.
        var values: [Float]
        /// Per row: number of columns in which its value was inside the window (empty when
        /// attribution was not requested). Sums to d · (n − 2b).
        var rowCounts: [Int]
    }

    /// Rank-window mean of every column of `m` (see the type's documentation).
    /// - Parameters:
    ///   - b: values trimmed at each end; needs `0 ≤ b` and `n − 2b ≥ 1`.
    ///   - attribute: also count, per row, the columns in which it was inside the window.
    ///   - maxThreads: 0 = one per active core; 1 = single-threaded.
    static func windowMean(_ m: UpdateMatrix, trim b: Int, attribute: Bool, maxThreads: Int = 0) -> WindowMean {
        let n = m.rows, d = m.columns
        precondition(n >= 1 && b >= 0 && n - 2 * b >= 1, "windowMean: n = \(n), b = \(b)")
        var out = LargeBuffer.zeros(count: d)
        guard d > 0 else { return WindowMean(values: out, rowCounts: attribute ? [Int](repeating: 0, count: n) : []) }

        let useNetwork = n <= networkMaxRows
        let width = blockWidth(rows: n, network: useNetwork)
        let blocks = (d + width - 1) / width
        let pairs = useNetwork ? SelectionNetwork.pairs(rows: n, trim: b) : []
        let workers = threadCount(work: n * d, blocks: blocks, maxThreads: maxThreads)
        var counts = [Int](repeating: 0, count: attribute ? n * workers : 0)

        m.values.withUnsafeBufferPointer { xb in
            out.withUnsafeMutableBufferPointer { ob in
                counts.withUnsafeMutableBufferPointer { cb in
                    pairs.withUnsafeBufferPointer { pb in
                        guard let x = xb.baseAddress, let o = ob.baseAddress else { return }
                        let job = BlockJob(x: x, out: o, counts: attribute ? cb.baseAddress : nil, pairs: pb,
                                           n: n, d: d, b: b, width: width, network: useNetwork)
                        if workers == 1 {
                            job.run(blocks: 0..<blocks, worker: 0)
                        } else {
                            Parallel.run(workers) { w in
                                let lo = blocks * w / workers, hi = blocks * (w + 1) / workers
                                job.run(blocks: lo..<hi, worker: w)
                            }
                        }
                    }
                }
            }
        }
        var rowCounts: [Int] = []
        if attribute {
            rowCounts = [Int](repeating: 0, count: n)
            for w in 0..<workers { for i in 0..<n { rowCounts[i] += counts[w * n + i] } }
        }
        return WindowMean(values: out, rowCounts: rowCounts)
    }

    /// Threads for a pass over `work` values: one per active core (capped by `maxThreads`
    /// when positive) for large matrices, one below 2^18 values where start-up dominates.
    static func threadCount(work: Int, blocks: Int, maxThreads: Int) -> Int {
        guard work >= 1 << 18 else { return 1 }
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let cap = maxThreads > 0 ? min(maxThreads, cores) : cores
        return max(1, min(cap, blocks))
    }

    // MARK: - Quickselect

    /// Reorders `a[lo...hi]` so that `a[k]` is its (k − lo)-th smallest value, everything
    /// before it is ≤ and everything after it is ≥ (Hoare partition, median-of-3 pivot,
    /// insertion sort for the last ≤ 16 values). Expected O(hi − lo).
    @inline(__always)
    static func select(_ a: UnsafeMutablePointer<Float>, _ lo0: Int, _ hi0: Int, _ k: Int) {
        var lo = lo0, hi = hi0
        while hi - lo > 16 {
            let mid = (lo + hi) >> 1
            if a[mid] < a[lo] { swap(a, mid, lo) }
            if a[hi] < a[lo] { swap(a, hi, lo) }
            if a[hi] < a[mid] { swap(a, hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while pivot < a[j] { j -= 1 }
                if i <= j {
                    let t = a[i]; a[i] = a[j]; a[j] = t
                    i += 1; j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
        insertionSort(a, lo, hi)
    }

    @inline(__always)
    private static func swap(_ a: UnsafeMutablePointer<Float>, _ i: Int, _ j: Int) {
        let t = a[i]; a[i] = a[j]; a[j] = t
    }

    /// Sorts `a[lo...hi]` ascending (stable, for short ranges).
    @inline(__always)
    static func insertionSort(_ a: UnsafeMutablePointer<Float>, _ lo: Int, _ hi: Int) {
        guard hi > lo else { return }
        for i in (lo + 1)...hi {
            let v = a[i]
            var j = i - 1
            while j >= lo && v < a[j] { a[j + 1] = a[j]; j -= 1 }
            a[j + 1] = v
        }
    }

    /// Calls `body(firstColumn, width, t)` for consecutive blocks of columns, where `t` holds
    /// the block transposed: column `firstColumn + k` is `t[k*n ..< (k+1)*n]`, in row order.
    /// `body` may reorder `t` freely. Single-threaded; for rules that need a custom kernel
    /// per coordinate (e.g. "keep the β values nearest the median").
    static func forEachTransposedBlock(
        _ m: UpdateMatrix,
        _ body: (_ firstColumn: Int, _ width: Int, _ t: UnsafeMutablePointer<Float>) throws -> Void
    ) rethrows {
        let n = m.rows, d = m.columns
        guard n > 0, d > 0 else { return }
        let width = blockWidth(rows: n, network: false)
        let t = UnsafeMutablePointer<Float>.allocate(capacity: n * width)
        defer { t.deallocate() }
        try m.values.withUnsafeBufferPointer { xb in
            guard let x = xb.baseAddress else { return }
            var c0 = 0
            while c0 < d {
                let w = min(width, d - c0)
                transpose(x + c0, rows: n, stride: d, width: w, into: t)
                try body(c0, w, t)
                c0 += w
            }
        }
    }

    /// t[k*n + i] = x[i*stride + k] for i < rows, k < width.
    @inline(__always)
    static func transpose(_ x: UnsafePointer<Float>, rows n: Int, stride: Int, width w: Int,
                          into t: UnsafeMutablePointer<Float>) {
        for i in 0..<n {
            let row = x + i * stride
            for k in 0..<w { t[k * n + i] = row[k] }
        }
    }
}

// MARK: - One thread's share of the blocks

/// Raw pointers of one pass; each worker writes disjoint output columns and its own counts.
private struct BlockJob: @unchecked Sendable {
    let x: UnsafePointer<Float>
    let out: UnsafeMutablePointer<Float>
    /// Per-worker row counts (n per worker), or nil without attribution. (Never derive this
    /// from the base address of an empty array: that is shared storage.)
    let counts: UnsafeMutablePointer<Int>?
    let pairs: UnsafeBufferPointer<Int32>
    let n: Int, d: Int, b: Int, width: Int
    let network: Bool

    func run(blocks: Range<Int>, worker: Int) {
        guard !blocks.isEmpty else { return }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: n * width)
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: width)
        let loV = UnsafeMutablePointer<Float>.allocate(capacity: width)
        let hiV = UnsafeMutablePointer<Float>.allocate(capacity: width)
        let below = UnsafeMutablePointer<Int32>.allocate(capacity: width)
        let above = UnsafeMutablePointer<Int32>.allocate(capacity: width)
        defer {
            scratch.deallocate(); acc.deallocate(); loV.deallocate(); hiV.deallocate()
            below.deallocate(); above.deallocate()
        }
        let rowCounts = counts.map { $0 + worker * n }
        let last = n - 1 - b
        let scale = 1 / Double(n - 2 * b)
        for blk in blocks {
            let c0 = blk * width
            let w = min(width, d - c0)
            if network {
                // Copy the block's rows, sort them with the pruned network, sum the window rows.
                for i in 0..<n { (scratch + i * w).update(from: x + i * d + c0, count: w) }
                var p = 0
                while p < pairs.count {
                    compareExchange(scratch + Int(pairs[p]) * w, scratch + Int(pairs[p + 1]) * w, count: w)
                    p += 2
                }
                for k in 0..<w { acc[k] = 0 }
                for r in b...last {
                    let row = scratch + r * w
                    for k in 0..<w { acc[k] += Double(row[k]) }
                }
                for k in 0..<w { out[c0 + k] = Float(acc[k] * scale) }
                if rowCounts != nil {
                    loV.update(from: scratch + b * w, count: w)
                    hiV.update(from: scratch + last * w, count: w)
                }
            } else {
                ColumnKernels.transpose(x + c0, rows: n, stride: d, width: w, into: scratch)
                for k in 0..<w {
                    let col = scratch + k * n
                    ColumnKernels.select(col, 0, n - 1, b)
                    if last > b { ColumnKernels.select(col, b + 1, n - 1, last) }
                    var s = 0.0
                    for r in b...last { s += Double(col[r]) }
                    out[c0 + k] = Float(s * scale)
                    loV[k] = col[b]
                    hiV[k] = col[last]
                }
            }
            if let rc = rowCounts { attribute(c0: c0, w: w, lo: loV, hi: hiV, below: below, above: above, into: rc) }
        }
    }

    /// r[k], s[k] = min(r[k], s[k]), max(r[k], s[k]) for k < count, eight lanes at a time
    /// (explicit SIMD: written as one scalar select, LLVM turns the min into masked scalar stores;
    /// `pointwiseMin` is not inlined).
    @inline(__always)
    private func compareExchange(_ r: UnsafeMutablePointer<Float>, _ s: UnsafeMutablePointer<Float>, count w: Int) {
        let rr = UnsafeMutableRawPointer(r), sr = UnsafeMutableRawPointer(s)
        var k = 0
        while k + 8 <= w {
            let u = rr.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
            let v = sr.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
            let swap = v .< u
            rr.storeBytes(of: u.replacing(with: v, where: swap), toByteOffset: 4 * k, as: SIMD8<Float>.self)
            sr.storeBytes(of: v.replacing(with: u, where: swap), toByteOffset: 4 * k, as: SIMD8<Float>.self)
            k += 8
        }
        while k < w {
            let u = r[k], v = s[k]
            r[k] = Swift.min(u, v)
            s[k] = Swift.max(u, v)
            k += 1
        }
    }

    /// Adds to `rc[i]` the number of columns of this block where row i is inside the window.
    private func attribute(c0: Int, w: Int, lo: UnsafeMutablePointer<Float>, hi: UnsafeMutablePointer<Float>,
                           below: UnsafeMutablePointer<Int32>, above: UnsafeMutablePointer<Int32>,
                           into rc: UnsafeMutablePointer<Int>) {
        for k in 0..<w { below[k] = 0; above[k] = 0 }
        for i in 0..<n {
            let row = x + i * d + c0
            var c: Int32 = 0
            for k in 0..<w {
                let v = row[k]
                let isBelow: Int32 = v < lo[k] ? 1 : 0
                let isAbove: Int32 = v > hi[k] ? 1 : 0
                below[k] &+= isBelow
                above[k] &+= isAbove
                c &+= 1 &- isBelow &- isAbove
            }
            rc[i] += Int(c)
        }
        // Rows equal to an edge value are all counted above; with ties at an edge, the first
        // (b − #below) of them by index rank below the window, the last (b − #above) above it.
        for k in 0..<w {
            let t1 = b - Int(below[k]), t2 = b - Int(above[k])
            guard t1 > 0 || t2 > 0 else { continue }
            let l = lo[k], h = hi[k]
            var drop = t1
            var i = 0
            while drop > 0 && i < n {
                if x[i * d + c0 + k] == l { rc[i] -= 1; drop -= 1 }
                i += 1
            }
            drop = t2
            i = n - 1
            while drop > 0 && i >= 0 {
                if x[i * d + c0 + k] == h { rc[i] -= 1; drop -= 1 }
                i -= 1
            }
        }
    }
}

// MARK: - Sorting network

/// Batcher's odd–even merge sort for n wires (padded to a power of two with +∞ wires, whose
/// comparators are no-ops and are dropped), pruned for a rank window [b, n−1−b]: walking
/// backwards, a comparator is dropped when neither output wire is read later, both outputs
/// end on the same side of the window (both below, or both above) and neither is an edge.
/// The window rows keep every comparator, so they come out fully sorted.
enum SelectionNetwork {
    /// Flattened comparator pairs (low wire, high wire), in execution order.
    static func pairs(rows n: Int, trim b: Int) -> [Int32] {
        guard n > 1 else { return [] }
        var size = 1
        while size < n { size <<= 1 }
        var all: [(Int, Int)] = []
        var p = 1
        while p < size {
            var k = p
            while k >= 1 {
                var j = k % p
                while j + k < size {
                    for i in 0..<min(k, size - j - k) where (i + j) / (2 * p) == (i + j + k) / (2 * p) {
                        if i + j + k < n { all.append((i + j, i + j + k)) }
                    }
                    j += 2 * k
                }
                k /= 2
            }
            p <<= 1
        }
        let last = n - 1 - b
        func side(_ w: Int) -> Int { w < b ? 0 : (w > last ? 2 : 1) }
        var read = [Bool](repeating: false, count: n)
        var kept: [(Int, Int)] = []
        for (i, j) in all.reversed() {
            if !read[i] && !read[j] && side(i) == side(j) && side(i) != 1 { continue }
            kept.append((i, j))
            read[i] = true
            read[j] = true
        }
        var flat: [Int32] = []
        flat.reserveCapacity(2 * kept.count)
        for (i, j) in kept.reversed() { flat.append(Int32(i)); flat.append(Int32(j)) }
        return flat
    }
}
