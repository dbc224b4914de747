import FedCore

// Stand-in for FEstimator.swift (written on another branch) so that this branch compiles
// and Krum/Bulyan `.auto` can be tested alone. Same API; delete this file when merging.

/// MAD outlier count of ALGORITHMS.md section 9: estimates f from the updates.
public enum FEstimator {
    /// The outcome of one estimate.
    public struct Estimate: Sendable, Equatable {
        /// Number of flagged updates (f̂).
        public var fHat: Int
        /// `min(max(f̂, ⌊floorFraction · n⌋), fMax)`.
        public var fUsed: Int
        /// Rows flagged as outliers, ascending.
        public var flagged: [Int]
        /// Modified z-score of each row.
        public var scores: [Double]
    }

    /// `r_i = ||x_i − m||` (m = coordinate median, NumPy convention), `med = median(r)`,
    /// `MAD = median(|r − med|)`, `z_i = 0.6745 (r_i − med) / max(MAD, 1e-6 med, 1e-12)`,
    /// flagged when `z_i > 3.5`.
    public static func estimate(_ m: UpdateMatrix, fMax: Int, floorFraction: Double = 0.1) throws -> Estimate {
        let n = m.rows, d = m.columns
        guard n > 0 else { throw AggregatorError.tooFewUpdates(rule: "f-estimator", needed: 1, got: 0) }
        guard fMax >= 0 else {
            throw AggregatorError.parameter(rule: "f-estimator", message: "fMax must be >= 0; got \(fMax)")
        }
        var r2 = [Double](repeating: 0, count: n)
        var column = [Float](repeating: 0, count: n)
        m.values.withUnsafeBufferPointer { x in
            for c in 0..<d {
                for i in 0..<n { column[i] = x[i * d + c] }
                column.sort()
                let med = n % 2 == 1 ? Double(column[n / 2])
                    : (Double(column[n / 2 - 1]) + Double(column[n / 2])) / 2
                for i in 0..<n {
                    let t = Double(x[i * d + c]) - med
                    r2[i] += t * t
                }
            }
        }
        let r = r2.map { $0.squareRoot() }
        let med = median(r)
        let mad = median(r.map { abs($0 - med) })
        let madEff = max(mad, 1e-6 * med, 1e-12)
        let z = r.map { 0.6745 * ($0 - med) / madEff }
        let flagged = z.indices.filter { z[$0] > 3.5 }
        let floor = Int((floorFraction * Double(n)).rounded(.down))
        return Estimate(fHat: flagged.count, fUsed: min(max(flagged.count, floor), fMax),
                        flagged: flagged, scores: z)
    }

    private static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }
}
