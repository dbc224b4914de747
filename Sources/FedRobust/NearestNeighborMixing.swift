import FedCore

/// Nearest-neighbour mixing (NNM), a pre-aggregation step (Allouah, Farhadkhani, Guerraoui,
/// Gupta, Pinot & Stephan, "Fixing by Mixing: A Recipe for Optimal Byzantine ML under
/// Heterogeneity", AISTATS 2023; ByzFL's `NNM`): every update is replaced by the mean of its
/// n − f nearest updates (Euclidean, itself included),
///
///     y_i = (1/(n − f)) Σ_{j ∈ N_i} x_j,    N_i = the n − f rows closest to x_i
///
/// and the rule runs on the n mixed rows. Mixing pulls each honest update towards the honest
/// crowd and each Byzantine one towards it too, so that a rule that was robust only for
/// homogeneous data becomes robust under heterogeneity (the paper's main result, for rules
/// such as Krum, median, trimmed mean and geometric median).
///
/// Ties in distance go to the lower row index; x_i is always in N_i (ByzFL's argpartition
/// leaves both to NumPy). Distances come from one Gram matrix (`PairwiseDistances`), the mixed
/// rows are sums in Double; cost O(n²·d).
///
/// f: fixed, or `.auto`: estimated each round from the updates (`FEstimator`, f_max =
/// ⌊(n − 1)/2⌋). In a scenario, `f: auto` takes the rule's f when that is fixed (as ByzFL's
/// pipelines give NNM and the rule the same f). Requires n > 2f (the paper's setting).
///
/// Example (f = 1): x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]] → [[2.5, 3.5, 4.5], [2.5, 3.5, 4.5],
/// [5.5, 6.5, 7.5]] (ByzFL's docstring: x_1 is equally far from x_0 and x_2; the lower index wins).
///
/// Decisions are mapped back through `RowMixing`: client i's weight is Σ over the mixed rows
/// o whose neighbourhood holds x_i of weight_o/(n − f); it is selected when one of them was;
/// its score and clipping are those of its own mixed row y_i.
public struct NearestNeighborMixing: PreAggregationStep {
    public var name: String { "nnm" }
    public var mixesRows: Bool { true }

    public let f: FSetting

    /// - Throws: `.parameter` for a negative fixed f.
    public init(f: FSetting = .auto) throws(AggregatorError) {
        try f.validate(rule: "nnm")
        self.f = f
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
        if case let .fixed(f) = f, n <= 2 * f {
            throw .precondition(rule: name, requirement: "n > 2f", n: n, f: f)
        }
    }

    /// The neighbourhoods for `k` = n − f neighbours: row i's n − f nearest rows (itself
    /// first, then by distance, ties to the lower index), each with coefficient 1/k.
    public static func mixing(_ distances: PairwiseDistances, neighbours k: Int) -> RowMixing {
        let n = distances.n
        precondition(k >= 1 && k <= n, "NNM: \(k) neighbours of \(n) rows")
        let terms = (0..<n).map { i -> [RowMixing.Term] in
            let others = (0..<n).filter { $0 != i }.sorted {
                let a = distances[i, $0], b = distances[i, $1]
                return a != b ? a < b : $0 < $1
            }
            return ([i] + others.prefix(k - 1)).map { RowMixing.Term($0, 1 / Double(k)) }
        }
        return RowMixing(inputs: n, terms: terms, representative: Array(0..<n))
    }

    public func apply(_ updates: UpdateMatrix, context: PreAggregationContext) throws -> PreAggregationOutput {
        let n = updates.rows
        try check(n: n)
        let fUsed: Int
        switch f {
        case let .fixed(v): fUsed = v
        case .auto: fUsed = try FEstimator.estimate(updates, fMax: (n - 1) / 2).fUsed
        }
        let mixing = NearestNeighborMixing.mixing(PairwiseDistances(updates), neighbours: n - fUsed)
        return PreAggregationOutput(updates: mixing.apply(updates), clipped: [Bool](repeating: false, count: n),
                                    mixing: mixing, figures: ["nnm_f": Double(fUsed)])
    }
}

extension NearestNeighborMixing {
    public static let descriptor = PreAggregationDescriptor(
        name: "nnm",
        summary: "each update replaced by the mean of its n - f nearest updates (Allouah et al., AISTATS 2023)",
        parameters: [Parameter("f", .autoOrCount, default: .auto,
                               doc: "neighbours are n - f; auto: the rule's f when fixed, else estimated each round")],
        figures: [("nnm_f", "f nearest-neighbour mixing ran with (n - f neighbours)")]
    ) { values in
        try NearestNeighborMixing(f: values.fSetting("f"))
    }
}
