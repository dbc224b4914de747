import FedCore

/// Robust learning rate, RLR (Ozdayi, Kantarcioglu & Gel, "Defending against Backdoors in
/// Federated Learning with Robust Learning Rate", AAAI 2021). The aggregate is FedAvg's, but on
/// every coordinate where fewer than θ clients agree on the direction the server steps the
/// other way:
///
///     a_j = Σ_i w_i Δ_ij              (w: sample weights normalised to 1, or 1/n)
///     s_j = |Σ_i sign(Δ_ij)|          (sign agreement; sign(0) = 0)
///     out_j = a_j  if s_j ≥ θ,   −a_j  otherwise
///
/// The server applies `out` with its learning rate η, so this is η on agreed coordinates and
/// −η elsewhere, the paper's per-coordinate learning rate. A backdoor needs coordinates the
/// honest majority does not push; where the attackers alone push them, the sign vote is weak
/// and their push is reversed.
///
/// θ is the paper's per-experiment threshold (the authors' code calls it `robustLR_threshold`,
/// 4 with 10 agents per round in their CIFAR-10 and Fashion-MNIST runs); it must not exceed the
/// round's n, or every coordinate would be reversed. Decisions: every update is selected with
/// its weight (RLR decides per coordinate, not per client). Figure: `flipped_fraction`, the
/// share of coordinates whose step was reversed.
///
/// Worked example (uniform weights, θ = 2): updates (1, 2), (1, −1), (1, −2) have mean
/// (1, −1/3) and agreement (3, 1), so the output is (1, 1/3).
public struct RobustLearningRate: Aggregator {
    public let name = "robust-lr"
    /// θ: clients that must agree on a coordinate's sign for the step to keep its direction.
    public let threshold: Int
    public let weighting: Mean.Weighting

    /// - Throws: `.parameter` unless θ ≥ 1.
    public init(threshold: Int = 4, weighting: Mean.Weighting = .samples) throws(AggregatorError) {
        guard threshold >= 1 else {
            throw .parameter(rule: "robust-lr", message: "theta must be >= 1; got \(threshold)")
        }
        self.threshold = threshold
        self.weighting = weighting
    }

    /// Needs at least θ updates (with fewer, no coordinate could reach agreement θ).
    public func check(n: Int) throws(AggregatorError) {
        guard n >= max(1, threshold) else { throw .tooFewUpdates(rule: name, needed: max(1, threshold), got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        try check(n: updates.rows)
        let raw = weighting == .samples ? context.weights : [Double](repeating: 1, count: updates.rows)
        let alpha = try Mean.normalisedWeights(raw, n: updates.rows, rule: name)
        var aggregate = try WeightedMean.aggregate(updates, weights: alpha)
        let agreement = RobustLearningRate.signAgreement(updates)
        var flipped = 0
        for j in 0..<aggregate.count where Int(agreement[j]) < threshold {
            aggregate[j] = -aggregate[j]
            flipped += 1
        }
        let decisions = alpha.map { ClientDecision(selected: $0 > 0, weight: $0) }
        let share = aggregate.isEmpty ? 0 : Double(flipped) / Double(aggregate.count)
        return AggregationResult(aggregate: aggregate, decisions: decisions, figures: ["flipped_fraction": share])
    }

    /// `|Σ_i sign(x_ij)|` for every column j (sign(0) = 0; NaN never reaches a rule).
    static func signAgreement(_ m: UpdateMatrix) -> [Int32] {
        let n = m.rows, d = m.columns
        var sum = [Int32](repeating: 0, count: d)
        m.values.withUnsafeBufferPointer { x in
            sum.withUnsafeMutableBufferPointer { s in
                for i in 0..<n {
                    let row = i * d
                    for j in 0..<d {
                        let v = x[row + j]
                        s[j] &+= v > 0 ? 1 : (v < 0 ? -1 : 0)
                    }
                }
            }
        }
        return sum.map { abs($0) }
    }
}

extension RobustLearningRate {
    public static let descriptor = AggregatorDescriptor(
        name: "robust-lr",
        summary: "FedAvg with the server step reversed on coordinates fewer than theta clients agree on in sign (Ozdayi et al., AAAI 2021)",
        parameters: [
            Parameter("theta", .integer(Interval(1...)), default: .int(4),
                      doc: "clients that must agree on a coordinate's sign for the step to keep its direction"),
            Parameter("weighted", .boolean, default: .bool(true), doc: "weight updates by sample counts; false: plain mean"),
        ],
        figures: [("flipped_fraction", "share of coordinates whose server step was reversed")]
    ) { values, _ in
        try RobustLearningRate(threshold: values.int("theta"), weighting: values.bool("weighted") ? .samples : .uniform)
    }
}
