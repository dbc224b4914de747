import FedAttacks
import FedCore

/// What colluding attackers know: their own honest updates, or (simulation only) every honest update.
public enum AttackKnowledge: String, CaseIterable, Sendable, Equatable { case colluding, omniscient }

/// One group of malicious clients mounting one attack (an element of `attack:`).
public struct AttackGroupConfig: Sendable, Equatable {
    /// The registered attack (`Registry.attacks`): docs/SCENARIOS.md, docs/ALGORITHMS.md section 3.
    public var kind: String
    /// How many clients of the federation belong to this group (chosen with the seed).
    public var malicious: ClientShare
    /// First round the group attacks (1-based); before it, its clients behave honestly.
    public var startRound: Int
    /// Last round the group attacks; nil: to the end.
    public var endRound: Int?
    public var knowledge: AttackKnowledge
    /// The values of the parameters the attack's descriptor declares.
    public var parameters: ParameterValues

    /// A group mounting registered attack `kind`; `parameters` default to the attack's defaults.
    public init(kind: String, malicious: ClientShare = .fraction(0.2), startRound: Int = 1, endRound: Int? = nil,
                knowledge: AttackKnowledge = .colluding, parameters: ParameterValues? = nil) {
        self.kind = kind
        self.malicious = malicious
        self.startRound = startRound
        self.endRound = endRound
        self.knowledge = knowledge
        self.parameters = parameters ?? AttackGroupConfig.descriptor(kind).defaults
    }

    /// Whether the group attacks in round `r`.
    public func isActive(round r: Int) -> Bool {
        r >= startRound && (endRound.map { r <= $0 } ?? true)
    }

    /// The attack's registry entry.
    public var descriptor: AttackDescriptor { AttackGroupConfig.descriptor(kind) }

    static func descriptor(_ kind: String) -> AttackDescriptor {
        guard let d = Registry.attack(kind) else { preconditionFailure("no registered attack \(kind)") }
        return d
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
        let names = Registry.attacks.map(\.name)
        guard r.value("kind") != nil else {
            throw r.error("kind", "missing; allowed: \(names.joined(separator: ", "))")
        }
        let kind = try r.name("kind", allowed: names, default: "sign-flip")
        let malicious = try r.share("malicious") ?? .fraction(0.2)
        let start = try r.int("start_round", default: 1, range: Interval(1...))
        let end: Int? = try r.int("end_round", range: Interval(1...))
        if let end, end < start { throw r.error("end_round", "\(end) is before start_round \(start)") }
        let knowledge: AttackKnowledge = try r.choice("knowledge", default: .colluding)
        let descriptor = AttackGroupConfig.descriptor(kind)
        let parameters = try r.parameters(descriptor.parameters, normalize: descriptor.normalized)
        self.init(kind: kind, malicious: malicious, startRound: start, endRound: end, knowledge: knowledge,
                  parameters: parameters)
    }

    var resolvedFields: [(String, ResolvedValue)] {
        [("kind", .word(kind)), ("malicious", .share(malicious)), ("start_round", .int(startRound)),
         ("end_round", endRound.map { .int($0) } ?? .string(nil)), ("knowledge", .choice(knowledge))]
            + ResolvedValue.parameters(parameters)
    }
}
