import FedCore

/// Bucketing, a pre-aggregation step (Karimireddy, He & Jaggi, "Byzantine-Robust Learning on
/// Heterogeneous Datasets via Bucketing", ICLR 2022; ByzFL's `Bucketing`): each round, a
/// random permutation π of the n updates, then ⌈n/s⌉ buckets of s consecutive permuted
/// updates, each replaced by its plain mean,
///
///     y_b = (1/|B_b|) Σ_{k ∈ B_b} x_π(k),    B_b = {b·s, …, min((b+1)·s, n) − 1}
///
/// The rule then runs on the n' = ⌈n/s⌉ bucket means; the last bucket holds n − (n' − 1)·s
/// updates when s does not divide n (its mean is over those, as in the authors' epfml code
/// and ByzFL). Averaging s honest updates shrinks their spread (heterogeneity) by about
/// √s, which is what lets median, Krum or RFA tell honest from Byzantine on non-IID data.
///
/// f for the rule: each Byzantine update spoils at most one bucket, so at most f of the n'
/// means are Byzantine — the rule keeps its f (the authors' code builds Krum with n = ⌈n/s⌉
/// and the same f, the trimmed mean with b = f), but the fraction grows from f/n to
/// f/n' ≈ s·f/n (the paper's requirement s·δ ≤ δ_max). The rule's bound is checked against n'
/// (Krum with f = 2 needs n' ≥ 7, so n ≥ 13 with s = 2). With `f: auto` the rule estimates f
/// on the bucket means.
///
/// Example (s = 2, π = [2, 0, 1]): x = [[1, 2], [3, 4], [5, 6]] → [[3, 4], [3, 4]]: the first
/// bucket is the mean of x_2 and x_0, the second is x_1 alone.
///
/// Randomness: π comes from `context.rng` (the scenario seed, the round and the step's name),
/// by a Fisher–Yates shuffle of 0..<n; same seed, same buckets. Decisions are mapped back
/// through `RowMixing`: a client is selected when its bucket was, its weight is the bucket's
/// weight divided by the bucket's size. A bucket's weight for weighted rules is the sum of
/// its members' sample counts. s = 1 only permutes the rows.
public struct Bucketing: PreAggregationStep {
    public var name: String { "bucketing" }
    public var mixesRows: Bool { true }

    /// The bucket size s.
    public let bucketSize: Int

    /// - Throws: `.parameter` unless s ≥ 1.
    public init(bucketSize: Int = 2) throws(AggregatorError) {
        guard bucketSize >= 1 else {
            throw .parameter(rule: "bucketing", message: "s must be >= 1; got \(bucketSize)")
        }
        self.bucketSize = bucketSize
    }

    /// ⌈n/s⌉.
    public func outputRows(n: Int) -> Int { (n + bucketSize - 1) / bucketSize }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
    }

    /// The round's permutation of 0..<n (Fisher–Yates with `rng`).
    public static func permutation(n: Int, rng: SeededRNG) -> [Int] {
        var g = rng
        var p = Array(0..<n)
        g.shuffle(&p)
        return p
    }

    /// The buckets of `permutation` in groups of s, as a row map: output b averages the
    /// inputs π(b·s) … π(min((b+1)·s, n) − 1), each with coefficient 1/|B_b|; each input's
    /// representative is its bucket.
    public static func mixing(permutation: [Int], bucketSize s: Int) -> RowMixing {
        let n = permutation.count
        var terms: [[RowMixing.Term]] = []
        var representative = [Int](repeating: 0, count: n)
        for start in stride(from: 0, to: n, by: s) {
            let members = permutation[start..<min(start + s, n)]
            let c = 1 / Double(members.count)
            for i in members { representative[i] = terms.count }
            terms.append(members.map { RowMixing.Term($0, c) })
        }
        return RowMixing(inputs: n, terms: terms, representative: representative)
    }

    /// The bucket means for a given permutation (tests fix it; `apply` draws it).
    public func apply(_ updates: UpdateMatrix, permutation: [Int]) -> PreAggregationOutput {
        precondition(permutation.count == updates.rows && Set(permutation) == Set(0..<updates.rows),
                     "Bucketing: not a permutation of 0..<\(updates.rows)")
        let mixing = Bucketing.mixing(permutation: permutation, bucketSize: bucketSize)
        return PreAggregationOutput(updates: mixing.apply(updates), clipped: [Bool](repeating: false, count: updates.rows),
                                    mixing: mixing, figures: ["buckets": Double(mixing.outputs)])
    }

    public func apply(_ updates: UpdateMatrix, context: PreAggregationContext) throws -> PreAggregationOutput {
        try check(n: updates.rows)
        return apply(updates, permutation: Bucketing.permutation(n: updates.rows, rng: context.rng))
    }
}

extension Bucketing {
    public static let descriptor = PreAggregationDescriptor(
        name: "bucketing",
        summary: "means of random buckets of s updates each round; the rule sees ceil(n/s) rows (Karimireddy et al., ICLR 2022)",
        parameters: [Parameter("s", .integer(Interval(1...)), default: .int(2), doc: "bucket size: updates averaged per bucket")],
        figures: [("buckets", "bucket means the rule aggregated, ceil(n/s)")]
    ) { values in
        try Bucketing(bucketSize: values.int("s"))
    }
}
