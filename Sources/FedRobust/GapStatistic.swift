import FedCore
import Foundation

/// One-dimensional k-means and the gap statistic, as FLDetector decides whether its
/// suspicion scores form more than one group (Tibshirani, Walther & Hastie, "Estimating the
/// number of clusters in a data set via the gap statistic", JRSS B 2001; FLDetector's
/// `gap_statistics`).
public enum GapStatistic {
    /// The optimal k-means partition of the values (least sum of squared distances to the
    /// cluster means): in one dimension the clusters are runs of the sorted values, found
    /// exactly by dynamic programming (O(k·n²)). Returns each value's cluster (0 = lowest
    /// values) and the cluster means. k is capped at the number of values.
    public static func kMeans(_ x: [Double], k: Int) -> (labels: [Int], centers: [Double]) {
        let n = x.count
        guard n > 0 else { return ([], []) }
        let k = max(1, min(k, n))
        let order = x.indices.sorted { x[$0] != x[$1] ? x[$0] < x[$1] : $0 < $1 }
        let v = order.map { x[$0] }
        var prefix = [0.0], prefix2 = [0.0]
        for t in v { prefix.append(prefix.last! + t); prefix2.append(prefix2.last! + t * t) }
        /// SSE of v[i..<j].
        func cost(_ i: Int, _ j: Int) -> Double {
            let c = Double(j - i), s = prefix[j] - prefix[i]
            return max(0, prefix2[j] - prefix2[i] - s * s / c)
        }
        var best = [[Double]](repeating: [Double](repeating: .infinity, count: n + 1), count: k + 1)
        var cut = [[Int]](repeating: [Int](repeating: 0, count: n + 1), count: k + 1)
        best[0][0] = 0
        for c in 1...k {
            for j in c...n {
                for i in (c - 1)..<j where best[c - 1][i] < .infinity {
                    let t = best[c - 1][i] + cost(i, j)
                    if t < best[c][j] { best[c][j] = t; cut[c][j] = i }
                }
            }
        }
        var bounds = [n]
        var j = n
        for c in stride(from: k, through: 1, by: -1) { j = cut[c][j]; bounds.append(j) }
        bounds.reverse()
        var labels = [Int](repeating: 0, count: n)
        var centers: [Double] = []
        for c in 0..<k {
            let (lo, hi) = (bounds[c], bounds[c + 1])
            centers.append(hi > lo ? (prefix[hi] - prefix[lo]) / Double(hi - lo) : 0)
            for p in lo..<hi { labels[order[p]] = c }
        }
        return (labels, centers)
    }

    /// FLDetector's dispersion: the sum of distances (not squared) to the assigned centres.
    static func dispersion(_ x: [Double], k: Int) -> Double {
        let (labels, centers) = kMeans(x, k: k)
        return zip(x, labels).reduce(0) { $0 + abs($1.0 - centers[$1.1]) }
    }

    /// The number of clusters the gap statistic picks among 1...maxK: values min-max scaled to
    /// [0, 1]; for each k, Gap(k) = mean_b log W*_kb − log W_k over `references` uniform samples
    /// of n points in [0, 1], s_k = sd_b(log W*_kb)·√(1 + 1/B); the first k with
    /// Gap(k) ≥ Gap(k+1) − s_{k+1}, else maxK. Constant values (no spread): 1.
    public static func clusters(_ x: [Double], maxK: Int = 10, references: Int = 20, rng: inout SeededRNG) -> Int {
        let n = x.count
        guard n > 1, let lo = x.min(), let hi = x.max(), hi > lo else { return 1 }
        let maxK = max(1, min(maxK, n))
        let scaled = x.map { ($0 - lo) / (hi - lo) }
        var gap: [Double] = [], sd: [Double] = []
        for k in 1...maxK {
            // A perfect fit (as many clusters as distinct values) has W = 0: log would be -inf.
            let w = max(dispersion(scaled, k: k), 1e-12)
            var refs: [Double] = []
            for _ in 0..<references {
                let sample = (0..<n).map { _ in rng.nextDouble() }
                refs.append(log(max(dispersion(sample, k: k), 1e-12)))
            }
            let mean = refs.reduce(0, +) / Double(references)
            gap.append(mean - log(w))
            let v = refs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(references)
            sd.append(v.squareRoot() * (1 + 1 / Double(references)).squareRoot())
        }
        for k in 0..<(maxK - 1) where gap[k] >= gap[k + 1] - sd[k + 1] { return k + 1 }
        return maxK
    }
}
