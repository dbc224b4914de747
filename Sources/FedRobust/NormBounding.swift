import FedCore

/// Norm bounding with optional weak DP (Sun, Kairouz, Suresh & McMahan, "Can You Really
/// Backdoor Federated Learning?", NeurIPS 2019 FL workshop, arXiv 1911.07963):
///
///     agg = Σ_i α_i · x_i · min(1, M / ||x_i||₂)  +  N(0, σ² I)
///
/// Every update is clipped to norm ≤ M, the clipped updates are averaged, and "weak DP"
/// Gaussian noise of standard deviation σ is added to every coordinate — small and *not*
/// calibrated to a privacy budget (for that, use DP-FedAvg). Targets model-replacement
/// backdoors, whose boosted updates have large norms.
///
/// Two conventions the literature differs on, as parameters (docs/ALGORITHMS.md 2.9):
/// - the bound M: `.fixed(M)` (default; Sun et al. evaluate fixed bounds chosen from the norms
///   honest clients produce) or `.median`, M_t = the median of the round's update norms
///   (NumPy convention for even n), an adaptive bound that follows the honest scale as
///   training shrinks the updates — the clipping step of FLAME (Nguyen et al., USENIX
///   Security 2022) uses this median; with it at most half the updates are scaled down.
/// - the averaging weights α: sample-weighted, α_i = w_i / Σ w (`context.weights`, default,
///   FedAvg's weights) or uniform, α_i = 1/n (each update counts the same, as in the Byzantine
///   libraries whose rules take no weights, e.g. ByzFL).
///
/// Defaults: M = 3 (FLPoison's default), σ = 0 (noise off; FLPoison uses 0.002). M is in
/// units of update norm, so set it for the scale of the updates. Noise is drawn from
/// `context.rng` (seeded per round), one standard normal per coordinate in order.
/// Decisions: `clipped` when ||x_i|| > M; `weight` = α_i; `score` = ||x_i||.
///
/// Example (median bound, uniform): norms 1, 2, 3, 10 → M = 2.5; the last two rows are scaled
/// by 2.5/3 and 2.5/10, every coefficient is 1/4 times that scale.
public struct NormBounding: Aggregator {
    /// Where the bound comes from.
    public enum Bound: Sendable, Equatable {
        /// A fixed M.
        case fixed(Double)
        /// The median of the round's update norms.
        case median
    }

    public let name = "norm-bounding"
    public let bound: Bound
    /// Standard deviation σ of the Gaussian noise added to the aggregate.
    public let noiseStd: Double
    public let weighting: Mean.Weighting

    /// The fixed bound M (nil with `.median`).
    public var maxNorm: Double? {
        if case let .fixed(m) = bound { return m }
        return nil
    }

    /// - Throws: `.parameter` unless M > 0 and σ ≥ 0 are finite.
    public init(maxNorm: Double = 3, noiseStd: Double = 0, weighting: Mean.Weighting = .samples) throws(AggregatorError) {
        try self.init(bound: .fixed(maxNorm), noiseStd: noiseStd, weighting: weighting)
    }

    /// - Throws: `.parameter` unless a fixed M > 0 and σ ≥ 0 are finite.
    public init(bound: Bound, noiseStd: Double = 0, weighting: Mean.Weighting = .samples) throws(AggregatorError) {
        if case let .fixed(m) = bound, !(m > 0 && m.isFinite) {
            throw .parameter(rule: "norm-bounding", message: "max norm must be positive and finite; got \(m)")
        }
        guard noiseStd >= 0 && noiseStd.isFinite else {
            throw .parameter(rule: "norm-bounding", message: "noise std must be >= 0 and finite; got \(noiseStd)")
        }
        self.bound = bound
        self.noiseStd = noiseStd
        self.weighting = weighting
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        let n = updates.rows, d = updates.columns
        try check(n: n)
        let raw = weighting == .samples ? context.weights : [Double](repeating: 1, count: n)
        let alpha = try Mean.normalisedWeights(raw, n: n, rule: name)
        let norms = RowNormKernels.norms(updates)
        let m: Double
        switch bound {
        case let .fixed(v): m = v
        case .median: m = FEstimator.medianOf(norms)
        }
        let coefficients = (0..<n).map { i in
            alpha[i] > 0 ? alpha[i] * StaticClipping.scale(norm: norms[i], bound: m) : 0
        }
        var aggregate = RowCombination.combine(updates, coefficients: coefficients)
        if noiseStd > 0 {
            var rng = context.rng
            for j in 0..<d { aggregate[j] = Float(Double(aggregate[j]) + noiseStd * rng.nextGaussian()) }
        }
        let decisions = (0..<n).map { i in
            ClientDecision(selected: alpha[i] > 0, weight: alpha[i], score: norms[i], clipped: norms[i] > m)
        }
        let clippedCount = decisions.filter(\.clipped).count
        return AggregationResult(aggregate: aggregate, decisions: decisions,
                                 figures: ["clipped_fraction": Double(clippedCount) / Double(n), "norm_bound": m])
    }
}

extension NormBounding {
    public static let descriptor = AggregatorDescriptor(
        name: "norm-bounding", summary: "mean of updates clipped to a norm, optional Gaussian noise (Sun et al., 2019)",
        parameters: [
            Parameter("norm", .number(.greaterThan(0)), default: .number(3), doc: "largest update norm M (bound: fixed)"),
            Parameter("bound", .choice(["fixed", "median"]), default: .word("fixed"),
                      doc: "fixed: clip at norm; median: clip at the median of the round's update norms (adaptive, as FLAME)"),
            Parameter("sigma", .number(.atLeast(0)), default: .number(0), doc: "std of the Gaussian noise added to the mean (weak DP)"),
            Parameter("weighted", .boolean, default: .bool(true),
                      doc: "average the clipped updates with the sample counts; false: every update counts the same"),
        ],
        figures: [("clipped_fraction", "share of updates scaled down to the norm"),
                  ("norm_bound", "the bound M the round clipped at (the median norm with bound: median)")]
    ) { values, _ in
        let weighting: Mean.Weighting = values.bool("weighted") ? .samples : .uniform
        let bound: Bound = values.word("bound") == "median" ? .median : .fixed(values.double("norm"))
        return try NormBounding(bound: bound, noiseStd: values.double("sigma"), weighting: weighting)
    }
}
