import FedCore

/// Inner-product manipulation (Xie, Koyejo & Gupta, "Fall of Empires: Breaking Byzantine-
/// tolerant SGD by Inner Product Manipulation", UAI 2019): all attackers send
///
///     m = −ε · mean(benign)
///
/// so that the inner product of the aggregate with the true mean turns negative.
/// Default ε = 0.5: a small ε keeps the malicious vectors close to the honest ones (norm ε·|μ|),
/// which is what defeats median, trimmed-mean and Krum-type rules when f is large (epfml used
/// ε = 0.1 with 11 of 25 workers); a large ε (byzfl's default 2.0, or 100) instead destroys
/// the plain mean but is easily filtered. `needsCollusion` is true (needs at least 1 benign row).
public struct IPM: ModelAttack, Equatable {
    /// ε, finite and positive.
    public let epsilon: Double
    public var name: String { "ipm" }
    public var needsCollusion: Bool { true }

    public init(epsilon: Double = 0.5) throws {
        try requireFinite(epsilon, "epsilon", attack: "ipm", positive: true)
        self.epsilon = epsilon
    }

    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix {
        try input.requireBenign(attack: name, atLeast: 1)
        let row = meanRowDouble(input.benign).map { Float(-epsilon * $0) }
        return repeatedRows(row, rows: input.own.rows)
    }
}

extension IPM {
    public static let descriptor = AttackDescriptor(
        name: "ipm", summary: "minus epsilon times the honest mean, inner-product manipulation (Xie et al., UAI 2019)",
        parameters: [Parameter("epsilon", .number(.greaterThan(0)), default: .number(0.5), doc: "factor on the negated mean")],
        role: .model { values in try IPM(epsilon: values.double("epsilon")) }, needsHub: true)
}
