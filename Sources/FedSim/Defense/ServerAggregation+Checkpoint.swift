import FedCore
import FedRobust

extension ServerAggregation {
    /// The state the server carries between rounds, by component, for the checkpoint: the
    /// rule's (through any wrapper) and the privacy accountant's. Nothing here knows a rule.
    var savedStates: [String: SavedState] {
        var states: [String: SavedState] = [:]
        if let s = aggregator.savedState { states[Checkpoint.aggregatorKey] = s }
        if let b = budget { states[Checkpoint.privacyKey] = b.savedState }
        return states
    }

    /// Restores what `savedStates` wrote.
    func restore(_ states: [String: SavedState]) throws {
        if let s = states[Checkpoint.aggregatorKey] { try aggregator.restore(s) }
        if var b = budget, let s = states[Checkpoint.privacyKey] {
            try b.restore(s)
            budget = b
        }
    }
}
