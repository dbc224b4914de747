import FedRobust

/// Turns the scenario's `defense:` into the FedRobust values that run it. Adding a rule is one
/// file in FedRobust plus one case here.
enum DefenseFactory {
    /// The aggregation rule, wrapped for differential privacy when `dp:` is given: DP-FedAvg
    /// (the noised mean of clipped updates, the only combination the accountant covers) for
    /// `fedavg`, otherwise the rule between clipping and noise (the accountant's epsilon does
    /// not apply; the results say so).
    static func aggregator(_ defense: DefenseConfig, perRound: Int) throws -> any Aggregator {
        let rule = try self.rule(defense.aggregator)
        guard let dp = defense.dp else { return rule }
        if case .fedavg = defense.aggregator {
            return try DPFedAvg(clip: dp.clip, noiseMultiplier: dp.noiseMultiplier, expectedClients: Double(perRound))
        }
        return try DPWrapped(inner: rule, clip: dp.clip, noiseMultiplier: dp.noiseMultiplier,
                             expectedClients: Double(perRound))
    }

    /// The bare rule of `config`.
    static func rule(_ config: AggregatorConfig) throws -> any Aggregator {
        func f(_ c: FChoice) -> FSetting {
            switch c {
            case let .count(n): return .fixed(n)
            case .auto: return .auto
            }
        }
        switch config {
        case let .fedavg(weighted):
            return Mean(weighting: weighted ? .samples : .uniform)
        case .median:
            return CoordinateMedian()
        case let .trimmedMean(fc, beta):
            if let beta { return try TrimmedMean(.fraction(beta)) }
            switch fc {
            case let .count(b): return try TrimmedMean(.count(b))
            case .auto: return try TrimmedMean(.auto)
            }
        case let .krum(fc):
            return try Krum(f: f(fc))
        case let .multiKrum(fc, m):
            return try MultiKrum(f: f(fc), m: m.map { .count($0) } ?? .nMinusF)
        case let .bulyan(fc):
            return try Bulyan(f: f(fc))
        case let .geomed(iterations, nu, start):
            return try GeometricMedian(nu: nu, maxIterations: iterations, start: start == .mean ? .weightedMean : .zero)
        case let .centeredClipping(tau, multiple, iterations):
            let t: CenteredClipping.Tau = tau.map { .absolute($0) } ?? .relativeToMedianNorm(multiple ?? 1)
            return try CenteredClipping(tau: t, iterations: iterations)
        case let .normBounding(norm, sigma):
            return try NormBounding(maxNorm: norm, noiseStd: sigma)
        case .fltrust:
            return FLTrust()
        case let .foolsgold(kappa, normalization):
            return try FoolsGold(kappa: kappa, normalization: normalization == .n ? .participants : .alphaSum)
        }
    }

    /// Static clipping before the rule, if configured.
    static func clipping(_ defense: DefenseConfig) throws -> StaticClipping? {
        try defense.clipNorm.map { try StaticClipping(norm: $0) }
    }

    /// Checks the rule against the number of updates a round brings (before any process starts).
    static func check(_ defense: DefenseConfig, perRound: Int) throws {
        try aggregator(defense, perRound: perRound).check(n: perRound)
    }
}
