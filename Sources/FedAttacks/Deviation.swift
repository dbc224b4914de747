import FedCore

/// The perturbation direction p of the Min-Max / Min-Sum attacks (Shejwalkar & Houmansadr,
/// NDSS 2021); the malicious update is `μ − γ·p`, μ the benign mean.
///
/// - `unit`: `p = μ / ||μ||` (inverse unit vector; FLPoison's choice). Zero when μ = 0.
/// - `sign`: `p = sign(μ)` coordinate-wise (sign 0 = 0).
/// - `std`: `p = σ`, the coordinate-wise standard deviation of the benign rows with ddof = 1
///   (torch's `std`, as in the authors' released notebooks; the default).
public enum Deviation: Sendable, Equatable, CaseIterable {
    case unit, sign, std

    /// p for the benign rows `benign` whose mean is `mean` (in `Double`).
    func vector(benign: UpdateMatrix, mean: [Double]) -> [Double] {
        switch self {
        case .unit:
            let norm = mean.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { return [Double](repeating: 0, count: mean.count) }
            return mean.map { $0 / norm }
        case .sign:
            return mean.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
        case .std:
            return coordinateStdDouble(benign, ddof: 1, mean: mean)
        }
    }
}

extension Deviation {
    /// The deviation named in a scenario (`std`, `unit`, `sign`).
    static func named(_ word: String) -> Deviation {
        switch word {
        case "unit": return .unit
        case "sign": return .sign
        default: return .std
        }
    }
}
