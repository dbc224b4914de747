import FedCore

/// SignGuard (Xu, Huang, Zhang & Zheng, "SignGuard: Byzantine-robust Federated Learning
/// through Collaborative Malicious Gradient Filtering", ICDCS 2022), its plain variant:
///
///     M   = median_i ||x_i||
///     S1  = { i : lower <= ||x_i|| / M <= upper }                 (norm filter; 0.1 and 3.0)
///     r   = a random share of the coordinates (`coordinates`, 10%)
///     s_i = (share of x_i[r] > 0, share = 0, share < 0)           (sign statistics)
///     S2  = the largest cluster of the s_i under mean shift
///     agg = (1/|S|) Σ_{i ∈ S} x_i · min(1, M / ||x_i||),   S = S1 ∩ S2
///
/// Mean shift (Comaniciu & Meer, 2002) with a flat kernel, as scikit-learn's `MeanShift`
/// that the authors' code calls: the bandwidth is scikit-learn's `estimate_bandwidth` with
/// quantile 0.3 (the mean over points of the distance to their ⌊0.3 n⌋-th nearest point, the
/// point itself counted first, and at least the nearest other point); every point seeds a climb to the mean of the points within
/// the bandwidth until it moves less than 10⁻³ of it; modes are kept by the number of points
/// around them, dropping any within the bandwidth of one kept before; each point joins its
/// nearest mode. Identical statistics (bandwidth 0) make one cluster.
///
/// Needs no f. Decisions: the clients in S are selected with weight 1/|S| and `clipped` when
/// their norm exceeded M; every score is ||x_i|| / M. When S is empty the round makes no update.
/// Figures: `kept`, `clipped_fraction`. The coordinate draw derives from the round's rng.
public struct SignGuard: Aggregator {
    public let lower: Double
    public let upper: Double
    /// Share of the coordinates whose signs are counted.
    public let coordinates: Double

    public var name: String { "signguard" }

    public init(lower: Double = 0.1, upper: Double = 3.0, coordinates: Double = 0.1) throws(AggregatorError) {
        guard lower >= 0, upper > lower, upper.isFinite else {
            throw .parameter(rule: "signguard", message: "norm bounds must satisfy 0 <= lower < upper; got \(lower) and \(upper)")
        }
        guard coordinates > 0, coordinates <= 1 else {
            throw .parameter(rule: "signguard", message: "coordinates must be in (0, 1]; got \(coordinates)")
        }
        self.lower = lower
        self.upper = upper
        self.coordinates = coordinates
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        let n = updates.rows, d = updates.columns
        try check(n: n)
        let norms = RowNormKernels.norms(updates)
        let median = Self.median(norms)
        let ratios = norms.map { median > 0 ? $0 / median : 1 }
        let byNorm = (0..<n).map { median == 0 || (ratios[$0] >= lower && ratios[$0] <= upper) }

        var rng = context.rng
        let b = max(1, Int((coordinates * Double(d)).rounded(.down)))
        let r = b >= d ? Array(0..<d) : rng.sample(b, from: d).sorted()
        let features: [[Double]] = updates.values.withUnsafeBufferPointer { x in
            (0..<n).map { i in
                var pos = 0, zero = 0, neg = 0
                for j in r {
                    let v = x[i * d + j]
                    if v > 0 { pos += 1 } else if v < 0 { neg += 1 } else { zero += 1 }
                }
                return [Double(pos), Double(zero), Double(neg)].map { $0 / Double(r.count) }
            }
        }
        let labels = MeanShift.cluster(features, bandwidth: MeanShift.estimateBandwidth(features, quantile: 0.3))
        var sizes = [Int: Int]()
        for l in labels { sizes[l, default: 0] += 1 }
        let largest = sizes.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? 0
        let kept = (0..<n).filter { byNorm[$0] && labels[$0] == largest }

        let weight = kept.isEmpty ? 0 : 1 / Double(kept.count)
        var coefficients = [Double](repeating: 0, count: n)
        for i in kept { coefficients[i] = weight * (median > 0 ? StaticClipping.scale(norm: norms[i], bound: median) : 1) }
        let aggregate = kept.isEmpty ? [Float](repeating: 0, count: d) : RowCombination.combine(updates, coefficients: coefficients)
        let keptSet = Set(kept)
        let decisions = (0..<n).map { i in
            ClientDecision(selected: keptSet.contains(i), weight: keptSet.contains(i) ? weight : 0, score: ratios[i],
                           clipped: keptSet.contains(i) && norms[i] > median)
        }
        return AggregationResult(aggregate: aggregate, decisions: decisions, applied: !kept.isEmpty,
                                 figures: ["kept": Double(kept.count),
                                           "clipped_fraction": Double(decisions.filter(\.clipped).count) / Double(n)])
    }

