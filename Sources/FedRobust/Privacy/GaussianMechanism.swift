import FedCore

/// The two steps every DP aggregator here shares: flat L2 clipping of each update and Gaussian
/// noise drawn from a dedicated, seeded stream (McMahan, Ramage, Talwar & Zhang, "Learning
/// Differentially Private Recurrent Language Models", ICLR 2018; docs/ALGORITHMS.md section 4).
public enum GaussianMechanism {
    /// The norm of one update before clipping and whether it was scaled down.
    public struct ClipOutcome: Sendable, Equatable {
        public var norm: Double
        public var clipped: Bool
    }

    // MARK: - Clipping

    /// `min(1, C/‖x‖)`: the factor that brings an update of L2 norm `norm` inside the ball of
    /// radius `bound` (1 for the zero vector). Rows already inside are left exactly as they are.
    public static func clipFactor(norm: Double, bound: Double) -> Double {
        norm > bound ? bound / norm : 1
    }

    /// Clips every row of `matrix` in place to L2 norm ≤ `bound` (flat clipping across all
    /// layers, `x ← x·min(1, C/‖x‖)`). Rounding to Float can leave a clipped row a few ulps
    /// above C; such a row is scaled once more so that its Float norm is ≤ C, since the
    /// sensitivity argument needs the bound to hold for the values actually aggregated.
    public static func clipRows(_ matrix: inout UpdateMatrix, to bound: Double) -> [ClipOutcome] {
        let d = matrix.columns
        var outcomes: [ClipOutcome] = []
        outcomes.reserveCapacity(matrix.rows)
        for i in 0..<matrix.rows {
            let norm = matrix.rowNorm(i)
            guard norm > bound else {
                outcomes.append(ClipOutcome(norm: norm, clipped: false))
                continue
            }
            var factor = bound / norm
            for _ in 0..<4 {
                scaleRow(&matrix, i, columns: d, by: factor)
                let after = matrix.rowNorm(i)
                if after <= bound { break }
                factor = (bound / after) * (1 - 0x1p-23)
            }
            outcomes.append(ClipOutcome(norm: norm, clipped: true))
        }
        return outcomes
    }

    private static func scaleRow(_ matrix: inout UpdateMatrix, _ i: Int, columns d: Int, by factor: Double) {
        matrix.values.withUnsafeMutableBufferPointer { x in
            for j in (i * d)..<((i + 1) * d) { x[j] = Float(Double(x[j]) * factor) }
        }
    }

    // MARK: - Noise

    /// The noise stream of a round: derived from the round's generator under its own label,
    /// so that it is reproducible and independent of whatever a wrapped rule draws from
    /// `context.rng` itself.
    public static func noiseRNG(_ context: AggregationContext) -> SeededRNG {
        context.rng.derive("dp-noise")
    }

    /// Adds independent N(0, std²) noise to every coordinate, in index order.
    public static func addNoise(to x: inout [Double], std: Double, rng: inout SeededRNG) {
        guard std > 0 else { return }
        for j in x.indices { x[j] += std * rng.nextGaussian() }
    }

    // MARK: - Hyperparameters

    /// Checks C > 0, z ≥ 0 and expected cohort qN > 0, all finite.
    static func validate(rule: String, clip: Double, noiseMultiplier: Double,
                         expectedClients: Double) throws(AggregatorError) {
        guard clip > 0, clip.isFinite else {
            throw .parameter(rule: rule, message: "clip norm C must be positive and finite; got \(clip)")
        }
        guard noiseMultiplier >= 0, noiseMultiplier.isFinite else {
            throw .parameter(rule: rule, message: "noise multiplier z must be >= 0 and finite; got \(noiseMultiplier)")
        }
        guard expectedClients > 0, expectedClients.isFinite else {
            throw .parameter(rule: rule,
                             message: "expected clients per round qN must be positive and finite; got \(expectedClients)")
        }
    }
}

extension GaussianMechanism {
    /// The figures DP-FedAvg and DPWrapped report each round.
    public static let figureDocs: [(name: String, doc: String)] = [
        ("clipped_fraction", "share of updates scaled down to the clip norm C"),
        ("noise_std", "standard deviation of the Gaussian noise on the aggregate"),
    ]
}
