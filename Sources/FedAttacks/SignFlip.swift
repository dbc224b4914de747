import FedCore

/// Sign flipping ("bit flipping"): each attacker sends `−λ · u` where `u` is **its own honest
/// update** (FLPoison; epfml `BitFlippingWorker`), not the honest mean as in byzfl's
/// `SignFlipping`. Default λ = 1 (plain negation); λ > 1 gives the scaled variant.
/// Runs inside each malicious client: `needsCollusion` is false and `benign` is ignored.
public struct SignFlip: ModelAttack, Equatable {
    /// λ, finite and positive.
    public let scale: Double
    public var name: String { "sign-flip" }
    public var needsCollusion: Bool { false }

    public init(scale: Double = 1) throws {
        try requireFinite(scale, "scale", attack: "sign-flip", positive: true)
        self.scale = scale
    }

    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix {
        let k = Float(-scale)
        return UpdateMatrix(rows: input.own.rows, columns: input.own.columns, values: input.own.values.map { k * $0 })
    }
}

extension SignFlip {
    public static let descriptor = AttackDescriptor(
        name: "sign-flip", summary: "send its own honest update negated, times a scale (bit flipping, as in FLPoison and epfml)",
        parameters: [Parameter("scale", .number(.greaterThan(0)), default: .number(1), doc: "factor on the negated update")],
        role: .model { values in try SignFlip(scale: values.double("scale")) })
}
