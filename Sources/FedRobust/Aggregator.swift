import FedCore

/// A server-side aggregation rule: maps the round's update matrix to one aggregate plus what
/// it decided about each client, so that the results can show how often malicious clients
/// got through. Lifecycle from Flower (the coordinator owns the round), body from ByzFL (a
/// small value configured at init, preconditions checked with the numbers in the message).
///
/// Rules with state across rounds (centered clipping's centre, FoolsGold's histories) keep it
/// in the value; the coordinator holds one instance for the whole run and checkpoints it
/// through `savedState` / `restore(_:)` without knowing the rule. Each rule declares itself
/// once (`AggregatorDescriptor`: scenario name, parameters, factory) for the registry.
public protocol Aggregator: Sendable {
    /// Short stable name ("krum", "trimmed-mean"), used in results.
    var name: String { get }

    /// Throws when this configuration cannot aggregate `n` updates (e.g. Krum needs
    /// n > 2f + 2). Called before the run starts with the expected n, and every round.
    func check(n: Int) throws(AggregatorError)

    /// Aggregates the rows of `updates` (rows sorted by client id, all finite).
    mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult

    /// The state the rule carries to the next round, for the checkpoint; nil when it keeps
    /// none (the default). Wrappers return their inner rule's.
    var savedState: SavedState? { get }

    /// Restores what `savedState` returned (read from a checkpoint, so validated here).
    /// The default accepts only "no state".
    mutating func restore(_ state: SavedState) throws
}

extension Aggregator {
    public var savedState: SavedState? { nil }

    public mutating func restore(_ state: SavedState) throws {
        guard state == SavedState() else {
            throw SavedStateError(component: name, message: "this rule keeps no state, but the checkpoint holds some")
        }
    }
}

/// What a rule may use besides the updates.
public struct AggregationContext: Sendable {
    /// The round (1-based).
    public var round: Int
    /// Client id of each row.
    public var clientIds: [Int]
    /// Weight of each row (local sample counts; FedAvg weights by them).
    public var weights: [Double]
    /// The server's own update on its root dataset (FLTrust); nil when the rule needs none.
    public var serverUpdate: [Float]?
    /// Randomness for randomized rules, derived from the scenario seed and the round.
    public var rng: SeededRNG
    /// The global model the updates are relative to (FLAME clusters the local models
    /// global + update); nil when the caller has none (the benchmark), read as zero.
    public var global: [Float]?

    public init(round: Int, clientIds: [Int], weights: [Double], serverUpdate: [Float]? = nil, rng: SeededRNG,
                global: [Float]? = nil) {
        self.round = round
        self.clientIds = clientIds
        self.weights = weights
        self.serverUpdate = serverUpdate
        self.rng = rng
        self.global = global
    }
}

/// What a rule decided about one client's update.
public struct ClientDecision: Sendable, Equatable {
    /// Whether the update entered the aggregate at all (false: excluded, e.g. not chosen by
    /// Krum, trust score 0). For coordinate-wise rules: true unless every coordinate was trimmed.
    public var selected: Bool
    /// Share of the aggregate that came from this client: its weight after normalisation
    /// (weights sum to 1 over clients; for coordinate-wise rules the fraction of coordinates
    /// in which the value was kept, divided by the kept count, averaged over coordinates).
    public var weight: Double
    /// A rule-specific score (Krum score, FLTrust trust score, FoolsGold alpha), or nil.
    public var score: Double?
    /// Whether the update was scaled down by a norm bound or clipping step.
    public var clipped: Bool

    public init(selected: Bool, weight: Double, score: Double? = nil, clipped: Bool = false) {
        self.selected = selected
        self.weight = weight
        self.score = score
        self.clipped = clipped
    }
}

/// The aggregate and the per-client decisions of one round.
public struct AggregationResult: Sendable {
    public var aggregate: [Float]
    /// One decision per row of the input, in row order.
    public var decisions: [ClientDecision]
    /// False when the rule chose to make no update this round (e.g. FLTrust with all trust
    /// scores 0); `aggregate` is then all zeros.
    public var applied: Bool
    /// Named figures for rounds.csv ("f_estimate", "clipped_fraction").
    public var figures: [String: Double]

    public init(aggregate: [Float], decisions: [ClientDecision], applied: Bool = true, figures: [String: Double] = [:]) {
        self.aggregate = aggregate
        self.decisions = decisions
        self.applied = applied
        self.figures = figures
    }
}

/// Why a rule cannot run; every case carries the numbers.
public enum AggregatorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The rule's bound on n and f does not hold ("Krum needs n > 2f + 2; got n = 8, f = 3").
    case precondition(rule: String, requirement: String, n: Int, f: Int)
    /// A hyperparameter is out of range ("trimmed-mean beta must be in [0, 0.5); got 0.7").
    case parameter(rule: String, message: String)
    /// The rule needs input the round did not provide (FLTrust without a server update).
    case missingInput(rule: String, what: String)
    /// Not enough updates at all.
    case tooFewUpdates(rule: String, needed: Int, got: Int)

    public var description: String {
        switch self {
        case let .precondition(rule, requirement, n, f):
            return "\(rule) needs \(requirement); got n = \(n), f = \(f)"
        case let .parameter(rule, message):
            return "\(rule): \(message)"
        case let .missingInput(rule, what):
            return "\(rule) needs \(what)"
        case let .tooFewUpdates(rule, needed, got):
            return "\(rule) needs at least \(needed) updates; got \(got)"
        }
    }
}
