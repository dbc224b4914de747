import FedCore

/// Fang's full-knowledge attack on Krum (Fang, Cao, Jia & Gong, "Local Model Poisoning Attacks
/// to Byzantine-Robust Federated Learning", USENIX Security 2020, section 4.2): every attacker
/// sends u = −λ·s, s = sign(μ) the direction the honest updates move the model (μ their mean),
/// with the largest λ for which the server's Krum still selects it.
///
/// In update terms (the global model is the origin, so D(w_i, w_Re) = ‖u_i‖), the search starts
/// at the paper's upper bound, with m updates of which c malicious and d the dimension:
///
///     λ₀ = 1/((m − 2c − 1)·√d) · min_i Σ_{l ∈ Γ_i} ‖u_l − u_i‖ + 1/√d · max_i ‖u_i‖
///
/// (i and its m − c − 2 nearest Γ_i among the honest updates), and halves λ until the rule run
/// as a black box (`AttackInput.oracle`, the hub's copy of the scenario's defence) returns u as
/// its aggregate, or λ falls below `threshold` (then u = −threshold·s, the smallest tried). The
/// c − 1 other attackers send the same u: the paper's supporting models within ε of it, with
/// ε = 0. Against a rule that never returns one update as its aggregate (anything but Krum) the
/// search ends at the threshold; `adaptive` is the attack for those.
public struct FangKrum: ModelAttack, Equatable {
    public let threshold: Double
    public var name: String { "fang-krum" }
    public var needsCollusion: Bool { true }

    public init(threshold: Double = 1e-5) throws {
        try requireFinite(threshold, "threshold", attack: "fang-krum", positive: true)
        self.threshold = threshold
    }

    /// The paper's upper bound λ₀ for honest rows `benign` among m updates, c malicious.
    public static func upperBound(benign: UpdateMatrix, total m: Int, malicious c: Int) -> Double {
        let n = benign.rows, d = Double(benign.columns)
        let dist = pairwiseSquaredDistances(benign).map { $0.map { $0.squareRoot() } }
        let k = max(0, min(n - 1, m - c - 2))
        let sums = (0..<n).map { i in (0..<n).filter { $0 != i }.map { dist[i][$0] }.sorted().prefix(k).reduce(0, +) }
        let norms = (0..<n).map { i in benign.row(i).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
        let denominator = Double(max(1, m - 2 * c - 1))
        return (sums.min() ?? 0) / (denominator * d.squareRoot()) + (norms.max() ?? 0) / d.squareRoot()
    }

    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix {
        let oracle = try input.requireOracle(attack: name)
        let b = input.benign, f = max(1, input.own.rows)
        let s = meanRowDouble(b).map { $0 > 0 ? 1.0 : ($0 < 0 ? -1.0 : 0) }
        func update(_ lambda: Double) -> [Float] { s.map { Float(-lambda * $0) } }
        var lambda = FangKrum.upperBound(benign: b, total: b.rows + f, malicious: f)
        var u = update(max(lambda, threshold))
        while lambda >= threshold {
            u = update(lambda)
            if try oracle.aggregate(AggregationOracle.round(u, copies: f, benign: b)) == u { break }
            lambda /= 2
        }
        if lambda < threshold { u = update(threshold) }
        return input.everyAttackerSends(u)
    }
}

extension FangKrum {
    public static let descriptor = AttackDescriptor(
        name: "fang-krum", summary: "minus lambda times the sign of the honest mean, lambda the largest Krum still selects (Fang et al., USENIX Security 2020)",
        parameters: [Parameter("threshold", .number(.greaterThan(0)), default: .number(1e-5), doc: "the smallest lambda tried before giving up")],
        role: .model { values in try FangKrum(threshold: values.double("threshold")) }, needsHub: true)
}
