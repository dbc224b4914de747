import FedAttacks
import FedCore

/// Turns an attack group of the scenario into the FedAttacks values that run it.
/// Adding an attack is one file in FedAttacks plus one case here.
enum AttackFactory {
    /// The data attack of `group` (label flipping, backdoor), or nil. `train` is the whole
    /// training set, for parameters that depend on the data (the trigger's default value).
    static func dataAttack(_ group: AttackGroupConfig, train: Dataset) throws -> (any DataAttack)? {
        switch group.parameters {
        case let .labelFlip(mode, source, target):
            let flip = try LabelFlip(labelFlipMode(mode, source: source, target: target))
            try flip.validate(classes: train.classes)
            return flip
        case .backdoor:
            let backdoor = try self.backdoor(group, train: train)
            try backdoor?.validate(classes: train.classes)
            return backdoor
        default:
            return nil
        }
    }

    /// The backdoor of `group`, or nil when it is another attack.
    static func backdoor(_ group: AttackGroupConfig, train: Dataset) throws -> Backdoor? {
        guard case let .backdoor(target, fraction, size, value, _) = group.parameters else { return nil }
        // Default trigger value: the largest feature value of the training data (a white patch).
        let v = value.map(Float.init) ?? (train.features.max() ?? 1)
        return try Backdoor(target: target, fraction: fraction, trigger: Trigger(size: size, value: v))
    }

    /// The model attack of `group`, or nil for pure data poisoning.
    static func modelAttack(_ group: AttackGroupConfig) throws -> (any ModelAttack)? {
        switch group.parameters {
        case .labelFlip, .backdoor, .protocolAttack:
            return nil
        case let .signFlip(scale):
            return try SignFlip(scale: scale)
        case let .scaling(factor):
            return try Scaling(factor: factor)
        case let .gaussian(mean, sigma):
            return try GaussianNoise(mean: mean, std: sigma)
        case let .freeRider(mode):
            return FreeRider(mode: mode == .zeros ? .zeros : .stale)
        case let .alie(z, variant, ddof, direction):
            let v: ALIE.Variant = variant == .paper ? .paper : .honestOnly
            let choice: ALIE.ZChoice = switch z {
            case .auto: .auto(variant: v)
            case let .value(x): .fixed(x)
            }
            return try ALIE(z: choice, direction: direction == .plus ? .plus : .minus, ddof: ddof)
        case let .ipm(epsilon):
            return try IPM(epsilon: epsilon)
        case let .minMax(deviation, gamma):
            return try MinMax(deviation: self.deviation(deviation), initialGamma: gamma)
        case let .minSum(deviation, gamma):
            return try MinSum(deviation: self.deviation(deviation), initialGamma: gamma)
        }
    }

    /// Model-replacement boosting of a backdoor group (Bagdasaryan et al., AISTATS 2020):
    /// `auto` is n / (f·η) with n the clients per round, f this group's expected attackers per
    /// round and η the server learning rate (the split boost of docs/ALGORITHMS.md 3.8); 1 otherwise.
    static func boost(_ group: AttackGroupConfig, scenario: Scenario, groupSize: Int) -> Double {
        guard case let .backdoor(_, _, _, _, boost) = group.parameters else { return 1 }
        switch boost {
        case let .value(x): return x
        case .auto:
            let n = ClientSampler(scenario).perRound
            let f = max(1, Int((scenario.federation.fraction * Double(groupSize)).rounded()))
            return Backdoor.replacementBoost(sampledClients: n, attackers: f,
                                             serverLearningRate: scenario.federation.serverLearningRate)
        }
    }

    /// The hub-side attacks of a scenario, by group index.
    static func hubAttacks(_ scenario: Scenario) throws -> [Int: any ModelAttack] {
        var attacks: [Int: any ModelAttack] = [:]
        for (i, g) in scenario.attacks.enumerated() where g.kind.needsHub {
            attacks[i] = try modelAttack(g)
        }
        return attacks
    }

    private static func labelFlipMode(_ mode: LabelFlipMode, source: Int, target: Int) -> LabelFlip.Mode {
        switch mode {
        case .targeted: return .targeted(source: source, target: target)
        case .allToOne: return .allToOne(target: target)
        case .random: return .random
        case .rotation: return .rotation
        case .reverse: return .reverse
        }
    }

    private static func deviation(_ d: DeviationKind) -> Deviation {
        switch d {
        case .std: return .std
        case .unit: return .unit
        case .sign: return .sign
        }
    }
}
