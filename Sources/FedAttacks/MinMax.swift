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
