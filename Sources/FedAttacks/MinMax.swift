import FedCore

/// Min-Max (Shejwalkar & Houmansadr, "Manipulating the Byzantine: Optimizing Model Poisoning
/// Attacks and Defenses for Federated Learning", NDSS 2021): all attackers send
/// `m = μ − γ·p` with the largest γ such that
///
///     max_{b∈B} ||m − b||² ≤ max_{b,b'∈B} ||b − b'||²
///
/// i.e. the malicious update is no farther from any benign update than two benign updates
/// are from each other. B = `input.benign`, μ its mean, p the `deviation` (default `std`, as
/// the released notebooks). γ from `GammaSearch` (γ0 = 10, tol 1e-5, squared distances,
/// restarts with γ0 × 10 up to 3 times when γ hits the search limit). FLPoison uses the unit
/// deviation and non-squared norms, so its numbers differ. Needs at least 2 benign rows.
public struct MinMax: GammaSearchAttack, Equatable {
    public let deviation: Deviation
    public let gammaSearch: GammaSearch
    public var name: String { "min-max" }

    public init(deviation: Deviation = .std, initialGamma: Double = 10, tolerance: Double = 1e-5,
                maxRetries: Int = 3) throws {
        let search = GammaSearch(criterion: .maxDistance, initialGamma: initialGamma, tolerance: tolerance,
                                 maxRetries: maxRetries)
        try search.validate(attack: "min-max")
        self.deviation = deviation
        self.gammaSearch = search
    }
}

extension MinMax {
    public static let descriptor = AttackDescriptor(
        name: "min-max",
        summary: "mean minus gamma times a deviation, gamma the largest keeping the largest distance to any honest update within the honest bound (Shejwalkar & Houmansadr, NDSS 2021)",
        parameters: [
            Parameter("deviation", .choice(["std", "unit", "sign"]), default: .word("std"),
                      doc: "perturbation: minus the standard deviation, the unit mean, or the mean's sign"),
            Parameter("gamma_init", .number(.greaterThan(0)), default: .number(10), doc: "first gamma of the search"),
        ],
        role: .model { values in try MinMax(deviation: Deviation.named(values.word("deviation")), initialGamma: values.double("gamma_init")) },
        needsHub: true)
}
