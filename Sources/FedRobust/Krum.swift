import FedCore

/// Krum (Blanchard, El Mhamdi, Guerraoui & Stainer, NeurIPS 2017): the update closest to
/// its n − f − 2 nearest neighbours.
///
///     score(i) = Σ_{j ∈ N_i} ||x_i − x_j||²,   N_i = the n − f − 2 closest OTHER vectors
///     Krum     = x_{argmin_i score(i)}          (ties → smallest index)
///
/// Needs n > 2f + 2 (so that every honest vector has more honest than Byzantine
/// neighbours); checked up front with the numbers in the message. Distances are squared and
/// self is excluded, as in the paper (byzfl averages n − f − 1 distances, FLPoison sums
/// non-squared ones, the NDSS Bulyan code counts the zero self-distance — all of which
/// change the winner; docs/ALGORITHMS.md 2.4).
///
/// Cost: one Gram matrix (`ssyrk`, O(n²d)) for all pairwise distances, then O(n² log n).
///
/// Decisions: the chosen row is selected with weight 1, every row's score is its Krum
/// score. Figures: "f_used", plus "f_estimate" (f̂) with `f: .auto`.
public struct Krum: Aggregator {
    /// The number of Byzantine updates tolerated, fixed or estimated each round.
    public let f: FSetting

    public var name: String { "krum" }

    /// - Throws: `.parameter` for a negative fixed f.
    public init(f: FSetting) throws(AggregatorError) {
        try f.validate(rule: "krum")
        self.f = f
    }

    public func check(n: Int) throws(AggregatorError) {
        try Krum.check(n: n, f: f, rule: name)
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        try Krum.select(updates, f: f, rule: name) { _, _ in 1 }
    }

    // MARK: - Bounds

    /// The largest f Krum tolerates with n updates, ⌊(n − 3)/2⌋ (−1 when n < 3).
    public static func fMax(n: Int) -> Int {
        n >= 3 ? (n - 3) / 2 : -1
    }

    /// "krum needs n > 2f + 2; got n = 8, f = 3".
    static func preconditionError(rule: String, n: Int, f: Int) -> AggregatorError {
        .precondition(rule: rule, requirement: "n > 2f + 2", n: n, f: f)
    }

    static func check(n: Int, f: FSetting, rule: String) throws(AggregatorError) {
        let fMax = fMax(n: n)
        switch f {
        case let .fixed(f) where f > fMax:
            throw preconditionError(rule: rule, n: n, f: f)
        case .auto where fMax < 0:
            throw preconditionError(rule: rule, n: n, f: 0)
        default:
            return
        }
    }

    // MARK: - Scores

    /// Krum scores of all n vectors: the sum of the squared distances to the n − f − 2
    /// closest other vectors. With n − f − 2 ≤ 0 every score is 0 (the caller has checked
    /// the precondition; Bulyan reaches this on its last selections).
    public static func scores(distances: PairwiseDistances, f: Int) -> [Double] {
        scores(distances: distances, f: f, among: Array(0..<distances.n))
    }

    /// Krum scores of the vectors `among` (indices into `distances`) within that set: the
    /// n − f − 2 closest others are taken from `among` only, with n = `among.count`. Used by
    /// Bulyan's repeated selection on a shrinking set, reusing one distance matrix.
    static func scores(distances: PairwiseDistances, f: Int, among set: [Int]) -> [Double] {
        let k = min(max(set.count - f - 2, 0), max(set.count - 1, 0))
        guard k > 0 else { return [Double](repeating: 0, count: set.count) }
        let n = distances.n
        var row = [Double](repeating: 0, count: set.count - 1)
        return distances.squared.withUnsafeBufferPointer { dist in
            set.map { i in
                var c = 0
                for j in set where j != i {
                    row[c] = dist[i * n + j]
                    c += 1
                }
                row.sort()
                var s = 0.0
                for t in 0..<k { s += row[t] }
                return s
            }
        }
    }

    /// Positions of the `m` lowest scores, ascending by (score, position): ties go to the
    /// smaller position, as the paper's argmin does.
    static func lowest(_ scores: [Double], count m: Int) -> [Int] {
        let order = scores.indices.sorted { a, b in
            scores[a] < scores[b] || (scores[a] == scores[b] && a < b)
        }
        return Array(order.prefix(m))
    }

    // MARK: - Krum and Multi-Krum

    /// Shared body of Krum (m = 1) and Multi-Krum: resolve f, score, pick the `m(n, f)`
    /// lowest scores and average them (plain mean, as in the paper).
    static func select(_ updates: UpdateMatrix, f setting: FSetting, rule: String,
                       m count: (_ n: Int, _ f: Int) throws -> Int) throws -> AggregationResult {
        let n = updates.rows
        let (f, estimate) = try setting.resolve(updates, fMax: fMax(n: n)) { f in
            preconditionError(rule: rule, n: n, f: f)
        }
        let m = try count(n, f)
        guard m >= 1, m <= n else {
            throw AggregatorError.parameter(rule: rule, message: "m must be in 1...\(n) for n = \(n); got \(m)")
        }
        let s = scores(distances: PairwiseDistances(updates), f: f)
        let chosen = lowest(s, count: m)
        let aggregate = m == 1 ? updates.row(chosen[0]) : RowCombination.mean(updates, rows: chosen)
        var decisions = s.map { ClientDecision(selected: false, weight: 0, score: $0) }
        for i in chosen {
            decisions[i].selected = true
            decisions[i].weight = 1 / Double(m)
        }
        return AggregationResult(aggregate: aggregate, decisions: decisions,
                                 figures: FSetting.figures(f: f, estimate: estimate))
    }
}

extension Krum {
    public static let descriptor = AggregatorDescriptor(
        name: "krum", summary: "the update closest to its n - f - 2 nearest neighbours (Blanchard et al., NeurIPS 2017)",
        parameters: [.f], figures: FSetting.figureDocs, maxF: { n in Krum.fMax(n: n) }
    ) { values, _ in
        try Krum(f: values.fSetting("f"))
    }
}
