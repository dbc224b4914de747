import FedCore
import Foundation

/// Bulyan (El Mhamdi, Guerraoui & Rouault, ICML 2018): Krum selection, then a trimmed
/// average per coordinate around the median of the selected vectors.
///
/// With θ = n − 2f and β = θ − 2f (= n − 4f):
/// 1. Selection: R = all rows, S = ∅; θ times, run Krum on R (same f, neighbours
///    |R| − f − 2, the n − f − 2 rule applied to the shrinking set) and move the winner
///    (ties → smallest index) from R to S. All θ rounds reuse ONE distance matrix.
/// 2. Per coordinate k: among the θ values {s_k : s ∈ S}, keep the β closest to their
///    median (NumPy convention for even θ; ties in distance → earlier in S) and average them.
///
/// Needs n ≥ 4f + 3; checked up front with the numbers in the message. FLPoison uses
/// β = n − 2f, i.e. no coordinate trimming; we follow the paper (docs/ALGORITHMS.md 2.5).
///
/// Cost: one Gram matrix (`ssyrk`, O(n²d)), θ Krum scorings in O(n³ log n), then one
/// column pass: blocks of columns of the θ selected rows are transposed into a contiguous
/// scratch, and each coordinate is reduced without a sort — for θ ≤ 64 by branch-free
/// stable ranks (O(θ²) compares, 4 lanes at a time; measured 2x faster than selection
/// there, whose compares are mispredicted), above that by two quickselects (median, then
/// the β-th distance) in O(θ). The column pass runs on all active processors (results do
/// not depend on the number of threads).
///
/// Decisions: rows in S are selected, with weight 1/θ (each selected row enters β of the θ
/// slots of every coordinate, on average 1/θ of the aggregate; the exact share varies by
/// coordinate); score = order of selection (1 = chosen first), nil for rows not in S.
/// Figures: "f_used", plus "f_estimate" with `f: .auto` (f_max = ⌊(n − 3)/4⌋).
public struct Bulyan: Aggregator {
    /// The number of Byzantine updates tolerated, fixed or estimated each round.
    public let f: FSetting

    public var name: String { "bulyan" }

    /// - Throws: `.parameter` for a negative fixed f.
    public init(f: FSetting) throws(AggregatorError) {
        try f.validate(rule: "bulyan")
        self.f = f
    }

    /// The largest f Bulyan tolerates with n updates, ⌊(n − 3)/4⌋ (−1 when n < 3).
    public static func fMax(n: Int) -> Int {
        n >= 3 ? (n - 3) / 4 : -1
    }

    public func check(n: Int) throws(AggregatorError) {
        let fMax = Bulyan.fMax(n: n)
        switch f {
        case let .fixed(f) where f > fMax:
            throw Bulyan.preconditionError(n: n, f: f)
        case .auto where fMax < 0:
            throw Bulyan.preconditionError(n: n, f: 0)
        default:
            return
        }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        let n = updates.rows
        let (f, estimate) = try self.f.resolve(updates, fMax: Bulyan.fMax(n: n)) { f in
            Bulyan.preconditionError(n: n, f: f)
        }
        let theta = n - 2 * f
        let beta = theta - 2 * f
        let order = Bulyan.selection(distances: PairwiseDistances(updates), f: f)
        let aggregate = Bulyan.trimmedAroundMedian(updates, rows: order, keep: beta)
        var decisions = [ClientDecision](repeating: ClientDecision(selected: false, weight: 0), count: n)
        for (rank, i) in order.enumerated() {
            decisions[i] = ClientDecision(selected: true, weight: 1 / Double(theta), score: Double(rank + 1))
        }
        return AggregationResult(aggregate: aggregate, decisions: decisions,
                                 figures: FSetting.figures(f: f, estimate: estimate))
    }

    /// "bulyan needs n >= 4f + 3; got n = 10, f = 2".
    static func preconditionError(n: Int, f: Int) -> AggregatorError {
        .precondition(rule: "bulyan", requirement: "n >= 4f + 3", n: n, f: f)
    }

    // MARK: - Stage 1: iterated Krum

    /// The θ = n − 2f rows chosen by iterated Krum, in order of selection.
    public static func selection(distances: PairwiseDistances, f: Int) -> [Int] {
        var remaining = Array(0..<distances.n)
        var chosen: [Int] = []
        let theta = max(0, distances.n - 2 * f)
        chosen.reserveCapacity(theta)
        for _ in 0..<theta {
            let s = Krum.scores(distances: distances, f: f, among: remaining)
            let w = Krum.lowest(s, count: 1)[0]   // `remaining` is ascending: ties → smallest index
            chosen.append(remaining.remove(at: w))
        }
        return chosen
    }

    // MARK: - Stage 2: per-coordinate trimmed mean around the median