    /// The median (the mean of the two middle values for an even count).
    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// Flat-kernel mean shift on a few points in a few dimensions (see `SignGuard`).
enum MeanShift {
    /// scikit-learn's `estimate_bandwidth`: the mean over points of the distance to the
    /// k-th nearest point, the point itself being the first, k = ⌊quantile · n⌋ but at least 2
    /// (scikit-learn allows k = 1, which below n = 7 makes every bandwidth 0: a point's
    /// nearest point is itself).
    static func estimateBandwidth(_ points: [[Double]], quantile: Double) -> Double {
        let n = points.count
        guard n > 1 else { return 0 }
        let k = min(n, max(2, Int(Double(n) * quantile)))
        var total = 0.0
        for p in points {
            let distances = points.map { distance(p, $0) }.sorted()
            total += distances[k - 1]
        }
        return total / Double(n)
    }

    /// A cluster label per point (labels are indices of the kept modes, most populated first).
    static func cluster(_ points: [[Double]], bandwidth: Double) -> [Int] {
        let n = points.count
        guard n > 0, bandwidth > 0 else { return [Int](repeating: 0, count: n) }
        var modes: [(center: [Double], count: Int)] = []
        for seed in points {
            var center = seed
            for _ in 0..<300 {
                let near = points.filter { distance($0, center) <= bandwidth }
                guard !near.isEmpty else { break }
                let next = (0..<center.count).map { c in near.reduce(0) { $0 + $1[c] } / Double(near.count) }
                let moved = distance(next, center)
                center = next
                if moved < 1e-3 * bandwidth { break }
            }
            modes.append((center, points.filter { distance($0, center) <= bandwidth }.count))
        }
        // Most populated first (stable: the earlier seed wins a tie); drop near-duplicates.
        let order = modes.indices.sorted { modes[$0].count != modes[$1].count ? modes[$0].count > modes[$1].count : $0 < $1 }
        var kept: [[Double]] = []
        for i in order where !kept.contains(where: { distance($0, modes[i].center) <= bandwidth }) {
            kept.append(modes[i].center)
        }
        return points.map { p in
            var best = 0
            for (m, center) in kept.enumerated() where distance(p, center) < distance(p, kept[best]) { best = m }
            return best
        }
    }

    static func distance(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }
}

extension SignGuard {
    public static let descriptor = AggregatorDescriptor(
        name: "signguard", summary: "norm filter, then the largest mean-shift cluster of sign statistics, clipped to the median norm (Xu et al., ICDCS 2022)",
        parameters: [
            Parameter("lower", .number(.atLeast(0)), default: .number(0.1), doc: "smallest norm kept, as a multiple of the median norm"),
            Parameter("upper", .number(.greaterThan(0)), default: .number(3.0), doc: "largest norm kept, as a multiple of the median norm"),
            Parameter("coordinates", .number(.openClosed(0, 1)), default: .number(0.1), doc: "share of the coordinates whose signs are counted"),
        ],
        figures: [("kept", "updates averaged after both filters"), ("clipped_fraction", "share of updates scaled down to the median norm")]
    ) { values, _ in
        try SignGuard(lower: values.double("lower"), upper: values.double("upper"), coordinates: values.double("coordinates"))
    }
}
