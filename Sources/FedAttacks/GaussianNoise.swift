import FedCore

/// Gaussian (random) update: every coordinate of every attacker's update is drawn
/// independently from `N(μ, σ²)`, ignoring the honest update.
///
/// Defaults μ = 0, σ = 1 (byzfl `Gaussian`, FLPoison); Blanchard et al. (NeurIPS 2017) used
/// σ ≈ 200 to break the plain mean. Draws come from `rng` row after row, so each attacker's
/// row is independent and the output is deterministic per seed. `needsCollusion` is false.
public struct GaussianNoise: ModelAttack, Equatable {
    public let mean: Double
    /// σ ≥ 0.
    public let std: Double
    public var name: String { "gaussian" }
    public var needsCollusion: Bool { false }

    public init(mean: Double = 0, std: Double = 1) throws {
        try requireFinite(mean, "mean", attack: "gaussian")
        try requireFinite(std, "std", attack: "gaussian")
        guard std >= 0 else {
            throw AttackError.parameter(attack: "gaussian", message: "std must be non-negative; got \(std)")
        }
        self.mean = mean
        self.std = std
    }

    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix {
        let count = input.own.rows * input.own.columns
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = Float(mean + std * rng.nextGaussian()) }
        return UpdateMatrix(rows: input.own.rows, columns: input.own.columns, values: values)
    }
}

extension GaussianNoise {
    public static let descriptor = AttackDescriptor(
        name: "gaussian", summary: "send Gaussian noise instead of the update",
        parameters: [
            Parameter("mean", .number(.unbounded), default: .number(0), doc: "mean of every coordinate"),
            Parameter("sigma", .number(.atLeast(0)), default: .number(1), doc: "standard deviation of every coordinate"),
        ],
        role: .model { values in try GaussianNoise(mean: values.double("mean"), std: values.double("sigma")) })
}
