import FedCore

/// Min-Sum (Shejwalkar & Houmansadr, NDSS 2021): all attackers send `m = μ − γ·p` with the
/// largest γ such that
///
///     Σ_{b∈B} ||m − b||² ≤ min_{b∈B} Σ_{b'∈B} ||b − b'||²
///
/// i.e. the malicious update's total squared distance to the benign updates is no larger than
/// that of the most central benign update (this evades Krum-like scoring). B = `input.benign`,
/// μ its mean, p the `deviation` (default `std`, as the released notebooks); γ from
/// `GammaSearch` (γ0 = 10, tol 1e-5, squared distances, restarts with γ0 × 10 up to 3 times).
/// Needs at least 2 benign rows.
public struct MinSum: GammaSearchAttack, Equatable {
    public let deviation: Deviation
    public let gammaSearch: GammaSearch
    public var name: String { "min-sum" }

    public init(deviation: Deviation = .std, initialGamma: Double = 10, tolerance: Double = 1e-5,
                maxRetries: Int = 3) throws {
        let search = GammaSearch(criterion: .sumDistance, initialGamma: initialGamma, tolerance: tolerance,
                                 maxRetries: maxRetries)
        try search.validate(attack: "min-sum")
        self.deviation = deviation
        self.gammaSearch = search
    }
}

extension MinSum {
    public static let descriptor = AttackDescriptor(
        name: "min-sum",
        summary: "mean minus gamma times a deviation, gamma the largest keeping the sum of squared distances to the honest updates within the honest bound (Shejwalkar & Houmansadr, NDSS 2021)",
        parameters: [
            Parameter("deviation", .choice(["std", "unit", "sign"]), default: .word("std"),
                      doc: "perturbation: minus the standard deviation, the unit mean, or the mean's sign"),
            Parameter("gamma_init", .number(.greaterThan(0)), default: .number(10), doc: "first gamma of the search"),
        ],
        role: .model { values in try MinSum(deviation: Deviation.named(values.word("deviation")), initialGamma: values.double("gamma_init")) },
        needsHub: true)
}