    /// Per coordinate, the mean of the `keep` values of `rows` closest to their median
    /// (ties in distance → earlier in `rows`).
    public static func trimmedAroundMedian(_ updates: UpdateMatrix, rows: [Int], keep beta: Int) -> [Float] {
        let d = updates.columns, theta = rows.count
        precondition(beta >= 1 && beta <= theta, "Bulyan: keep \(beta) of \(theta) values")
        var out = LargeBuffer.zeros(count: d)
        guard d > 0 else { return out }
        // Blocks of ~64 K floats of scratch per worker (fits L2 with the rows streaming in).
        let width = max(16, min(d, (1 << 16) / theta))
        let blocks = (d + width - 1) / width
        let workers = max(1, min(blocks, ProcessInfo.processInfo.activeProcessorCount))
        updates.values.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                guard let x = xs.baseAddress, let o = os.baseAddress else { return }
                let job = ColumnJob(x: x, out: o, d: d, rows: rows, beta: beta, width: width, blocks: blocks)
                if workers == 1 {
                    job.run(worker: 0, of: 1)
                } else {
                    Parallel.run(workers) { w in job.run(worker: w, of: workers) }
                }
            }
        }
        return out
    }
}

/// One column pass of Bulyan's stage 2 over raw pointers. Workers take interleaved
/// blocks; each writes only its own columns of `out`, so sharing is safe.
private struct ColumnJob: @unchecked Sendable {
    let x: UnsafePointer<Float>
    let out: UnsafeMutablePointer<Float>
    let d: Int
    let rows: [Int]
    let beta: Int
    let width: Int
    let blocks: Int

    func run(worker: Int, of workers: Int) {
        let theta = rows.count
        // Each column's θ values at a stride rounded up to 4 (the ranking reads 4 lanes).
        let stride = (theta + 3) & ~3
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: stride * width)
        scratch.initialize(repeating: 0, count: stride * width)
        let values = UnsafeMutablePointer<Double>.allocate(capacity: stride)
        let dist = UnsafeMutablePointer<Double>.allocate(capacity: stride)
        dist.initialize(repeating: 0, count: stride)
        let work = UnsafeMutablePointer<Double>.allocate(capacity: stride)
        defer {
            scratch.deallocate(); values.deallocate(); dist.deallocate(); work.deallocate()
        }
        var b = worker
        while b < blocks {
            let c0 = b * width
            let k = min(width, d - c0)
            // Transpose: scratch[c * stride + p] = x[rows[p]][c0 + c].
            for (p, r) in rows.enumerated() {
                let src = x + r * d + c0
                for c in 0..<k { scratch[c * stride + p] = src[c] }
            }
            for c in 0..<k {
                out[c0 + c] = BulyanKernel.trimmedMean(scratch + c * stride, count: theta, keep: beta,
                                                       values: values, dist: dist, work: work)
            }
            b += workers
        }
    }
}

/// The per-coordinate kernel: stable ranks for small θ, two quickselects above.
enum BulyanKernel {
    /// Mean of the `keep` entries of `v` closest to their median (NumPy convention for an
    /// even count); ties in distance go to the smaller position. `values`, `dist` and
    /// `work` are scratch of `count` elements; `v` and `dist` readable up to `count`
    /// rounded up to a multiple of 4.
    static func trimmedMean(_ v: UnsafePointer<Float>, count n: Int, keep beta: Int,
                            values: UnsafeMutablePointer<Double>, dist: UnsafeMutablePointer<Double>,
                            work: UnsafeMutablePointer<Double>) -> Float {
        if beta == n {
            var s = 0.0
            for p in 0..<n { s += Double(v[p]) }
            return Float(s / Double(n))
        }
        if n <= rankingLimit {
            return rankedMean(v, count: n, keep: beta, dist: dist)
        }
        for p in 0..<n { values[p] = Double(v[p]) }
        let mid = n / 2
        select(values, count: n, k: mid)
        var median = values[mid]
        if n % 2 == 0 {
            // The lower middle is the largest of the values left of `mid`.
            var lower = values[0]
            for p in 1..<mid where values[p] > lower { lower = values[p] }
            median = (lower + median) / 2
        }
        for p in 0..<n {
            let e = abs(Double(v[p]) - median)
            dist[p] = e
            work[p] = e
        }
        select(work, count: n, k: beta - 1)
        let t = work[beta - 1]
        // All entries strictly closer than the β-th distance, then ties in position order.
        var sum = 0.0, kept = 0
        for p in 0..<n where dist[p] < t {
            sum += Double(v[p])
            kept += 1
        }
        var p = 0
        while kept < beta && p < n {
            if dist[p] == t {
                sum += Double(v[p])
                kept += 1
            }
            p += 1
        }
        return Float(sum / Double(beta))
    }

    /// Up to this many values, `rankedMean` (branch-free O(θ²) ranking, 4 lanes at a
    /// time) beats two quickselects, whose comparisons on random data are mispredicted
    /// about half the time.
    static let rankingLimit = 64

