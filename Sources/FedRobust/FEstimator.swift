import FedCore

/// Estimates f, the number of Byzantine updates, when the server does not know it
/// (docs/ALGORITHMS.md section 9 — our rule, not a paper's): a one-sided MAD outlier count on the
/// distances to the coordinate-wise median.
///
/// 1. `m` = coordinate-wise median of the rows (NumPy convention for even n);
///    `r_i = ||x_i − m||₂` (Double).
/// 2. `med = median(r)`, `MAD = median(|r_i − med|)`, `MAD_eff = max(MAD, 1e-6·med, 1e-12)`.
/// 3. Modified z-score (Iglewicz & Hoaglin, 1993): `z_i = 0.6745·(r_i − med) / MAD_eff`
///    (0.6745 ≈ Φ⁻¹(0.75), so MAD/0.6745 estimates σ for Gaussian data); flag i when
///    `z_i > 3.5` (their cut-off), one-sided: only far vectors are suspicious.
/// 4. `f̂` = number flagged; `f_used = min(max(f̂, ⌊floorFraction·n⌋), f_max)`.
///
/// The floor (default 0.1, the usual β = 0.1 trimming) keeps some robustness against
/// in-distribution attacks (ALIE, IPM, min-max, mimic), which this test cannot see: never read
/// f̂ = 0 as "no attack". It breaks down with ≥ n/2 colluders. f_max is the rule's bound:
/// ⌊(n−3)/2⌋ for Krum and Multi-Krum, ⌊(n−3)/4⌋ for Bulyan, ⌊(n−1)/2⌋ for trimmed mean.
/// Cost: one median pass O(n·d), n distances O(n·d), two sorts of n numbers.
public enum FEstimator {
    /// One round's estimate.
    public struct Estimate: Sendable, Equatable {
        /// Number of flagged updates (f̂).
        public var fHat: Int
        /// f to configure the rule with: min(max(f̂, floor), f_max).
        public var fUsed: Int
        /// Row indices of the flagged updates, ascending.
        public var flagged: [Int]
        /// Modified z-score z_i of every row.
        public var scores: [Double]

        public init(fHat: Int, fUsed: Int, flagged: [Int], scores: [Double]) {
            self.fHat = fHat
            self.fUsed = fUsed
            self.flagged = flagged
            self.scores = scores
        }
    }

    /// Iglewicz & Hoaglin's cut-off on the modified z-score.
    public static let threshold = 3.5
    /// Φ⁻¹(0.75): MAD / 0.6745 estimates the standard deviation of Gaussian data.
    public static let consistency = 0.6745

    /// Estimates f for the rows of `m` (finite, sorted by client id).
    /// - Parameters:
    ///   - fMax: the rule's largest admissible f; f_used never exceeds it.
    ///   - floorFraction: f_used is at least ⌊floorFraction·n⌋ (default 0.1).
    /// - Throws: `AggregatorError.parameter` when fMax < 0 (n is below the rule's minimum;
    ///   rules check their own precondition first and throw it with their numbers) or the
    ///   floor fraction is outside [0, 1]; `.tooFewUpdates` for an empty matrix.
    public static func estimate(_ m: UpdateMatrix, fMax: Int, floorFraction: Double = 0.1) throws -> Estimate {
        let n = m.rows
        guard n >= 1 else { throw AggregatorError.tooFewUpdates(rule: "f-estimator", needed: 1, got: n) }
        guard fMax >= 0 else {
            throw AggregatorError.parameter(rule: "f-estimator", message: "f_max must be >= 0; got f_max = \(fMax) for n = \(n)")
        }
        guard floorFraction >= 0 && floorFraction <= 1 else {
            throw AggregatorError.parameter(rule: "f-estimator", message: "floor fraction must be in [0, 1]; got \(floorFraction)")
        }
        let center = CoordinateMedian.median(of: m)
        let r = RowNormKernels.distances(m, to: center)
        let med = medianOf(r)
        let mad = medianOf(r.map { abs($0 - med) })
        let madEff = max(mad, 1e-6 * med, 1e-12)
        let scores = r.map { consistency * ($0 - med) / madEff }
        let flagged = scores.indices.filter { scores[$0] > threshold }
        let floor = Int((floorFraction * Double(n)).rounded(.down))
        let fUsed = min(max(flagged.count, floor), fMax)
        return Estimate(fHat: flagged.count, fUsed: fUsed, flagged: flagged, scores: scores)
    }

    /// Median of a non-empty list (mean of the two middle values for even counts).
    static func medianOf(_ v: [Double]) -> Double {
        let s = v.sorted()
        let h = s.count / 2
        return s.count % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2
    }
}
