import FedCore

/// "A Little Is Enough" (Baruch, Baruch & Goldberg, NeurIPS 2019): all attackers send
///
///     m_j = μ_j + s · z · σ_j
///
/// where μ_j, σ_j are the coordinate-wise mean and standard deviation of the rows of
/// `input.benign` (the attackers' own honest updates when colluding — the paper's
/// non-omniscient setting — or every honest update when omniscient), and s = ±1 the
/// `direction` (default +1; some code uses −1).
///
/// z is either fixed (byzfl's default is 1.5) or computed from n = `totalClients` and
/// f = `maliciousClients`: `s* = ⌊n/2 + 1⌋ − f` honest workers must be won over, and
/// - `paper`: `z = Φ⁻¹((n − s*)/n)`;
/// - `honestOnly` (epfml, FLPoison): `z = Φ⁻¹((n − f − s*)/(n − f))`.
///
/// σ uses `ddof` (default 1, as byzfl and torch; FLPoison's NumPy uses 0). With ddof = 1 and a
/// single benign row σ is undefined: `craft` throws `AttackError.notEnoughUpdates` (needed
/// ddof + 1) rather than silently using σ = 0, which would degrade ALIE into sending the
/// honest update itself.
public struct ALIE: ModelAttack, Equatable {
    /// How z is chosen.
    public enum ZChoice: Sendable, Equatable {
        case fixed(Double)
        case auto(variant: Variant)
    }

    /// Which formula `auto` uses.
    public enum Variant: Sendable, Equatable, CaseIterable {
        /// `Φ⁻¹((n − s)/n)`, the paper.
        case paper
        /// `Φ⁻¹((n − f − s)/(n − f))`, epfml and FLPoison.
        case honestOnly
    }

    /// The sign s of the shift.
    public enum Direction: Sendable, Equatable, CaseIterable {
        case plus, minus
    }

    public let z: ZChoice
    public let direction: Direction
    public let ddof: Int
    public var name: String { "alie" }
    public var needsCollusion: Bool { true }

    /// Throws `AttackError.parameter` for a non-finite fixed z or `ddof` outside {0, 1}.
    public init(z: ZChoice = .auto(variant: .paper), direction: Direction = .plus, ddof: Int = 1) throws {
        if case let .fixed(value) = z {
            try requireFinite(value, "z", attack: "alie")
        }
        guard ddof == 0 || ddof == 1 else {
            throw AttackError.parameter(attack: "alie", message: "ddof must be 0 or 1; got \(ddof)")
        }
        self.z = z
        self.direction = direction
        self.ddof = ddof
    }

    /// z for n aggregated updates of which f are malicious (see the type's documentation).
    /// Returns ±∞ or NaN when the probability falls outside (0, 1) (for example f ≥ ⌊n/2 + 1⌋,
    /// or n − f ≤ 0 for `honestOnly`); `craft` turns that into `AttackError.parameter`.
    public static func z(n: Int, f: Int, variant: Variant) -> Double {
        let s = n / 2 + 1 - f   // ⌊n/2 + 1⌋ − f for n ≥ 0
        switch variant {
        case .paper:
            return normalQuantile(Double(n - s) / Double(n))
        case .honestOnly:
            return normalQuantile(Double(n - f - s) / Double(n - f))
        }
    }

    /// The z this attack uses for `n` and `f`; throws when it is not finite.
    public func resolvedZ(n: Int, f: Int) throws -> Double {
        switch z {
        case let .fixed(value):
            return value
        case let .auto(variant):
            guard n >= 1, f >= 0, f < n else {
                throw AttackError.parameter(attack: name, message: "automatic z needs 0 ≤ f < n; got n = \(n), f = \(f)")
            }
            let value = ALIE.z(n: n, f: f, variant: variant)
            guard value.isFinite else {
                throw AttackError.parameter(attack: name,
                                            message: "automatic z (\(variant)) is \(value) for n = \(n), f = \(f)")
            }
            return value
        }
    }

    /// `μ + s·z·σ` over the rows of `benign`.
    public func maliciousUpdate(benign: UpdateMatrix, z zValue: Double) throws -> [Float] {
        guard benign.rows >= ddof + 1, benign.rows >= 1 else {
            throw AttackError.notEnoughUpdates(attack: name, needed: ddof + 1, got: benign.rows)
        }
        let mu = meanRowDouble(benign)
        let sigma = coordinateStdDouble(benign, ddof: ddof, mean: mu)
        let shift = (direction == .plus ? 1.0 : -1.0) * zValue
        var out = [Float](repeating: 0, count: benign.columns)
        for j in 0..<benign.columns { out[j] = Float(mu[j] + shift * sigma[j]) }
        return out
    }

    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix {
        try input.checkShapes(attack: name)
        let zValue = try resolvedZ(n: input.totalClients, f: input.maliciousClients)
        return repeatedRows(try maliciousUpdate(benign: input.benign, z: zValue), rows: input.own.rows)
    }
}

extension ALIE {
    public static let descriptor = AttackDescriptor(
        name: "alie", summary: "mean plus z standard deviations per coordinate, a little is enough (Baruch et al., NeurIPS 2019)",
        parameters: [
            Parameter("z", .autoOrNumber(.unbounded), default: .auto, doc: "deviations from the mean; auto: from n and f (docs/ALGORITHMS.md 3.5)"),
            Parameter("z_variant", .choice(["paper", "honest-only"]), default: .word("paper"), doc: "how auto computes z"),
            Parameter("ddof", .integer(.closed(0, 1)), default: .int(1), doc: "delta degrees of freedom of the standard deviation"),
            Parameter("direction", .choice(["plus", "minus"]), default: .word("plus"), doc: "sign of the shift"),
        ],
        role: .model { values in
            let variant: Variant = values.word("z_variant") == "paper" ? .paper : .honestOnly
            let z: ZChoice = values.autoOrDouble("z").map { .fixed($0) } ?? .auto(variant: variant)
            return try ALIE(z: z, direction: values.word("direction") == "plus" ? .plus : .minus, ddof: values.int("ddof"))
        },
        needsHub: true)
}
