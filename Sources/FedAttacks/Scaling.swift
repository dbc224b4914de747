import FedCore

/// Scaling (boosting): each attacker sends `λ · u`, `u` its own honest update.
///
/// Default λ = 10. With a backdoored `u` this is model replacement (Bagdasaryan et al.,
/// AISTATS 2020) when λ = `Backdoor.replacementBoost(...)` = n / (f·η).
/// `needsCollusion` is false and `benign` is ignored.
public struct Scaling: ModelAttack, Equatable {
    /// λ, finite and positive.
    public let factor: Double
    public var name: String { "scaling" }
    public var needsCollusion: Bool { false }

    public init(factor: Double = 10) throws {
        try requireFinite(factor, "factor", attack: "scaling", positive: true)
        self.factor = factor
    }

    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix {
        let k = Float(factor)
        return UpdateMatrix(rows: input.own.rows, columns: input.own.columns, values: input.own.values.map { k * $0 })
    }
}

extension Scaling {
    public static let descriptor = AttackDescriptor(
        name: "scaling", summary: "send the honest update times a factor",
        parameters: [Parameter("factor", .number(.unbounded), default: .number(10), doc: "factor on the honest update")],
        role: .model { values in try Scaling(factor: values.double("factor")) })
}
