/// The attacks a scenario can mount (docs/SCENARIOS.md, `attack:`); definitions and defaults
/// follow docs/ALGORITHMS.md section 3.
public enum AttackKind: String, CaseIterable, Sendable, Equatable {
    case labelFlip = "label-flip", backdoor
    case signFlip = "sign-flip", scaling, gaussian, freeRider = "free-rider"
    case alie, ipm, minMax = "min-max", minSum = "min-sum"
    /// Protocol-level attackers: what they send breaks the wire rules, and the coordinator
    /// must refuse and count it (docs/PROTOCOL.md).
    case replay, stale, idClaim = "id-claim", sybil, malformed, oversized, nan

    /// Data poisoning: the malicious client trains honestly on a poisoned copy of its data.
    public var isDataPoisoning: Bool { self == .labelFlip || self == .backdoor }
    /// Colluding attacks: crafted in the adversary hub from statistics of honest updates.
    public var needsHub: Bool { [.alie, .ipm, .minMax, .minSum].contains(self) }
    /// Attacks on the protocol rather than on the model.
    public var isProtocol: Bool { [.replay, .stale, .idClaim, .sybil, .malformed, .oversized, .nan].contains(self) }
}

/// What colluding attackers know: their own honest updates, or (simulation only) every honest update.
public enum AttackKnowledge: String, CaseIterable, Sendable, Equatable { case colluding, omniscient }
public enum LabelFlipMode: String, CaseIterable, Sendable, Equatable {
    case targeted, allToOne = "all-to-one", random, rotation, reverse
}
public enum FreeRiderMode: String, CaseIterable, Sendable, Equatable { case zeros, stale }
public enum ALIEVariant: String, CaseIterable, Sendable, Equatable { case paper, honestOnly = "honest-only" }
public enum AttackDirection: String, CaseIterable, Sendable, Equatable { case plus, minus }
public enum DeviationKind: String, CaseIterable, Sendable, Equatable { case std, unit, sign }

/// The parameters of one attack kind, with their defaults.
public enum AttackParameters: Sendable, Equatable {
    case labelFlip(mode: LabelFlipMode, source: Int, target: Int)
    case backdoor(target: Int, fraction: Double, triggerSize: Int, triggerValue: Double?, boost: AutoOr<Double>)
    case signFlip(scale: Double)
    case scaling(factor: Double)
    case gaussian(mean: Double, sigma: Double)
    case freeRider(mode: FreeRiderMode)
    case alie(z: AutoOr<Double>, variant: ALIEVariant, ddof: Int, direction: AttackDirection)
    case ipm(epsilon: Double)
    case minMax(deviation: DeviationKind, gammaInit: Double)
    case minSum(deviation: DeviationKind, gammaInit: Double)
    /// Protocol attacks; `count` is the replayed copies (replay) or extra identities (sybil).
    case protocolAttack(count: Int)
}

/// One group of malicious clients mounting one attack (an element of `attack:`).
public struct AttackGroupConfig: Sendable, Equatable {
    public var kind: AttackKind
    /// How many clients of the federation belong to this group (chosen with the seed).
    public var malicious: ClientShare
    /// First round the group attacks (1-based); before it, its clients behave honestly.
    public var startRound: Int
    /// Last round the group attacks; nil: to the end.
    public var endRound: Int?
    public var knowledge: AttackKnowledge
    public var parameters: AttackParameters

    public init(kind: AttackKind, malicious: ClientShare = .fraction(0.2), startRound: Int = 1, endRound: Int? = nil,
                knowledge: AttackKnowledge = .colluding, parameters: AttackParameters? = nil) {
        self.kind = kind
        self.malicious = malicious
        self.startRound = startRound
        self.endRound = endRound
        self.knowledge = knowledge
        self.parameters = parameters ?? AttackGroupConfig.defaults(kind)
    }

    /// Whether the group attacks in round `r`.
    public func isActive(round r: Int) -> Bool {
        r >= startRound && (endRound.map { r <= $0 } ?? true)
    }

    static func defaults(_ kind: AttackKind) -> AttackParameters {
        switch kind {
        case .labelFlip: return .labelFlip(mode: .reverse, source: 3, target: 7)
        case .backdoor: return .backdoor(target: 7, fraction: 0.5, triggerSize: 2, triggerValue: nil, boost: .value(1))
        case .signFlip: return .signFlip(scale: 1)
        case .scaling: return .scaling(factor: 10)
        case .gaussian: return .gaussian(mean: 0, sigma: 1)
        case .freeRider: return .freeRider(mode: .zeros)
        case .alie: return .alie(z: .auto, variant: .paper, ddof: 1, direction: .plus)
        case .ipm: return .ipm(epsilon: 0.5)
        case .minMax: return .minMax(deviation: .std, gammaInit: 10)
        case .minSum: return .minSum(deviation: .std, gammaInit: 10)
        case .replay: return .protocolAttack(count: 3)
        case .sybil: return .protocolAttack(count: 5)
        case .stale, .idClaim, .malformed, .oversized, .nan: return .protocolAttack(count: 1)
        }
    }
}

// MARK: - Reading and writing

extension AttackGroupConfig {
    static let key = "attack"

    /// Reads the `attack:` value: one mapping or a list of mappings (several groups).
    static func readAll(_ reader: ScenarioReader, clients: Int, rounds: Int) throws -> [AttackGroupConfig] {
        var groups: [AttackGroupConfig] = []
        var total = 0
        for item in try reader.mappingList(key) {
            let group = try AttackGroupConfig(reading: item, rounds: rounds)
            try item.finish()
            total += group.malicious.count(of: clients)
            if total >= clients {
                throw item.error("malicious", "the attack groups take \(total) of \(clients) clients; allowed: at least one honest client")
            }
            groups.append(group)
        }
        return groups
    }

