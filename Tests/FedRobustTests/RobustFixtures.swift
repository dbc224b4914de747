import FedCore
import FedRobust

/// Fixtures of the aggregator tests that need FedRobust (the shared ones, such as `matrix`,
/// `gaussianMatrix`, `permuted` and `assertClose`, are in FedTestSupport). Namespaced, so that
/// a test file may name its own helpers freely.
enum RobustFixtures {
    // MARK: - Context

    /// The context of round 1 for `n` updates: client ids 0..<n (or `ids`), weights 1 (or
    /// `weights`), an optional server update (FLTrust), and an RNG seeded with `seed`.
    static func context(_ n: Int, weights: [Double]? = nil, serverUpdate: [Float]? = nil, ids: [Int]? = nil,
                        seed: UInt64 = 1) -> AggregationContext {
        AggregationContext(round: 1, clientIds: ids ?? Array(0..<n), weights: weights ?? [Double](repeating: 1, count: n),
                           serverUpdate: serverUpdate, rng: SeededRNG(seed: seed))
    }

    // MARK: - References for the coordinate-wise rules

    /// Reference: sort each column, mean of ranks b...n−1−b summed in Double in sorted order.
    static func naiveWindowMean(_ m: UpdateMatrix, trim b: Int) -> [Float] {
        (0..<m.columns).map { k in
            let col = (0..<m.rows).map { m.values[$0 * m.columns + k] }.sorted()
            var s = 0.0
            for r in b...(m.rows - 1 - b) { s += Double(col[r]) }
            return Float(s * (1 / Double(m.rows - 2 * b)))
        }
    }

    /// Reference attribution: stable ranks (value, then row index); rows with rank in the window.
    static func naiveRowCounts(_ m: UpdateMatrix, trim b: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: m.rows)
        for k in 0..<m.columns {
            let order = (0..<m.rows).sorted {
                let u = m.values[$0 * m.columns + k], v = m.values[$1 * m.columns + k]
                return u < v || (u == v && $0 < $1)
            }
            for r in b...(m.rows - 1 - b) { counts[order[r]] += 1 }
        }
        return counts
    }

    /// Largest distance from `v` to the per-coordinate range of the honest rows (0 inside the box).
    static func distanceToHonestBox(_ v: [Float], _ m: UpdateMatrix, honest: Int) -> Float {
        var worst: Float = 0
        for k in 0..<m.columns {
            let col = (0..<honest).map { m.values[$0 * m.columns + k] }
            let lo = col.min() ?? 0, hi = col.max() ?? 0
            worst = max(worst, max(lo - v[k], v[k] - hi, 0))
        }
        return worst
    }

    // MARK: - Honest rows and outliers

    /// `honest` N(0, I_d) rows followed by `bad` rows of value 1e6 in every coordinate.
    static func honestPlusOutliers(honest: Int, bad: Int, d: Int, seed: UInt64) -> UpdateMatrix {
        var rng = SeededRNG(seed: seed)
        var m = UpdateMatrix(rows: honest + bad, columns: d)
        for i in 0..<honest { m.setRow(i, (0..<d).map { _ in Float(rng.nextGaussian()) }) }
        for i in honest..<(honest + bad) { m.setRow(i, [Float](repeating: 1e6, count: d)) }
        return m
    }

    /// `n` honest rows near the centre (j mod 3 in coordinate j, noise 0.1) followed by `f`
    /// rows at 1e6.
    static func clusterWithOutliers(honest n: Int, outliers f: Int, d: Int, seed: UInt64) -> UpdateMatrix {
        var rng = SeededRNG(seed: seed)
        var values: [Float] = []
        for _ in 0..<n { for j in 0..<d { values.append(Float(j % 3) + Float(0.1 * rng.nextGaussian())) } }
        for _ in 0..<f { for _ in 0..<d { values.append(1e6) } }
        return UpdateMatrix(rows: n + f, columns: d, values: values)
    }
}
