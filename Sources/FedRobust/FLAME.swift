import FedCore

/// FLAME (Nguyen, Rieger, Chen, Yalame, Möllering, Fereidooni, Marchal, Miettinen, Mirhoseini,
/// Zeitouni, Koushanfar, Sadeghi & Schneider, "FLAME: Taming Backdoors in Federated Learning",
/// USENIX Security 2022, Algorithm 1):
///
/// 1. Cluster the local models W_i = G + Δ_i (G the global model) by cosine distance
///    c_ij = 1 − ⟨W_i, W_j⟩ / (‖W_i‖ ‖W_j‖) with HDBSCAN, min_cluster_size ⌊n/2⌋ + 1,
///    min_samples 1, allow_single_cluster (`MajorityCluster`); the cluster is kept, the noise
///    points are excluded. (`cluster_on: updates` clusters the Δ_i instead; so does FedSGD
///    mode, whose updates are gradients, and a caller that gives no global model.)
/// 2. S = the median of ‖Δ_i‖ over all n updates (NumPy's median: the mean of the two middle
///    values for even n); each kept Δ_i is scaled by min(1, S / ‖Δ_i‖).
/// 3. The aggregate is the plain mean of the clipped kept updates, plus Gaussian noise of
///    standard deviation σ = λ·S per coordinate (λ = 0.001, the paper's value for image
///    classification), drawn from `context.rng` in coordinate order.
///
/// All inner products come from one Gram matrix of the updates (`Gram`), plus ⟨G, Δ_i⟩ and
/// ⟨G, G⟩ for the models: ⟨W_i, W_j⟩ = ⟨G, G⟩ + ⟨G, Δ_i⟩ + ⟨G, Δ_j⟩ + ⟨Δ_i, Δ_j⟩. A zero
/// vector has cosine 0 with everything (distance 1), as after FLPoison's normalisation.
/// Departures: FLPoison scales its noise by each layer's standard deviation (γ = 1.2e-5) and
/// BackFed by other factors; fedsim follows the paper's σ = λ·S.
///
/// Decisions: kept updates are selected with weight 1/|kept|, `clipped` when scaled down;
/// score = the cosine distance to the nearest other model. Figures: `cluster_size`,
/// `clip_norm` (S), `noise_std` (σ).
public struct FLAME: Aggregator {
    public enum ClusterOn: String, Sendable, Equatable { case models, updates }

    /// Noise factor λ (σ = λ·S).
    public let lambda: Double
    public let clusterOn: ClusterOn
    public let name = "flame"

    public init(lambda: Double = 0.001, clusterOn: ClusterOn = .models) throws(AggregatorError) {
        guard lambda >= 0 && lambda.isFinite else {
            throw .parameter(rule: "flame", message: "lambda must be >= 0 and finite; got \(lambda)")
        }
        self.lambda = lambda
        self.clusterOn = clusterOn
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        let n = updates.rows, d = updates.columns
        try check(n: n)
        let gram = Gram(updates).values
        let norms = (0..<n).map { gram[$0 * n + $0].squareRoot() }
        // Inner products of the vectors clustered: the models G + Δ_i, or the updates.
        var inner = gram
        if clusterOn == .models, let g = context.global, g.count == d {
            var gg = 0.0
            for x in g { gg += Double(x) * Double(x) }
            let gd: [Double] = updates.values.withUnsafeBufferPointer { x in
                (0..<n).map { i in
                    var s = 0.0
                    for j in 0..<d { s += Double(g[j]) * Double(x[i * d + j]) }
                    return s
                }
            }
            for i in 0..<n { for j in 0..<n { inner[i * n + j] = gg + gd[i] + gd[j] + gram[i * n + j] } }
        }
        let lengths = (0..<n).map { max(0, inner[$0 * n + $0]).squareRoot() }
        var distance = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n where j != i {
                let cos = lengths[i] > 0 && lengths[j] > 0 ? inner[i * n + j] / (lengths[i] * lengths[j]) : 0
                distance[i * n + j] = 1 - min(1, max(-1, cos))
            }
        }
        let kept = MajorityCluster.members(distances: distance, n: n, minClusterSize: n / 2 + 1)
        let clip = FLAME.median(norms)
        var coefficients = [Double](repeating: 0, count: n)
        var decisions = [ClientDecision](repeating: ClientDecision(selected: false, weight: 0), count: n)
        for i in 0..<n {
            let nearest = (0..<n).filter { $0 != i }.map { distance[i * n + $0] }.min()
            decisions[i].score = nearest
        }
        for i in kept {
            let scale = norms[i] > clip ? clip / norms[i] : 1
            coefficients[i] = scale / Double(kept.count)
            decisions[i].selected = true
            decisions[i].weight = 1 / Double(kept.count)
            decisions[i].clipped = scale < 1
        }
        var aggregate = RowCombination.combine(updates, coefficients: coefficients)
        let sigma = lambda * clip
        if sigma > 0 {
            var rng = context.rng
            for j in 0..<d { aggregate[j] = Float(Double(aggregate[j]) + sigma * rng.nextGaussian()) }
        }
        return AggregationResult(aggregate: aggregate, decisions: decisions,
                                 figures: ["cluster_size": Double(kept.count), "clip_norm": clip, "noise_std": sigma])
    }

    /// NumPy's median: the middle value, or the mean of the two middle values.
    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

extension FLAME {
    public static let descriptor = AggregatorDescriptor(
        name: "flame", summary: "HDBSCAN majority cluster of cosine distances, clipping to the median norm, Gaussian noise (Nguyen et al., USENIX Security 2022)",
        parameters: [
            Parameter("lambda", .number(.atLeast(0)), default: .number(0.001),
                      doc: "noise factor: the aggregate gets Gaussian noise of std lambda x the median update norm (0.001 for images in the paper)"),
            Parameter("cluster_on", .choice(["models", "updates"]), default: .word("models"),
                      doc: "cluster the local models (global + update, the paper) or the updates"),
        ],
        figures: [("cluster_size", "updates in the majority cluster FLAME kept"),
                  ("clip_norm", "the median update norm every kept update is clipped to"),
                  ("noise_std", "standard deviation of the noise added to the aggregate")]
    ) { values, _ in
        try FLAME(lambda: values.double("lambda"), clusterOn: values.word("cluster_on") == "updates" ? .updates : .models)
    }
}
