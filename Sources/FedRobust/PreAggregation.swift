import FedCore

/// A step applied to the round's updates before the rule (ByzFL's pre-aggregators): static
/// clipping, nearest-neighbour mixing, bucketing. Steps compose into a `PreAggregationChain`
/// in the registry's order. A step either keeps one output row per input row (clipping:
/// `mixing` nil) or makes each output row a convex combination of input rows (bucketing,
/// NNM: `mixing` says which, so that the rule's per-row decisions can be mapped back to the
/// clients the rows came from).
public protocol PreAggregationStep: Sendable {
    /// The scenario name (`defense.<name>`).
    var name: String { get }
    /// True when output rows combine several clients' updates (bucketing, NNM).
    var mixesRows: Bool { get }
    /// The number of rows the step hands on for `n` input rows (bucketing: ⌈n/s⌉).
    func outputRows(n: Int) -> Int
    /// Throws when the step cannot run on `n` rows (NNM needs n > 2f).
    func check(n: Int) throws(AggregatorError)
    /// The step's output for the rows of `updates`.
    func apply(_ updates: UpdateMatrix, context: PreAggregationContext) throws -> PreAggregationOutput
}

extension PreAggregationStep {
    public var mixesRows: Bool { false }
    public func outputRows(n: Int) -> Int { n }
    public func check(n: Int) throws(AggregatorError) {}
}

/// What a step may use besides the updates.
public struct PreAggregationContext: Sendable {
    /// The round (1-based).
    public var round: Int
    /// Randomness for this step (bucketing's permutation), derived from the scenario seed, the
    /// round and the step's name, so that adding a step never shifts another's draws.
    public var rng: SeededRNG

    public init(round: Int, rng: SeededRNG) {
        self.round = round
        self.rng = rng
    }
}

/// What one step made of its input rows.
public struct PreAggregationOutput: Sendable {
    /// The rows handed on (to the next step or the rule).
    public var updates: UpdateMatrix
    /// Per INPUT row, whether the step scaled it down (reported as `clipped` in clients.csv).
    public var clipped: [Bool]
    /// How the output rows are made of the input rows; nil when output row i is input row i
    /// (possibly rescaled).
    public var mixing: RowMixing?
    /// Named figures for rounds.csv (declared in the step's descriptor).
    public var figures: [String: Double]

    public init(updates: UpdateMatrix, clipped: [Bool], mixing: RowMixing? = nil, figures: [String: Double] = [:]) {
        self.updates = updates
        self.clipped = clipped
        self.mixing = mixing
        self.figures = figures
    }
}

/// How a pre-aggregation step declares itself to the registry: its scenario name (the key of
/// its section under `defense:`), its parameters, the figures it reports and its factory.
public struct PreAggregationDescriptor: Sendable {
    public let name: String
    public let summary: String
    public let parameters: [Parameter]
    /// The named figures the step reports in `PreAggregationOutput.figures`; each becomes a
    /// column of rounds.csv.
    public let figures: [(name: String, doc: String)]
    private let build: @Sendable (ParameterValues) throws -> any PreAggregationStep

    public init(name: String, summary: String, parameters: [Parameter] = [],
                figures: [(name: String, doc: String)] = [],
                build: @escaping @Sendable (ParameterValues) throws -> any PreAggregationStep) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.figures = figures
        self.build = build
    }

    public var defaults: ParameterValues { ParameterSchema(parameters).defaults }

    public func make(_ values: ParameterValues) throws -> any PreAggregationStep {
        try build(values)
    }
}
