import FedCore

/// Clip, aggregate with any rule, add Gaussian noise: the composition that lets a robust rule
/// (median, Krum, trimmed mean, ...) run on clipped updates with DP-sized noise on its output.
///
///     Δ_k ← Δ_k · min(1, C/‖Δ_k‖);   a = inner(Δ_1..Δ_n);   out = a + N(0, (z·C/(qN))² I_d)
///
/// The noise has the size DP-FedAvg would put on its average, but the accountant's ε does NOT
/// apply: the RDP analysis is for the noised *sum* of clipped updates, whose sensitivity is C;
/// a rule that replaces the sum has a different (often unbounded relative to the noise, e.g.
/// Krum switching to another client's whole update) sensitivity, so the calibration argument is
/// void (docs/ALGORITHMS.md section 4, pitfall). Use it to study the accuracy/robustness trade-off,
/// not to claim privacy. A robust rule applied *after* DP-FedAvg's noise is post-processing and
/// keeps ε; that is a server-side step after `DPFedAvg`, not this type.
///
/// The inner rule receives the clipped matrix and the original context (weights, rng); the noise
/// comes from its own stream (`GaussianMechanism.noiseRNG`). When the inner rule does not apply
/// an update this round (`applied == false`) no noise is added and the zero aggregate is kept.
public struct DPWrapped: Aggregator, PrivacyAware {
    /// The rule that replaces the clipped sum.
    public var inner: any Aggregator
    /// C: every update is clipped to this L2 norm before the inner rule sees it.
    public let clip: Double
    /// z: the noise std on the output is z·C/(qN).
    public let noiseMultiplier: Double
    /// qN: the expected cohort, which sets the noise scale as for DP-FedAvg's average.
    public let expectedClients: Double

    public init(inner: any Aggregator, clip: Double, noiseMultiplier: Double,
                expectedClients: Double) throws(AggregatorError) {
        try GaussianMechanism.validate(rule: "dp(\(inner.name))", clip: clip, noiseMultiplier: noiseMultiplier,
                                       expectedClients: expectedClients)
        self.inner = inner
        self.clip = clip
        self.noiseMultiplier = noiseMultiplier
        self.expectedClients = expectedClients
    }

    public var name: String { "dp(\(inner.name))" }

    /// Standard deviation of the noise added to the inner rule's output: z·C/(qN).
    public var noiseStd: Double { noiseMultiplier * clip / expectedClients }

    /// The inner rule's precondition.
    public func check(n: Int) throws(AggregatorError) {
        try inner.check(n: n)
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        var clippedMatrix = updates
        let outcomes = GaussianMechanism.clipRows(&clippedMatrix, to: clip)
        var result = try inner.aggregate(clippedMatrix, context: context)
        for i in result.decisions.indices where i < outcomes.count && outcomes[i].clipped {
            result.decisions[i].clipped = true
        }
        if result.applied {
            var noisy = result.aggregate.map(Double.init)
            var rng = GaussianMechanism.noiseRNG(context)
            GaussianMechanism.addNoise(to: &noisy, std: noiseStd, rng: &rng)
            result.aggregate = noisy.map { Float($0) }
        }
        let clippedCount = outcomes.lazy.filter(\.clipped).count
        result.figures["clipped_fraction"] = outcomes.isEmpty ? 0 : Double(clippedCount) / Double(outcomes.count)
        result.figures["noise_std"] = result.applied ? noiseStd : 0
        return result
    }

    /// The inner rule's state: the wrapper itself keeps none.
    public var savedState: SavedState? { inner.savedState }

    public mutating func restore(_ state: SavedState) throws {
        try inner.restore(state)
    }

    // MARK: - PrivacyAware

    public var epsilonApplies: Bool { false }

    public var guaranteeNote: String {
        "\(name): updates clipped to C = \(clip) and noise of std z*C/qN = \(noiseStd) added to the output of "
            + "\(inner.name), which replaces the clipped sum. The RDP accountant's epsilon is for the noised mean "
            + "of clipped updates and does NOT hold here: a robust rule in place of the sum voids the "
            + "sensitivity argument (no formal DP guarantee)."
    }
}