    init(reading r: ScenarioReader, rounds: Int) throws {
        guard r.value("kind") != nil else {
            throw r.error("kind", "missing; allowed: \(AttackKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let kind: AttackKind = try r.choice("kind", default: .signFlip)
        let malicious = try r.share("malicious") ?? .fraction(0.2)
        let start = try r.int("start_round", default: 1, range: Interval(1...))
        let end: Int? = try r.int("end_round", range: Interval(1...))
        if let end, end < start { throw r.error("end_round", "\(end) is before start_round \(start)") }
        let knowledge: AttackKnowledge = try r.choice("knowledge", default: .colluding)
        let parameters: AttackParameters
        switch AttackGroupConfig.defaults(kind) {
        case let .labelFlip(mode, source, target):
            parameters = .labelFlip(mode: try r.choice("mode", default: mode),
                                    source: try r.int("source", default: source, range: Interval(0...)),
                                    target: try r.int("target", default: target, range: Interval(0...)))
        case let .backdoor(target, fraction, size, value, boost):
            let v = try r.autoOrNumber("trigger_value", range: Interval(lower: nil, upper: nil))
            if v == .auto { throw r.error("trigger_value", "auto is not a trigger value; allowed: a number, or null for the largest feature value of the training data") }
            let triggerValue: Double? = if case let .value(x)? = v { x } else { value }
            parameters = .backdoor(target: try r.int("target", default: target, range: Interval(0...)),
                                   fraction: try r.double("fraction", default: fraction, range: .openClosed(0, 1)),
                                   triggerSize: try r.int("trigger_size", default: size, range: Interval(1...)),
                                   triggerValue: triggerValue,
                                   boost: try r.autoOrNumber("boost", range: .greaterThan(0)) ?? boost)
        case let .signFlip(scale):
            parameters = .signFlip(scale: try r.double("scale", default: scale, range: .greaterThan(0)))
        case let .scaling(factor):
            parameters = .scaling(factor: try r.double("factor", default: factor, range: Interval(lower: nil, upper: nil)))
        case let .gaussian(mean, sigma):
            parameters = .gaussian(mean: try r.double("mean", default: mean, range: Interval(lower: nil, upper: nil)),
                                   sigma: try r.double("sigma", default: sigma, range: .atLeast(0)))
        case let .freeRider(mode):
            parameters = .freeRider(mode: try r.choice("mode", default: mode))
        case let .alie(z, variant, ddof, direction):
            parameters = .alie(z: try r.autoOrNumber("z", range: Interval(lower: nil, upper: nil)) ?? z,
                               variant: try r.choice("z_variant", default: variant),
                               ddof: try r.int("ddof", default: ddof, range: .closed(0, 1)),
                               direction: try r.choice("direction", default: direction))
        case let .ipm(epsilon):
            parameters = .ipm(epsilon: try r.double("epsilon", default: epsilon, range: .greaterThan(0)))
        case let .minMax(deviation, gamma):
            parameters = .minMax(deviation: try r.choice("deviation", default: deviation),
                                 gammaInit: try r.double("gamma_init", default: gamma, range: .greaterThan(0)))
        case let .minSum(deviation, gamma):
            parameters = .minSum(deviation: try r.choice("deviation", default: deviation),
                                 gammaInit: try r.double("gamma_init", default: gamma, range: .greaterThan(0)))
        case let .protocolAttack(count):
            switch kind {
            case .replay: parameters = .protocolAttack(count: try r.int("copies", default: count, range: .closed(1, 1000)))
            case .sybil: parameters = .protocolAttack(count: try r.int("identities", default: count, range: .closed(1, 1000)))
            default: parameters = .protocolAttack(count: count)
            }
        }
        self.init(kind: kind, malicious: malicious, startRound: start, endRound: end, knowledge: knowledge,
                  parameters: parameters)
    }

    var resolvedFields: [(String, ResolvedValue)] {
        var fields: [(String, ResolvedValue)] = [
            ("kind", .choice(kind)), ("malicious", .share(malicious)), ("start_round", .int(startRound)),
            ("end_round", endRound.map { .int($0) } ?? .string(nil)), ("knowledge", .choice(knowledge)),
        ]
        switch parameters {
        case let .labelFlip(mode, source, target):
            fields += [("mode", .choice(mode)), ("source", .int(source)), ("target", .int(target))]
        case let .backdoor(target, fraction, size, value, boost):
            fields += [("target", .int(target)), ("fraction", .number(fraction)), ("trigger_size", .int(size)),
                       ("trigger_value", value.map { .number($0) } ?? .string(nil)), ("boost", .autoOr(boost))]
        case let .signFlip(scale): fields.append(("scale", .number(scale)))
        case let .scaling(factor): fields.append(("factor", .number(factor)))
        case let .gaussian(mean, sigma): fields += [("mean", .number(mean)), ("sigma", .number(sigma))]
        case let .freeRider(mode): fields.append(("mode", .choice(mode)))
        case let .alie(z, variant, ddof, direction):
            fields += [("z", .autoOr(z)), ("z_variant", .choice(variant)), ("ddof", .int(ddof)),
                       ("direction", .choice(direction))]
        case let .ipm(epsilon): fields.append(("epsilon", .number(epsilon)))
        case let .minMax(deviation, gamma), let .minSum(deviation, gamma):
            fields += [("deviation", .choice(deviation)), ("gamma_init", .number(gamma))]
        case let .protocolAttack(count):
            if kind == .replay { fields.append(("copies", .int(count))) }
            if kind == .sybil { fields.append(("identities", .int(count))) }
        }
        return fields
    }
}
