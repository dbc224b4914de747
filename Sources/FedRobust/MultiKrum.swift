import FedCore

/// Multi-Krum (Blanchard et al., NeurIPS 2017): the plain, unweighted average of the m
/// updates with the lowest Krum scores (see `Krum` for the score).
///
///     agg = (1/m) Σ_{i ∈ M} x_i,   M = the m lowest scores (ties → smaller index)
///
/// Default m = n − f (the common choice: keep as many vectors as there are honest ones);
/// m = 1 is Krum. The average is unweighted, as in the paper: sample counts are ignored
/// (a Byzantine client could inflate them). Same precondition as Krum, n > 2f + 2.
///
/// Composes Krum's scoring (`Krum.select`); it does not subclass it. Decisions: the m
/// chosen rows are selected with weight 1/m; every row's score is its Krum score.
/// Figures: "f_used", plus "f_estimate" with `f: .auto`.
public struct MultiKrum: Aggregator {
    /// How many lowest-score updates are averaged.
    public enum Count: Sendable, Equatable {
        /// m = n − f, with this round's n and f.
        case nMinusF
        /// A fixed m (1 ≤ m ≤ n; checked each round).
        case count(Int)
    }

    /// The number of Byzantine updates tolerated, fixed or estimated each round.
    public let f: FSetting
    /// How many updates are averaged.
    public let m: Count

    public var name: String { "multi-krum" }

    /// - Throws: `.parameter` for a negative fixed f or a fixed m < 1.
    public init(f: FSetting, m: Count = .nMinusF) throws(AggregatorError) {
        try f.validate(rule: "multi-krum")
        if case let .count(m) = m, m < 1 {
            throw AggregatorError.parameter(rule: "multi-krum", message: "m must be >= 1; got \(m)")
        }
        self.f = f
        self.m = m
    }

    public func check(n: Int) throws(AggregatorError) {
        try Krum.check(n: n, f: f, rule: name)
        if case let .count(m) = m, m > n {
            throw AggregatorError.parameter(rule: name, message: "m must be in 1...\(n) for n = \(n); got \(m)")
        }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        let m = self.m
        return try Krum.select(updates, f: f, rule: name) { n, f in
            switch m {
            case .nMinusF: return n - f
            case let .count(m): return m
            }
        }
    }
}

extension MultiKrum {
    public static let descriptor = AggregatorDescriptor(
        name: "multi-krum", summary: "mean of the m updates with the best Krum scores (Blanchard et al., NeurIPS 2017)",
        parameters: [.f, Parameter("m", .integer(Interval(1...)), default: .null, doc: "updates averaged; none: n - f")],
        figures: FSetting.figureDocs, maxF: { n in Krum.fMax(n: n) }
    ) { values, _ in
        try MultiKrum(f: values.fSetting("f"), m: values.optionalInt("m").map { .count($0) } ?? .nMinusF)
    }
}
