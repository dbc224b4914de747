import FedCore

/// A data-poisoning attack: transforms a malicious client's local dataset; the client then
/// trains honestly on the result (label flipping, backdoor triggers).
public protocol DataAttack: Sendable {
    /// Short stable name ("label-flip", "backdoor").
    var name: String { get }
    /// The poisoned copy of `data`. Deterministic given `rng`.
    func poison(_ data: Dataset, rng: inout SeededRNG) -> Dataset
}

/// A model-poisoning attack: replaces what malicious clients send. Attacks that need
/// statistics of several updates (ALIE, IPM, min-max, min-sum) run in the adversary hub on
/// the updates the attackers know; the others run inside each malicious client.
public protocol ModelAttack: Sendable {
    /// Short stable name ("sign-flip", "alie").
    var name: String { get }
    /// True when the attack needs statistics of several honest updates (the adversary hub).
    var needsCollusion: Bool { get }
    /// Crafts one malicious update per row of `input.own`, in the same order.
    func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix
    /// How the attacker's own local training is steered before `craft` sees its update
    /// (Neurotoxin's mask from the last global change, constrain-and-scale's pull toward the
    /// global model); nil: it trains as an honest client does. Default nil.
    func trainingAdjustment(global: [Float], previousGlobalChange: [Float]?) -> GradientAdjustment?
}

extension ModelAttack {
    public func trainingAdjustment(global: [Float], previousGlobalChange: [Float]?) -> GradientAdjustment? { nil }
}

/// What the attackers know when they craft their updates.
public struct AttackInput: Sendable {
    /// The honest updates the malicious clients computed this round (one row per attacker
    /// crafting now, sorted by client id).
    public var own: UpdateMatrix
    /// The honest updates whose statistics the attack may use: the attackers' own honest
    /// updates when they collude ("colluding"), or every honest client's update this round
    /// ("omniscient", a simulation-only setting). Rows sorted by client id.
    public var benign: UpdateMatrix
    /// n: the number of updates the server aggregates this round (sampled clients).
    public var totalClients: Int
    /// f: the number of malicious updates this round.
    public var maliciousClients: Int
    /// The round (1-based).
    public var round: Int
    /// The change of the global model in the previous round (w_t − w_{t−1}) as the attacker
    /// observed it, for free riders that replay it; nil when unknown.
    public var previousGlobalChange: [Float]?
    /// The server's rule as a black box (the adversary hub runs the same aggregator), for
    /// attacks tailored to it; nil in a client, or when the hub has none.
    public var oracle: AggregationOracle?

    public init(own: UpdateMatrix, benign: UpdateMatrix, totalClients: Int, maliciousClients: Int, round: Int,
                previousGlobalChange: [Float]? = nil, oracle: AggregationOracle? = nil) {
        self.own = own
        self.benign = benign
        self.totalClients = totalClients
        self.maliciousClients = maliciousClients
        self.round = round
        self.previousGlobalChange = previousGlobalChange
        self.oracle = oracle
    }
}

/// The aggregate the server's rule would produce from a set of updates (rows): what an
/// adversary who knows the defence's code can compute for any candidate it considers. The
/// rule runs fresh for every call (the adversary does not know the server's state across
/// rounds), with equal weights.
public struct AggregationOracle: Sendable {
    /// What the rule makes of a set of rows: its aggregate, and for each row whether the rule
    /// kept it (its per-client decision mapped back through the pre-aggregation chain; every
    /// row for rules that make no per-client choice).
    public struct Outcome: Sendable, Equatable {
        public let aggregate: [Float]
        public let selected: [Bool]

        public init(aggregate: [Float], selected: [Bool]) {
            self.aggregate = aggregate
            self.selected = selected
        }
    }

    public let decide: @Sendable (UpdateMatrix) throws -> Outcome

    /// An oracle that knows the rule's decisions.
    public init(decide: @escaping @Sendable (UpdateMatrix) throws -> Outcome) {
        self.decide = decide
    }

    /// An oracle of aggregates only: every row counts as kept.
    public init(_ aggregate: @escaping @Sendable (UpdateMatrix) throws -> [Float]) {
        decide = { rows in Outcome(aggregate: try aggregate(rows), selected: [Bool](repeating: true, count: rows.rows)) }
    }

    /// The rule's aggregate of `rows`.
    public func aggregate(_ rows: UpdateMatrix) throws -> [Float] { try decide(rows).aggregate }

    /// The round a tailored attack puts to the rule: `copies` rows of the candidate `m` (the
    /// attackers, first), then the honest rows.
    public static func round(_ m: [Float], copies: Int, benign: UpdateMatrix) -> UpdateMatrix {
        var rows = UpdateMatrix(rows: benign.rows + copies, columns: benign.columns)
        for i in 0..<copies { rows.setRow(i, m) }
        for i in 0..<benign.rows { rows.setRow(copies + i, benign.row(i)) }
        return rows
    }
}

/// Why an attack cannot craft its update; every case carries the numbers.
public enum AttackError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter is out of range ("alie: z must be finite; got nan").
    case parameter(attack: String, message: String)
    /// The attack needs more known updates than it has ("min-max needs at least 2 benign updates; got 1").
    case notEnoughUpdates(attack: String, needed: Int, got: Int)
    /// Shapes disagree.
    case shape(attack: String, message: String)

    public var description: String {
        switch self {
        case let .parameter(attack, message): return "\(attack): \(message)"
        case let .notEnoughUpdates(attack, needed, got): return "\(attack) needs at least \(needed) known honest updates; got \(got)"
        case let .shape(attack, message): return "\(attack): \(message)"
        }
    }
}
