import FedCore

/// Norm bounding with optional weak DP (Sun, Kairouz, Suresh & McMahan, "Can You Really
/// Backdoor Federated Learning?", NeurIPS 2019 FL workshop, arXiv 1911.07963):
///
///     agg = Σ_i α_i · x_i · min(1, M / ||x_i||₂)  +  N(0, σ² I)        α_i = w_i / Σ w
///
/// Every update is clipped to norm ≤ M, the clipped updates are averaged with the client
/// weights (`context.weights`), and "weak DP" Gaussian noise of standard deviation σ is
/// added to every coordinate — small and *not* calibrated to a privacy budget (for that, use
/// DP-FedAvg). Targets model-replacement backdoors, whose boosted updates have large norms.
///
/// Defaults: M = 3 (FLPoison's default), σ = 0 (noise off; FLPoison uses 0.002). M is in
/// units of update norm, so set it for the scale of the updates. Noise is drawn from
/// `context.rng` (seeded per round), one standard normal per coordinate in order.
/// Decisions: `clipped` when ||x_i|| > M; `weight` = α_i; `score` = ||x_i||.
public struct NormBounding: Aggregator {
    public let name = "norm-bounding"
    /// The bound M on each update's norm.
    public let maxNorm: Double
    /// Standard deviation σ of the Gaussian noise added to the aggregate.
    public let noiseStd: Double

    /// - Throws: `.parameter` unless M > 0 and σ ≥ 0 are finite.
    public init(maxNorm: Double = 3, noiseStd: Double = 0) throws(AggregatorError) {
        guard maxNorm > 0 && maxNorm.isFinite else {
            throw .parameter(rule: "norm-bounding", message: "max norm must be positive and finite; got \(maxNorm)")
        }
        guard noiseStd >= 0 && noiseStd.isFinite else {
            throw .parameter(rule: "norm-bounding", message: "noise std must be >= 0 and finite; got \(noiseStd)")
        }
        self.maxNorm = maxNorm
        self.noiseStd = noiseStd
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        let n = updates.rows, d = updates.columns
        try check(n: n)
        let alpha = try Mean.normalisedWeights(context.weights, n: n, rule: name)
        let norms = RowNormKernels.norms(updates)
        let coefficients = (0..<n).map { i in
            alpha[i] > 0 ? alpha[i] * StaticClipping.scale(norm: norms[i], bound: maxNorm) : 0
        }
        var aggregate = RowCombination.combine(updates, coefficients: coefficients)
        if noiseStd > 0 {
            var rng = context.rng
            for j in 0..<d { aggregate[j] = Float(Double(aggregate[j]) + noiseStd * rng.nextGaussian()) }
        }
        let decisions = (0..<n).map { i in
            ClientDecision(selected: alpha[i] > 0, weight: alpha[i], score: norms[i], clipped: norms[i] > maxNorm)
        }
        let clippedCount = decisions.filter(\.clipped).count
        return AggregationResult(aggregate: aggregate, decisions: decisions,
                                 figures: ["clipped_fraction": Double(clippedCount) / Double(n)])
    }
}

extension NormBounding {
    public static let descriptor = AggregatorDescriptor(
        name: "norm-bounding", summary: "mean of updates clipped to a norm, optional Gaussian noise (Sun et al., 2019)",
        parameters: [
            Parameter("norm", .number(.greaterThan(0)), default: .number(3), doc: "largest update norm M"),
            Parameter("sigma", .number(.atLeast(0)), default: .number(0), doc: "std of the Gaussian noise added to the mean (weak DP)"),
        ],
        figures: [("clipped_fraction", "share of updates scaled down to the norm")]
    ) { values, _ in
        try NormBounding(maxNorm: values.double("norm"), noiseStd: values.double("sigma"))
    }
}
