import FedCore

/// Coordinate-wise median (Yin, Chen, Ramchandran & Bartlett, "Byzantine-Robust Distributed
/// Learning: Towards Optimal Statistical Rates", ICML 2018):
///
///     agg_k = median(x_{1,k}, …, x_{n,k})        for every coordinate k
///
/// For even n it is the mean of the two middle values (NumPy's convention; `torch.median`
/// returns the lower one instead — docs/ALGORITHMS.md 2.2). Robust while fewer than n/2 values of
/// a coordinate are Byzantine (n ≥ 2f + 1); unweighted (client sample counts are ignored).
/// Computed with the cache-blocked selection kernels of `ColumnKernels` (window b = ⌊(n−1)/2⌋),
/// O(n·d) expected, no per-coordinate sort.
///
/// Decisions: every update is `selected`; its `weight` is the fraction of coordinates in
/// which its value was used (for odd n the median element, for even n each of the two middle
/// values counts 1/2; ties broken by row index), normalised to sum to 1 over clients.
public struct CoordinateMedian: Aggregator {
    public let name = "median"
    /// Threads for the column pass: 0 = one per active core, 1 = single-threaded.
    public var maxThreads: Int

    public init(maxThreads: Int = 0) {
        self.maxThreads = maxThreads
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        try check(n: updates.rows)
        let n = updates.rows
        let r = ColumnKernels.windowMean(updates, trim: (n - 1) / 2, attribute: true, maxThreads: maxThreads)
        let total = Double(r.rowCounts.reduce(0, +))
        let decisions = r.rowCounts.map { c in
            ClientDecision(selected: true, weight: total > 0 ? Double(c) / total : 1 / Double(n))
        }
        return AggregationResult(aggregate: r.values, decisions: decisions)
    }

    /// The coordinate-wise median of the rows of `m` (NumPy convention for even n), without
    /// per-client attribution. Needs at least one row.
    public static func median(of m: UpdateMatrix, maxThreads: Int = 0) -> [Float] {
        precondition(m.rows >= 1, "CoordinateMedian.median(of:) needs at least one row")
        return ColumnKernels.windowMean(m, trim: (m.rows - 1) / 2, attribute: false, maxThreads: maxThreads).values
    }
}

extension CoordinateMedian {
    public static let descriptor = AggregatorDescriptor(
        name: "median", summary: "coordinate-wise median (Yin et al., ICML 2018)"
    ) { _, options in
        CoordinateMedian(maxThreads: options.threads)
    }
}
