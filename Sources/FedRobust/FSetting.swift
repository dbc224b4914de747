import FedCore

/// How many Byzantine updates `f` a rule is configured to tolerate.
///
/// `f` is a parameter of the defence, not the true number of attackers (docs/ALGORITHMS.md
/// section 0). `.auto` estimates it every round from the updates with the MAD outlier count
/// of docs/ALGORITHMS.md section 9 (`FEstimator`), bounded by the rule's largest admissible f
/// (⌊(n − 3)/2⌋ for Krum and Multi-Krum, ⌊(n − 3)/4⌋ for Bulyan).
public enum FSetting: Sendable, Equatable {
    /// A fixed f, the same every round.
    case fixed(Int)
    /// Estimated each round (`FEstimator.estimate`, floor ⌊0.1 n⌋, capped at the rule's f_max).
    case auto
}

extension FSetting {
    /// The f to use this round, and the estimate when `.auto` made one.
    ///
    /// - Parameters:
    ///   - fMax: the rule's largest admissible f for this n (negative when n is too small).
    ///   - failure: the error to throw when no f ≥ 0 is admissible (`.auto`) or the
    ///     fixed f exceeds `fMax`.
    func resolve(_ updates: UpdateMatrix, fMax: Int,
                 failure: (Int) -> AggregatorError) throws -> (f: Int, estimate: FEstimator.Estimate?) {
        switch self {
        case let .fixed(f):
            guard f <= fMax else { throw failure(f) }
            return (f, nil)
        case .auto:
            guard fMax >= 0 else { throw failure(0) }
            let e = try FEstimator.estimate(updates, fMax: fMax)
            return (e.fUsed, e)
        }
    }

    /// Throws `.parameter` for a negative fixed f.
    func validate(rule: String) throws(AggregatorError) {
        if case let .fixed(f) = self, f < 0 {
            throw AggregatorError.parameter(rule: rule, message: "f must be >= 0; got \(f)")
        }
    }

    /// Figures for rounds.csv: "f_used" always, "f_estimate" (f̂) with `.auto`.
    static func figures(f: Int, estimate: FEstimator.Estimate?) -> [String: Double] {
        var figures = ["f_used": Double(f)]
        if let e = estimate { figures["f_estimate"] = Double(e.fHat) }
        return figures
    }
}
