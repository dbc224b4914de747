import FedCore

/// DP-FedAvg, server side (McMahan, Ramage, Talwar & Zhang, "Learning Differentially Private
/// Recurrent Language Models", ICLR 2018; docs/ALGORITHMS.md section 4), with a fixed denominator:
///
///     Δ_k ← Δ_k · min(1, C/‖Δ_k‖)              (flat L2 clipping of every update)
///     S   = Σ_k Δ_k + N(0, (z·C)² I_d)          (noise on the SUM; sensitivity of S is C)
///     Δ̄   = S / (q·N)                           (expected cohort, not the realised count)
///
/// so the noise on the average has std `z·C/(qN)`. With Poisson sampling of each client at
/// rate q, T rounds are the sampled Gaussian mechanism with (q, z) composed T times, and
/// `RDPAccountant` gives the user-level (ε, δ). A fixed-size cohort of m clients accounted as
/// q = m/N is an approximation; label it so.
///
/// Weights: the sum is unweighted (w_k = 1 for every client). McMahan et al. allow weights
/// capped at w_k ≤ 1 and divide by q·W; with uncapped weights (local sample counts) one client
/// could scale its contribution past C and the sensitivity argument would fail, so
/// `context.weights` is ignored on purpose.
///
/// Framework analogues: TFF `DifferentiallyPrivateFactory.gaussian_fixed`, Flower
/// `DifferentialPrivacyServerSideFixedClipping`.
public struct DPFedAvg: Aggregator, PrivacyAware {
    /// C: every update is clipped to this L2 norm.
    public let clip: Double
    /// z: noise std on the clipped sum is z·C.
    public let noiseMultiplier: Double
    /// qN: the fixed denominator (expected number of sampled clients per round).
    public let expectedClients: Double

    public init(clip: Double, noiseMultiplier: Double, expectedClients: Double) throws(AggregatorError) {
        try GaussianMechanism.validate(rule: "dp-fedavg", clip: clip, noiseMultiplier: noiseMultiplier,
                                       expectedClients: expectedClients)
        self.clip = clip
        self.noiseMultiplier = noiseMultiplier
        self.expectedClients = expectedClients
    }

    public var name: String { "dp-fedavg" }

    /// Standard deviation of the noise on the aggregate (the average): z·C/(qN).
    public var noiseStd: Double { noiseMultiplier * clip / expectedClients }

    /// Any n works, including an empty Poisson cohort (the output is then noise alone).
    public func check(n: Int) throws(AggregatorError) {
        guard n >= 0 else { throw .tooFewUpdates(rule: name, needed: 0, got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        try check(n: updates.rows)
        let n = updates.rows
        let d = updates.columns
        var sum = [Double](repeating: 0, count: d)
        var decisions: [ClientDecision] = []
        decisions.reserveCapacity(n)
        var clippedCount = 0
        updates.values.withUnsafeBufferPointer { x in
            sum.withUnsafeMutableBufferPointer { s in
                for i in 0..<n {
                    let norm = updates.rowNorm(i)
                    let factor = GaussianMechanism.clipFactor(norm: norm, bound: clip)
                    let clipped = factor < 1
                    if clipped { clippedCount += 1 }
                    decisions.append(ClientDecision(selected: true, weight: 1 / Double(n), score: norm, clipped: clipped))
                    let base = i * d
                    for j in 0..<d { s[j] += factor * Double(x[base + j]) }
                }
            }
        }
        var rng = GaussianMechanism.noiseRNG(context)
        GaussianMechanism.addNoise(to: &sum, std: noiseMultiplier * clip, rng: &rng)
        let aggregate = sum.map { Float($0 / expectedClients) }
        return AggregationResult(
            aggregate: aggregate, decisions: decisions, applied: true,
            figures: [
                "clipped_fraction": n > 0 ? Double(clippedCount) / Double(n) : 0,
                "noise_std": noiseStd,
            ])
    }

    // MARK: - PrivacyAware

    public var epsilonApplies: Bool { true }

    public var guaranteeNote: String {
        "DP-FedAvg: noised sum of updates clipped to C = \(clip), noise std z*C with z = \(noiseMultiplier), "
            + "divided by the expected cohort qN = \(expectedClients); the RDP accountant's (epsilon, delta) "
            + "for (q, z) is a user-level guarantee when clients are Poisson-sampled at rate q."
    }
}
