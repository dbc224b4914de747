import FedCore

/// How a server-side rule declares itself to the registry: its scenario name
/// (`defense.aggregator.kind`), its parameters, what it needs and reports, and how to build it
/// from the values a scenario gives. One per rule, next to the rule's code:
///
///     extension Krum {
///         public static let descriptor = AggregatorDescriptor(
///             name: "krum", summary: "...", parameters: [.f], maxF: Krum.fMax) { values, _ in
///             try Krum(f: values.fSetting("f"))
///         }
///     }
///
/// The scenario reader, `fedsim check`, docs/SCENARIOS.md's tables, the benchmark and the
/// checkpoint read the registry's list of these, so nothing else switches over rule names.
public struct AggregatorDescriptor: Sendable {
    /// What the builder may set besides the scenario's values.
    public struct BuildOptions: Sendable {
        /// Threads for the column passes (0: every core); `fedsim bench --threads`.
        public var threads: Int

        public init(threads: Int = 0) { self.threads = threads }
    }

    /// The scenario name (`trimmed-mean`); also `Aggregator.name` and summary.json's `aggregator`.
    public let name: String
    /// One line for the docs: what the rule does, and the paper.
    public let summary: String
    /// The parameters and the checks across them.
    public let schema: ParameterSchema
    public var parameters: [Parameter] { schema.parameters }
    /// True when the rule carries state between rounds (`Aggregator.savedState`).
    public let keepsState: Bool
    /// True when that state is kept per client id (FoolsGold's histories): the rule then needs
    /// one row per client, and refuses pre-aggregation steps that mix clients' rows.
    public let keysStateByClient: Bool
    /// The named figures the rule reports in `AggregationResult.figures`, each with a doc line;
    /// every one becomes a column of rounds.csv.
    public let figures: [(name: String, doc: String)]
    /// The largest f the rule admits with n updates (Krum: ⌊(n − 3)/2⌋); nil for rules without f.
    public let maxF: (@Sendable (Int) -> Int)?
    /// The size of the clean root dataset the server must hold (FLTrust's `root_size`); nil
    /// when the rule needs none.
    public let rootDatasetSize: (@Sendable (ParameterValues) -> Int)?
    private let build: @Sendable (ParameterValues, BuildOptions) throws -> any Aggregator

    /// - Parameters:
    ///   - normalize: cross-parameter checks ("give either tau or tau_multiple") and the
    ///     settling of values that depend on others; throws naming the key at fault.
    ///   - build: the rule from checked values (throws `AggregatorError` for bad values).
    public init(name: String, summary: String, parameters: [Parameter] = [], keepsState: Bool = false,
                keysStateByClient: Bool = false, figures: [(name: String, doc: String)] = [], maxF: (@Sendable (Int) -> Int)? = nil,
                rootDatasetSize: (@Sendable (ParameterValues) -> Int)? = nil,
                normalize: @escaping @Sendable (inout ParameterValues) throws(ParameterError) -> Void = { _ in },
                build: @escaping @Sendable (ParameterValues, BuildOptions) throws -> any Aggregator) {
        self.name = name
        self.summary = summary
        schema = ParameterSchema(parameters, normalize: normalize)
        self.keepsState = keepsState
        self.keysStateByClient = keysStateByClient
        self.figures = figures
        self.maxF = maxF
        self.rootDatasetSize = rootDatasetSize
        self.build = build
    }

    /// Every parameter at its default.
    public var defaults: ParameterValues { schema.defaults }

    /// Checks values read from a scenario against each other and settles dependent ones.
    public func normalized(_ values: ParameterValues) throws(ParameterError) -> ParameterValues {
        try schema.normalized(values)
    }

    /// The rule for `values` (normalized first).
    public func make(_ values: ParameterValues, options: BuildOptions = BuildOptions()) throws -> any Aggregator {
        try build(normalized(values), options)
    }
}

extension Parameter {
    /// `f`: the number of Byzantine updates the rule tolerates, fixed or estimated each round.
    public static let f = Parameter("f", .autoOrCount, default: .auto,
                                    doc: "Byzantine updates tolerated; auto estimates f each round (docs/ALGORITHMS.md section 9)")
}

extension ParameterValues {
    /// The `FSetting` of an `.autoOrCount` parameter.
    public func fSetting(_ key: String) -> FSetting {
        autoOrInt(key).map { .fixed($0) } ?? .auto
    }
}

extension FSetting {
    /// Figures every f-rule reports (see `FSetting.figures`).
    public static let figureDocs: [(name: String, doc: String)] = [
        ("f_used", "f the rule ran with this round"),
        ("f_estimate", "the estimate f̂ when f is auto (docs/ALGORITHMS.md section 9)"),
    ]
}
