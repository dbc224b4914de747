import FedCore

/// The γ search shared by Min-Max and Min-Sum (Shejwalkar & Houmansadr, NDSS 2021; the
/// authors' notebooks), exactly as `minMaxGamma` in docs/ALGORITHMS.md section 6:
///
///     μ = mean(B); m(γ) = μ − γ·p
///     bound = maxDistance: max_{b,b'} ||b − b'||²   |  sumDistance: min_b Σ_{b'} ||b − b'||²
///     value = maxDistance: max_b ||m(γ) − b||²      |  sumDistance: Σ_b ||m(γ) − b||²
///     γ = γ0; step = γ0/2; ok = 0
///     while |ok − γ| > tol: if value(γ) ≤ bound { ok = γ; γ += step } else { γ −= step }; step /= 2
///     return m(ok)
///
/// Squared distances, accumulated in `Double`. The search can never go beyond
/// `γ0 + γ0/2 + γ0/4 + … < 2γ0`; when the accepted γ ends within 1% of that limit (≥ 0.99·2γ0)
/// the true maximum probably lies beyond it, so the search restarts with γ0 × 10, at most
/// `maxRetries` times (default 3, i.e. up to γ0 = 10⁴ from the default 10).
/// When p = 0 every γ gives μ: the search returns γ = 0 and μ.
public struct GammaSearch: Sendable, Equatable {
    /// Which constraint a malicious vector must satisfy.
    public enum Criterion: Sendable, Equatable, CaseIterable {
        /// Min-Max: its largest distance to a benign update is at most the largest benign pairwise distance.
        case maxDistance
        /// Min-Sum: its sum of distances to the benign updates is at most the smallest benign sum.
        case sumDistance
    }

    public let criterion: Criterion
    /// γ0 (default 10, as the authors).
    public let initialGamma: Double
    /// Stopping tolerance on γ (default 1e-5).
    public let tolerance: Double
    /// Restarts with γ0 × 10 when γ ends at the search's upper limit (default 3).
    public let maxRetries: Int

    /// The outcome: γ, the malicious vector, the benign bound and the vector's constraint value.
    public struct Result: Sendable, Equatable {
        public let gamma: Double
        public let update: [Float]
        public let bound: Double
        public let value: Double
    }

    public init(criterion: Criterion, initialGamma: Double = 10, tolerance: Double = 1e-5, maxRetries: Int = 3) {
        self.criterion = criterion
        self.initialGamma = initialGamma
        self.tolerance = tolerance
        self.maxRetries = maxRetries
    }

    /// Checks the hyperparameters for the attack named `attack`.
    func validate(attack: String) throws {
        try requireFinite(initialGamma, "initial gamma", attack: attack, positive: true)
        try requireFinite(tolerance, "tolerance", attack: attack, positive: true)
        guard maxRetries >= 0 else {
            throw AttackError.parameter(attack: attack, message: "max retries must be non-negative; got \(maxRetries)")
        }
    }

    /// Runs the search over benign rows `benign` (at least 1 row) with deviation `deviation`.
    public func run(benign: UpdateMatrix, deviation: Deviation) -> Result {
        let mu = meanRowDouble(benign)
        let p = deviation.vector(benign: benign, mean: mu)
        let bound = benignBound(benign)
        guard p.contains(where: { $0 != 0 }) else {
            return Result(gamma: 0, update: mu.map { Float($0) }, bound: bound, value: value(mu, benign))
        }
        var gamma0 = initialGamma
        var ok = search(mu: mu, p: p, benign: benign, bound: bound, gamma0: gamma0)
        var retries = 0
        while ok >= 0.99 * 2 * gamma0 && retries < maxRetries {
            gamma0 *= 10
            retries += 1
            ok = search(mu: mu, p: p, benign: benign, bound: bound, gamma0: gamma0)
        }
        let m = malicious(mu, p, ok)
        return Result(gamma: ok, update: m.map { Float($0) }, bound: bound, value: value(m, benign))
    }

    // MARK: - Pieces

    /// max_{b,b'} ||b − b'||² (Min-Max) or min_b Σ_{b'} ||b − b'||² (Min-Sum).
    func benignBound(_ benign: UpdateMatrix) -> Double {
        let dist = pairwiseSquaredDistances(benign)
        switch criterion {
        case .maxDistance:
            return dist.reduce(0.0) { max($0, $1.max() ?? 0) }
        case .sumDistance:
            return dist.map { $0.reduce(0, +) }.min() ?? 0
        }
    }

    /// max_b ||m − b||² or Σ_b ||m − b||².
    func value(_ m: [Double], _ benign: UpdateMatrix) -> Double {
        let d = squaredDistancesToRows(m, benign)
        switch criterion {
        case .maxDistance: return d.max() ?? 0
        case .sumDistance: return d.reduce(0, +)
        }
    }

    private func malicious(_ mu: [Double], _ p: [Double], _ gamma: Double) -> [Double] {
        var m = mu
        for j in m.indices { m[j] -= gamma * p[j] }
        return m
    }

    /// One bisection-like search from γ0; returns the last accepted γ (0 if none).
    private func search(mu: [Double], p: [Double], benign: UpdateMatrix, bound: Double, gamma0: Double) -> Double {
        var g = gamma0, step = gamma0 / 2, ok = 0.0
        var iterations = 0
        while abs(ok - g) > tolerance && iterations < 10_000 {
            iterations += 1
            if value(malicious(mu, p, g), benign) <= bound {
                ok = g
                g += step
            } else {
                g -= step
            }
            step /= 2
        }
        return ok
    }
}
