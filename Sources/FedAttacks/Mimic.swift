import FedCore

/// Mimic (Karimireddy, He & Jaggi, "Byzantine-Robust Learning on Heterogeneous Datasets via
/// Bucketing", ICLR 2022): all attackers copy one honest update, row `index` of `benign`
/// (default 0, the honest client with the smallest id). Harmless on IID data; on non-IID data it
/// over-weights one client's label distribution. `needsCollusion` is true.
public struct Mimic: ModelAttack, Equatable {
    /// Which benign row to copy (≥ 0; must exist when crafting).
    public let index: Int
    public var name: String { "mimic" }
    public var needsCollusion: Bool { true }

    public init(index: Int = 0) throws {
        guard index >= 0 else {
            throw AttackError.parameter(attack: "mimic", message: "index must be non-negative; got \(index)")
        }
        self.index = index
    }

    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix {
        try input.requireBenign(attack: name, atLeast: index + 1)
        return repeatedRows(input.benign.row(index), rows: input.own.rows)
    }
}

extension Mimic {
    public static let descriptor = AttackDescriptor(
        name: "mimic", summary: "every attacker sends one honest client's update, over-weighting it (Karimireddy et al., ICLR 2022)",
        parameters: [Parameter("index", .integer(Interval(0...)), default: .int(0), doc: "which known honest update (by client-id order) to copy")],
        role: .model { values in try Mimic(index: values.int("index")) }, needsHub: true)
}