    /// Same result as the selection path, by stable ranks: rank(p) = #{q : v_q < v_p, or
    /// v_q = v_p and q < p} puts equal values in position order, so the median is read at
    /// ranks ⌊θ/2⌋ (and ⌊θ/2⌋ − 1 for even θ); entry p is kept when the same stable rank of
    /// its distance to the median is below β. `v` and `dist` must be readable up to `count`
    /// rounded up to a multiple of 4 (lanes past `count` are computed and ignored).
    static func rankedMean(_ v: UnsafePointer<Float>, count n: Int, keep beta: Int,
                           dist: UnsafeMutablePointer<Double>) -> Float {
        let mid = Int32(n / 2), even = n % 2 == 0
        let lane = SIMD4<Int32>(0, 1, 2, 3)
        let raw = UnsafeRawPointer(v)
        var median = 0.0
        var p = 0
        while p < n {
            let vp = raw.loadUnaligned(fromByteOffset: 4 * p, as: SIMD4<Float>.self)
            let pIdx = lane &+ Int32(p)
            // q before the chunk: ties count (q < p); inside: compare positions; after: strict.
            var r = SIMD4<Int32>.zero
            for q in 0..<p {
                r &+= SIMD4<Int32>.zero.replacing(with: 1, where: SIMD4<Float>(repeating: v[q]) .<= vp)
            }
            for q in p..<min(p + 4, n) {
                let vq = SIMD4<Float>(repeating: v[q])
                let before = (vq .< vp) .| ((vq .== vp) .& (SIMD4<Int32>(repeating: Int32(q)) .< pIdx))
                r &+= SIMD4<Int32>.zero.replacing(with: 1, where: before)
            }
            var q = p + 4
            while q < n {
                r &+= SIMD4<Int32>.zero.replacing(with: 1, where: SIMD4<Float>(repeating: v[q]) .< vp)
                q += 1
            }
            for l in 0..<min(4, n - p) {
                if r[l] == mid || (even && r[l] == mid - 1) { median += Double(vp[l]) }
            }
            p += 4
        }
        if even { median /= 2 }
        for p in 0..<n { dist[p] = abs(Double(v[p]) - median) }
        let rawDist = UnsafeRawPointer(dist)
        let lane64 = SIMD4<Int64>(0, 1, 2, 3)
        let keep = SIMD4<Int64>(repeating: Int64(beta))
        var kept = SIMD4<Double>.zero
        p = 0
        while p < n {
            let ep = rawDist.loadUnaligned(fromByteOffset: 8 * p, as: SIMD4<Double>.self)
            let pIdx = lane64 &+ Int64(p)
            var r = SIMD4<Int64>.zero
            for q in 0..<p {
                r &+= SIMD4<Int64>.zero.replacing(with: 1, where: SIMD4<Double>(repeating: dist[q]) .<= ep)
            }
            for q in p..<min(p + 4, n) {
                let eq = SIMD4<Double>(repeating: dist[q])
                let before = (eq .< ep) .| ((eq .== ep) .& (SIMD4<Int64>(repeating: Int64(q)) .< pIdx))
                r &+= SIMD4<Int64>.zero.replacing(with: 1, where: before)
            }
            var q = p + 4
            while q < n {
                r &+= SIMD4<Int64>.zero.replacing(with: 1, where: SIMD4<Double>(repeating: dist[q]) .< ep)
                q += 1
            }
            let vp = SIMD4<Double>(raw.loadUnaligned(fromByteOffset: 4 * p, as: SIMD4<Float>.self))
            let valid = pIdx .< Int64(n)
            kept += SIMD4<Double>.zero.replacing(with: vp, where: (r .< keep) .& valid)
            p += 4
        }
        return Float(kept.sum() / Double(beta))
    }

    /// Rearranges `a[0..<count]` so that `a[k]` is the k-th smallest, everything before it
    /// ≤ and everything after it ≥ (Hoare quickselect, median-of-three pivot, insertion
    /// sort below 16 elements). Values must not be NaN.
    static func select(_ a: UnsafeMutablePointer<Double>, count: Int, k: Int) {
        var lo = 0, hi = count - 1
        while hi - lo >= 16 {
            let mid = lo + (hi - lo) / 2
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while pivot < a[j] { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now a[lo...j] ≤ pivot ≤ a[i...hi] and every element between j and i equals pivot.
            if k <= j {
                hi = j
            } else if k >= i {
                lo = i
            } else {
                return
            }
        }
        if hi > lo {
            for i in (lo + 1)...hi {
                let x = a[i]
                var j = i - 1
                while j >= lo && x < a[j] {
                    a[j + 1] = a[j]
                    j -= 1
                }
                a[j + 1] = x
            }
        }
    }
}

private extension UnsafeMutablePointer {
    @inline(__always) func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}

extension Bulyan {
    public static let descriptor = AggregatorDescriptor(
        name: "bulyan", summary: "Krum selection of n - 2f updates, then a trimmed mean around the median (El Mhamdi et al., ICML 2018)",
        parameters: [.f], figures: FSetting.figureDocs, maxF: { n in Bulyan.fMax(n: n) }
    ) { values, _ in
        try Bulyan(f: values.fSetting("f"))
    }
}
