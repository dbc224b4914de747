import FedCore
import FedRobust

/// A rule with its parameters (`defense.aggregator`): a registered name and the values of the
/// parameters its descriptor declares (docs/SCENARIOS.md; definitions in docs/ALGORITHMS.md
/// section 2).
public struct AggregatorConfig: Sendable, Equatable {
    /// The registered name (`Registry.aggregators`).
    public let kind: String
    public let values: ParameterValues

    /// Rule `kind` with every parameter at its default. The name must be registered.
    public init(_ kind: String) {
        guard let d = Registry.aggregator(kind) else { preconditionFailure("no registered aggregator \(kind)") }
        self.init(kind: kind, values: d.defaults)
    }

    init(kind: String, values: ParameterValues) {
        self.kind = kind
        self.values = values
    }

    public var descriptor: AggregatorDescriptor {
        guard let d = Registry.aggregator(kind) else { preconditionFailure("no registered aggregator \(kind)") }
        return d
    }

    /// The bare rule.
    public func make(options: AggregatorDescriptor.BuildOptions = .init()) throws -> any Aggregator {
        try descriptor.make(values, options: options)
    }
}

/// Central differential privacy (DP-FedAvg, McMahan et al., ICLR 2018).
public struct DPConfig: Sendable, Equatable {
    public var noiseMultiplier: Double
    public var clip: Double
    public var delta: Double

    public init(noiseMultiplier: Double = 1.0, clip: Double = 1.0, delta: Double = 1e-5) {
        self.noiseMultiplier = noiseMultiplier
        self.clip = clip
        self.delta = delta
    }
}

/// A pre-aggregation step with its parameters (`defense.<name>`, e.g. `clip: {norm: 2}`).
public struct PreAggregationConfig: Sendable, Equatable {
    /// The registered name (`Registry.preAggregation`).
    public let kind: String
    public let values: ParameterValues

    public var descriptor: PreAggregationDescriptor {
        guard let d = Registry.preAggregation(kind) else { preconditionFailure("no registered pre-aggregation step \(kind)") }
        return d
    }
}

/// The `defense:` section.
public struct DefenseConfig: Sendable, Equatable {
    public var aggregator: AggregatorConfig
    /// The steps before the rule, in the registry's order (each given as `defense.<name>`).
    public var preAggregation: [PreAggregationConfig]
    public var dp: DPConfig?

    public init(aggregator: AggregatorConfig = AggregatorConfig("fedavg"), preAggregation: [PreAggregationConfig] = [],
                dp: DPConfig? = nil) {
        self.aggregator = aggregator
        self.preAggregation = preAggregation
        self.dp = dp
    }
}

// MARK: - Reading and writing

extension DefenseConfig: ScenarioSection {
    static let key = "defense"

    init(reading r: ScenarioReader) throws {
        let names = Registry.aggregators.map(\.name)
        let aggregator: AggregatorConfig
        if let word = r.word("aggregator") {
            guard names.contains(word) else {
                throw r.error("aggregator", "unknown value \"\(word)\";\(Suggestion.hint(for: word, among: names)) allowed: \(names.joined(separator: ", "))")
            }
            aggregator = AggregatorConfig(word)
        } else if let a = try r.optionalSection("aggregator") {
            guard a.value("kind") != nil else { throw a.error("kind", "missing; allowed: \(names.joined(separator: ", "))") }
            let kind = try a.name("kind", allowed: names, default: "fedavg")
            let descriptor = AggregatorConfig(kind).descriptor
            aggregator = AggregatorConfig(kind: kind, values: try a.parameters(descriptor.parameters, normalize: descriptor.normalized))
            try a.finish()
        } else {
            aggregator = AggregatorConfig("fedavg")
        }
        var pre: [PreAggregationConfig] = []
        for d in Registry.preAggregation {
            guard let section = try r.optionalSection(d.name) else { continue }
            let values = try section.parameters(d.parameters) { $0 }
            if aggregator.descriptor.keysStateByClient, (try? d.make(values))?.mixesRows == true {
                throw r.error(d.name, "\(aggregator.kind) keeps one history per client, but \(d.name) mixes clients' updates into shared rows; use it with another rule")
            }
            pre.append(PreAggregationConfig(kind: d.name, values: values))
            try section.finish()
        }
        var dp: DPConfig?
        if let d = try r.optionalSection("dp") {
            dp = DPConfig(noiseMultiplier: try d.double("noise_multiplier", default: 1.0, range: .atLeast(0)),
                          clip: try d.double("clip", default: 1.0, range: .greaterThan(0)),
                          delta: try d.double("delta", default: 1e-5, range: .open(0, 1)))
            try d.finish()
        }
        self.init(aggregator: aggregator, preAggregation: pre, dp: dp)
    }

    var resolvedFields: [(String, ResolvedValue)] {
        var fields: [(String, ResolvedValue)] = [
            ("aggregator", .section([("kind", .word(aggregator.kind))] + ResolvedValue.parameters(aggregator.values))),
        ]
        for step in preAggregation { fields.append((step.kind, .section(ResolvedValue.parameters(step.values)))) }
        if let dp {
            fields.append(("dp", .section([("noise_multiplier", .number(dp.noiseMultiplier)), ("clip", .number(dp.clip)),
                                           ("delta", .number(dp.delta))])))
        }
        return fields
    }
}
