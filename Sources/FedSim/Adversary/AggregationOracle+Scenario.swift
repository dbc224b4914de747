import FedAttacks
import FedCore
import FedRobust

extension AggregationOracle {
    /// The scenario's defence as the adversary hub runs it for attacks tailored to it (its
    /// aggregate and its per-client decisions): the
    /// pre-aggregation chain and the rule (wrapped for DP when `dp:` is on), built fresh for
    /// every call (no state across rounds: the adversary does not see the server's), with
    /// equal weights and generators of the adversary's own (`seed / "oracle"`), not the
    /// server's draws. A rule that needs what only the server has (FLTrust's root dataset)
    /// throws, and the attack falls back to honest updates, as the hub does for any attack
    /// that cannot craft.
    static func defense(of scenario: Scenario) -> AggregationOracle {
        let defense = scenario.defense
        let root = SeededRNG(seed: scenario.seed).derive("oracle")
        return AggregationOracle(decide: { rows -> AggregationOracle.Outcome in
            let n = rows.rows
            let chain = try DefenseFactory.preAggregation(defense)
            var rule = try DefenseFactory.aggregator(defense, perRound: n)
            let prepared = try chain.apply(rows, clientIds: Array(0..<n), weights: [Double](repeating: 1, count: n),
                                           round: 0, rng: root.derive("preaggregate"))
            try rule.check(n: prepared.updates.rows)
            let context = AggregationContext(round: 0, clientIds: prepared.clientIds, weights: prepared.weights,
                                             rng: root.derive("aggregate"))
            let result = try rule.aggregate(prepared.updates, context: context)
            return AggregationOracle.Outcome(aggregate: result.aggregate,
                                             selected: prepared.clientDecisions(result.decisions).map(\.selected))
        })
    }
}
