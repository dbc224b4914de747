import FedRobust

/// Composes the scenario's `defense:` from registered parts: the rule (built by its
/// descriptor), wrapped for differential privacy when `dp:` is given, and the registered
/// pre-aggregation steps before it.
enum DefenseFactory {
    /// The aggregation rule, wrapped for differential privacy when `dp:` is given: DP-FedAvg
    /// (the noised mean of clipped updates, the only combination the accountant covers) for
    /// `fedavg`, otherwise the rule between clipping and noise (the accountant's epsilon does
    /// not apply; the results say so).
    static func aggregator(_ defense: DefenseConfig, perRound: Int) throws -> any Aggregator {
        let rule = try defense.aggregator.make()
        guard let dp = defense.dp else { return rule }
        if rule is Mean {
            return try DPFedAvg(clip: dp.clip, noiseMultiplier: dp.noiseMultiplier, expectedClients: Double(perRound))
        }
        return try DPWrapped(inner: rule, clip: dp.clip, noiseMultiplier: dp.noiseMultiplier,
                             expectedClients: Double(perRound))
    }

    /// The steps before the rule (static clipping, ...), in order.
    static func preAggregation(_ defense: DefenseConfig) throws -> [any PreAggregationStep] {
        try defense.preAggregation.map { try $0.descriptor.make($0.values) }
    }

    /// Checks the rule against the number of updates a round brings (before any process starts).
    static func check(_ defense: DefenseConfig, perRound: Int) throws {
        try aggregator(defense, perRound: perRound).check(n: perRound)
    }
}
