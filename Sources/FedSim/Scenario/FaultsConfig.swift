/// How a straggler's extra latency is drawn.
public enum DelayDistribution: String, CaseIterable, Sendable, Equatable {
    /// Exponential with the given mean.
    case exponential
    /// Uniform on [0, 2 · mean].
    case uniform
    /// Always the mean.
    case fixed
}

/// The `faults:` section: clients that drop out of a round or answer late. Every draw derives
/// from the seed, the round and the client, so the same scenario injects the same faults;
/// the deadline and the quorum decide what gets in.
public struct FaultsConfig: Sendable, Equatable {
    /// Probability that a sampled client does not answer in a round.
    public var dropout: Double
    /// Probability that a sampled client answers late.
    public var straggler: Double
    /// Mean extra latency of a straggler, in seconds.
    public var delay: Double
    public var distribution: DelayDistribution

    public init(dropout: Double = 0, straggler: Double = 0, delay: Double = 1, distribution: DelayDistribution = .exponential) {
        self.dropout = dropout
        self.straggler = straggler
        self.delay = delay
        self.distribution = distribution
    }

    public var isEmpty: Bool { dropout == 0 && straggler == 0 }
}

extension FaultsConfig: ScenarioSection {
    static let key = "faults"

    init(reading r: ScenarioReader) throws {
        self.init(dropout: try r.double("dropout", default: 0, range: .closedOpen(0, 1)),
                  straggler: try r.double("straggler", default: 0, range: .closed(0, 1)),
                  delay: try r.double("delay", default: 1, range: .atLeast(0)),
                  distribution: try r.choice("distribution", default: .exponential))
    }

    var resolvedFields: [(String, ResolvedValue)] {
        [("dropout", .number(dropout)), ("straggler", .number(straggler)), ("delay", .number(delay)),
         ("distribution", .choice(distribution))]
    }
}
