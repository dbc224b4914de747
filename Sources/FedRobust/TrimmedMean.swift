import FedCore

/// Coordinate-wise trimmed mean (Yin, Chen, Ramchandran & Bartlett, ICML 2018):
///
///     agg_k = (1 / (n − 2b)) · Σ_{r = b}^{n−1−b} x_{(r),k}
///
/// where `x_{(0),k} ≤ … ≤ x_{(n−1),k}` are the n values of coordinate k: drop the b smallest
/// and the b largest, average the other n − 2b. Needs n > 2b, and b ≥ the true number of
/// attackers to be safe.
///
/// Trimming is per coordinate, independently: different clients are dropped in different
/// coordinates; it is *not* "drop b whole clients" (docs/ALGORITHMS.md 2.3).
///
/// b is `.count(b)` (= f: byzfl, epfml, NDSS code), `.fraction(β)` with b = ⌊β·n⌋ and
/// β ∈ [0, 0.5) (the paper; default β = 0.1 as in FLPoison), or `.auto`: f estimated every
/// round by `FEstimator` (docs/ALGORITHMS.md 9) with f_max = ⌊(n−1)/2⌋, recorded as the figures
/// "f_estimate" (f̂) and "f_used" (b). Unweighted, like the paper.
///
/// Decisions: `weight` = share of coordinates in which the row was kept, divided by n − 2b
/// (ties at the window edges broken by row index), so the weights sum to 1; `selected` is
/// false only for a row trimmed in every coordinate.
public struct TrimmedMean: Aggregator {
    /// How many values to trim at each end.
    public enum Trim: Sendable, Equatable {
        /// b values at each end, every round.
        case count(Int)
        /// b = ⌊β·n⌋ with β ∈ [0, 0.5).
        case fraction(Double)
        /// b = f_used of `FEstimator.estimate` with f_max = ⌊(n−1)/2⌋, every round.
        case auto
    }

    public let name = "trimmed-mean"
    public let trim: Trim
    /// Threads for the column pass: 0 = one per active core, 1 = single-threaded.
    public var maxThreads: Int

    /// - Throws: `.parameter` for a negative count or β outside [0, 0.5).
    public init(_ trim: Trim = .fraction(0.1), maxThreads: Int = 0) throws(AggregatorError) {
        switch trim {
        case let .count(b) where b < 0:
            throw .parameter(rule: "trimmed-mean", message: "b must be >= 0; got \(b)")
        case let .fraction(beta) where !(beta >= 0 && beta < 0.5):
            throw .parameter(rule: "trimmed-mean", message: "beta must be in [0, 0.5); got \(beta)")
        default:
            break
        }
        self.trim = trim
        self.maxThreads = maxThreads
    }

    /// b for n updates; for `.auto` the largest b the estimator may return (⌊(n−1)/2⌋).
    public func trimCount(n: Int) -> Int {
        switch trim {
        case let .count(b): return b
        case let .fraction(beta): return Int((beta * Double(n)).rounded(.down))
        case .auto: return max(0, (n - 1) / 2)
        }
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
        let b = trimCount(n: n)
        guard n > 2 * b else { throw .precondition(rule: name, requirement: "n > 2b", n: n, f: b) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        let n = updates.rows
        try check(n: n)
        var b = trimCount(n: n)
        var figures: [String: Double] = [:]
        if trim == .auto {
            let e = try FEstimator.estimate(updates, fMax: (n - 1) / 2)
            b = e.fUsed
            figures["f_estimate"] = Double(e.fHat)
            figures["f_used"] = Double(e.fUsed)
        }
        let r = ColumnKernels.windowMean(updates, trim: b, attribute: true, maxThreads: maxThreads)
        let total = Double(r.rowCounts.reduce(0, +))
        let decisions = r.rowCounts.map { c in
            ClientDecision(selected: c > 0 || updates.columns == 0,
                           weight: total > 0 ? Double(c) / total : 1 / Double(n))
        }
        return AggregationResult(aggregate: r.values, decisions: decisions, figures: figures)
    }
}

extension TrimmedMean {
    public static let descriptor = AggregatorDescriptor(
        name: "trimmed-mean", summary: "coordinate-wise mean after dropping the b largest and b smallest values (Yin et al., ICML 2018)",
        parameters: [
            Parameter("f", .autoOrCount, default: .auto,
                      doc: "values trimmed per side, b = f; auto: f estimated each round, capped at (n - 1)/2"),
            Parameter("beta", .number(.closedOpen(0, 0.5)), default: .null,
                      doc: "trim b = floor(beta n) per side instead of f"),
        ],
        figures: FSetting.figureDocs, maxF: { n in (n - 1) / 2 },
        normalize: { (values: inout ParameterValues) throws(ParameterError) in
            if values.given.contains("beta") && values.given.contains("f") {
                throw ParameterError(key: "beta", "give either f or beta, not both")
            }
            if values["beta"] != .null { values.set("f", .null, given: false) }
        }
    ) { values, options in
        if let beta = values.optionalDouble("beta") { return try TrimmedMean(.fraction(beta), maxThreads: options.threads) }
        return try TrimmedMean(values.autoOrInt("f").map { .count($0) } ?? .auto, maxThreads: options.threads)
    }
}
