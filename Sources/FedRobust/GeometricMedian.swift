import FedCore

/// Geometric median by smoothed Weiszfeld iterations — RFA (Pillutla, Kakade & Harchaoui,
/// "Robust Aggregation for Federated Learning", IEEE Trans. Signal Processing 2022):
///
///     v* ≈ argmin_v Σ_i α_i ||v − x_i||₂            α_i = w_i / Σ w  (context.weights)
///
/// α is sample-weighted by default, as in RFA (whose objective weighs each client by its
/// share of the data), or uniform, α_i = 1/n (`.uniform`: ByzFL's and epfml's geometric
/// median take no weights). With uniform α a client cannot buy influence by claiming more
/// samples; with sample weights the result stays FedAvg-like on honest rounds.
///
/// Start from v = Σ α_i x_i (the weighted mean, as in krishnap25/RFA) or from 0, then at most
/// T times:
///
///     β_i = α_i / max(ν, ||v − x_i||),    v ← Σ β_i x_i / Σ β_i
///
/// stopping early when the objective's relative decrease |F_prev − F| < tol · F.
/// Defaults are the official code's: ν = 1e-5 (smoothing, avoids division by 0 at a data
/// point), T = 4, tol = 1e-6; the paper reports 3 iterations suffice. Breakdown point 1/2.
/// The start matters with so few iterations: byzfl/epfml start from 0 (with ν = 0.1), which
/// sits on a data point when an update is zero and barely moves (docs/ALGORITHMS.md 2.6, 7).
/// Sums and distances are in Double; each step is ONE pass over the matrix
/// (`RowCombination.combineWithDistances`: the distances to the new iterate are taken per
/// column block while the block is in cache). Cost O(T·n·d).
///
/// Decisions: `weight` = β_i / Σ β of the last iteration (so the aggregate is Σ weight_i x_i),
/// `score` = ||v − x_i|| at the result; figures["iterations"] = iterations run.
public struct GeometricMedian: Aggregator {
    /// Where the iterations start.
    public enum Start: Sendable, Equatable {
        /// The weighted mean Σ α_i x_i (RFA's official code; default).
        case weightedMean
        /// The zero vector (byzfl, epfml).
        case zero
    }

    public let name = "geomed"
    /// Smoothing ν: distances below it count as ν.
    public let nu: Double
    /// At most this many Weiszfeld iterations (T).
    public let maxIterations: Int
    public let start: Start
    /// Early stop when the objective's relative decrease is below this.
    public let tolerance: Double
    /// Sample-weighted α (default) or uniform.
    public let weighting: Mean.Weighting

    /// - Throws: `.parameter` unless ν > 0, T ≥ 0 and tol ≥ 0.
    public init(nu: Double = 1e-5, maxIterations: Int = 4, start: Start = .weightedMean,
                tolerance: Double = 1e-6, weighting: Mean.Weighting = .samples) throws(AggregatorError) {
        guard nu > 0 && nu.isFinite else {
            throw .parameter(rule: "geomed", message: "nu must be positive and finite; got \(nu)")
        }
        guard maxIterations >= 0 else {
            throw .parameter(rule: "geomed", message: "iterations must be >= 0; got \(maxIterations)")
        }
        guard tolerance >= 0 && tolerance.isFinite else {
            throw .parameter(rule: "geomed", message: "tolerance must be >= 0; got \(tolerance)")
        }
        self.nu = nu
        self.maxIterations = maxIterations
        self.start = start
        self.tolerance = tolerance
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
        // One pass per step: v = Σ β_i x_i and ||x_i − v|| together (RowCombination).
        var (v, dist) = start == .weightedMean
            ? RowCombination.combineWithDistances(updates, coefficients: alpha)
            : ([Float](repeating: 0, count: d), RowNormKernels.norms(updates))
        var objective = zip(alpha, dist).reduce(0) { $0 + $1.0 * $1.1 }
        var beta = alpha
        var iterations = 0
        while iterations < maxIterations {
            beta = (0..<n).map { alpha[$0] / max(nu, dist[$0]) }
            let total = beta.reduce(0, +)
            beta = beta.map { $0 / total }
            (v, dist) = RowCombination.combineWithDistances(updates, coefficients: beta)
            iterations += 1
            let previous = objective
            objective = zip(alpha, dist).reduce(0) { $0 + $1.0 * $1.1 }
            if abs(previous - objective) < tolerance * objective { break }
        }
        let decisions = (0..<n).map { i in ClientDecision(selected: beta[i] > 0, weight: beta[i], score: dist[i]) }
        return AggregationResult(aggregate: v, decisions: decisions,
                                 figures: ["iterations": Double(iterations), "objective": objective])
    }
}

extension GeometricMedian {
    public static let descriptor = AggregatorDescriptor(
        name: "geomed", summary: "geometric median by smoothed Weiszfeld iterations, RFA (Pillutla et al., IEEE TSP 2022)",
        parameters: [
            Parameter("iterations", .integer(.closed(1, 1000)), default: .int(4), doc: "Weiszfeld iterations at most"),
            Parameter("nu", .number(.greaterThan(0)), default: .number(1e-5), doc: "smoothing: distances below nu count as nu"),
            Parameter("start", .choice(["mean", "zero"]), default: .word("mean"), doc: "first iterate: the weighted mean or zero"),
            Parameter("tolerance", .number(.atLeast(0)), default: .number(1e-6),
                      doc: "stop early when an iteration improves the objective by less than this share of it; 0: always run every iteration"),
            Parameter("weighted", .boolean, default: .bool(true),
                      doc: "weight each update by its sample count (RFA); false: uniform weights (ByzFL)"),
        ],
        figures: [("iterations", "Weiszfeld iterations run"), ("objective", "sum of weighted distances to the result")]
    ) { values, _ in
        try GeometricMedian(nu: values.double("nu"), maxIterations: values.int("iterations"),
                            start: values.word("start") == "zero" ? .zero : .weightedMean, tolerance: values.double("tolerance"),
                            weighting: values.bool("weighted") ? .samples : .uniform)
    }
}
