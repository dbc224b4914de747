import FedRobust

extension ServerAggregation {
    /// The rule's state across rounds, for the checkpoint.
    var checkpointState: Checkpoint.AggregatorState {
        func state(_ a: any Aggregator) -> Checkpoint.AggregatorState {
            if let cc = a as? CenteredClipping { return .center(cc.center) }
            if let fg = a as? FoolsGold { return .histories(fg.histories) }
            if let wrapped = a as? DPWrapped { return state(wrapped.inner) }
            return .none
        }
        return state(aggregator)
    }

    /// Restores the rule's state and the accountant from a checkpoint.
    func restore(_ c: Checkpoint) throws {
        func restored(_ a: any Aggregator) throws -> any Aggregator {
            switch (a, c.aggregator) {
            case let (cc as CenteredClipping, .center(center)):
                return try CenteredClipping(tau: cc.tau, iterations: cc.iterations, center: center)
            case let (fg as FoolsGold, .histories(h)):
                return try FoolsGold(kappa: fg.kappa, normalization: fg.normalization, histories: h)
            case var (wrapped as DPWrapped, _):
                wrapped.inner = try restored(wrapped.inner)
                return wrapped
            default:
                return a
            }
        }
        aggregator = try restored(aggregator)
        if let b = budget, let rdp = c.privacyRDP, let history = c.privacyHistory {
            budget = try PrivacyBudget(samplingRate: b.samplingRate, noiseMultiplier: b.noiseMultiplier, delta: b.delta,
                                       conversion: b.conversion,
                                       accountant: try RDPAccountant(orders: b.accountant.orders, rdp: rdp),
                                       history: history)
        }
    }
}
