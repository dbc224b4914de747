import FedRobust

/// Composes the scenario's `defense:` from registered parts: the rule (built by its
/// descriptor), wrapped for differential privacy when `dp:` is given, and the registered
/// pre-aggregation steps before it.
enum DefenseFactory {
    /// The aggregation rule, wrapped for differential privacy when `dp:` is given: DP-FedAvg
    /// (the noised mean of clipped updates, the only combination the accountant covers) for
    /// `fedavg`, otherwise the rule between clipping and noise (the accountant's epsilon does
    /// not apply; the results say so).
    ///
    /// The mechanism divides the noised sum by the rows it expects: the rows the rule sees
    /// after the pre-aggregation chain (⌈n/s⌉ bucket means with bucketing), not the clients.
    static func aggregator(_ defense: DefenseConfig, perRound: Int) throws -> any Aggregator {
        let rule = try defense.aggregator.make()
        guard let dp = defense.dp else { return rule }
        let rows = try preAggregation(defense).outputRows(n: perRound)
        if rule is Mean {
            return try DPFedAvg(clip: dp.clip, noiseMultiplier: dp.noiseMultiplier, expectedClients: Double(rows))
        }
        return try DPWrapped(inner: rule, clip: dp.clip, noiseMultiplier: dp.noiseMultiplier,
                             expectedClients: Double(rows))
    }

    /// The steps before the rule (static clipping, nearest-neighbour mixing, bucketing), in
    /// the registry's order. A step's `f: auto` takes the rule's f when the rule has a fixed
    /// one (NNM and the rule then assume the same number of Byzantine clients, as in ByzFL's
    /// pipelines); otherwise the step estimates f itself.
    static func preAggregation(_ defense: DefenseConfig) throws -> PreAggregationChain {
        let ruleValues = defense.aggregator.values
        var ruleF: Int?
        if ruleValues.keys.contains("f"), case let .int(f) = ruleValues["f"] { ruleF = f }
        return PreAggregationChain(try defense.preAggregation.map { step in
            var values = step.values
            if let ruleF, values.keys.contains("f"), values["f"] == .auto {
                values.set("f", .int(ruleF), given: false)
            }
            return try step.descriptor.make(values)
        })
    }

    /// Checks the pre-aggregation steps and the rule against the number of updates a round
    /// brings (before any process starts); the rule is checked on the rows it will see.
    static func check(_ defense: DefenseConfig, perRound: Int) throws {
        let chain = try preAggregation(defense)
        try chain.check(n: perRound)
        try aggregator(defense, perRound: perRound).check(n: chain.outputRows(n: perRound))
    }

    /// How many rows the rule sees for `perRound` updates, for error messages
    /// ("federation: 10 updates per round; the rule sees 5 after bucketing").
    static func rowsNote(_ defense: DefenseConfig, perRound: Int) -> String {
        let base = "federation: \(perRound) updates per round"
        guard let chain = try? preAggregation(defense) else { return base }
        let rows = chain.outputRows(n: perRound)
        guard rows != perRound else { return base }
        return base + "; the rule sees \(rows) after " + chain.steps.map(\.name).joined(separator: ", ")
    }
}
