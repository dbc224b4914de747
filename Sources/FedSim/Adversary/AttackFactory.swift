import FedAttacks
import FedCore

/// Builds the FedAttacks values of a scenario's attack groups through their registered
/// descriptors (`Registry.attacks`); nothing here knows an attack by name.
enum AttackFactory {
    /// What data attacks may need to know about the training data.
    static func facts(_ train: Dataset) -> AttackDescriptor.DataFacts {
        AttackDescriptor.DataFacts(classes: train.classes, maxFeature: train.features.max() ?? 1)
    }

    /// The data attack of `group` (label flipping, backdoor), or nil. `facts` are the whole
    /// training set's, for parameters that depend on the data (the trigger's default value);
    /// a client process holding only its shards has them from its shard file.
    static func dataAttack(_ group: AttackGroupConfig, facts: AttackDescriptor.DataFacts) throws -> (any DataAttack)? {
        try group.descriptor.dataAttack(group.parameters, facts: facts)
    }

    /// The model attack of `group`, or nil for data and protocol attacks.
    static func modelAttack(_ group: AttackGroupConfig) throws -> (any ModelAttack)? {
        try group.descriptor.modelAttack(group.parameters)
    }

    /// Model-replacement boosting of a group whose attack asks for it (Bagdasaryan et al.,
    /// AISTATS 2020): `auto` is n / (f·η) with n the clients per round, f this group's expected
    /// attackers per round and η the server learning rate (the split boost of
    /// docs/ALGORITHMS.md 3.8); 1 when the attack does not boost.
    static func boost(_ group: AttackGroupConfig, scenario: Scenario, groupSize: Int) -> Double {
        switch group.descriptor.boost?(group.parameters) {
        case nil: return 1
        case let .factor(x)?: return x
        case .auto?:
            let n = ClientSampler(scenario).perRound
            let f = max(1, Int((scenario.federation.fraction * Double(groupSize)).rounded()))
            return Backdoor.replacementBoost(sampledClients: n, attackers: f,
                                             serverLearningRate: scenario.federation.serverLearningRate)
        }
    }

    /// The hub-side attacks of a scenario, by group index.
    static func hubAttacks(_ scenario: Scenario) throws -> [Int: any ModelAttack] {
        var attacks: [Int: any ModelAttack] = [:]
        for (i, g) in scenario.attacks.enumerated() where g.descriptor.needsHub {
            attacks[i] = try modelAttack(g)
        }
        return attacks
    }
}
