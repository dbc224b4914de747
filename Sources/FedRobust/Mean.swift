import FedCore

/// FedAvg's mean (McMahan, Moore, Ramage, Hampson & Agüera y Arcas, AISTATS 2017):
///
///     agg = Σ_i w_i x_i / Σ_i w_i
///
/// with `w_i` the client's local sample count (`context.weights`, default) or 1 (`.uniform`).
/// The baseline every robust rule is compared with: not robust at all — one unbounded
/// Byzantine update moves it arbitrarily (Blanchard et al., NeurIPS 2017, Lemma 1).
/// Decisions: every client with a positive weight is selected; `weight` = w_i / Σ w.
public struct Mean: Aggregator {
    /// Where the weights come from.
    public enum Weighting: Sendable, Equatable {
        /// `context.weights` (local sample counts), as in FedAvg.
        case samples
        /// Every update counts the same.
        case uniform
    }

    public let name = "fedavg"
    public let weighting: Weighting

    public init(weighting: Weighting = .samples) {
        self.weighting = weighting
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        try check(n: updates.rows)
        let raw = weighting == .samples ? context.weights : [Double](repeating: 1, count: updates.rows)
        let alpha = try Mean.normalisedWeights(raw, n: updates.rows, rule: name)
        let aggregate = try WeightedMean.aggregate(updates, weights: alpha)
        let decisions = alpha.map { ClientDecision(selected: $0 > 0, weight: $0) }
        return AggregationResult(aggregate: aggregate, decisions: decisions)
    }

    /// `w / Σ w`, after checking one non-negative finite weight per update and a positive total.
    static func normalisedWeights(_ w: [Double], n: Int, rule: String) throws(AggregatorError) -> [Double] {
        guard w.count == n, w.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw .missingInput(rule: rule, what: "one non-negative finite weight per update; got \(w.count) weights for \(n) updates")
        }
        let total = w.reduce(0, +)
        guard total > 0 else {
            throw .missingInput(rule: rule, what: "a positive total weight; got 0")
        }
        return w.map { $0 / total }
    }
}

extension Mean {
    public static let descriptor = AggregatorDescriptor(
        name: "fedavg", summary: "mean of the updates, weighted by sample counts (McMahan et al., AISTATS 2017)",
        parameters: [Parameter("weighted", .boolean, default: .bool(true),
                               doc: "weight each update by its client's sample count; false: the plain mean")]
    ) { values, _ in
        Mean(weighting: values.bool("weighted") ? .samples : .uniform)
    }
}
