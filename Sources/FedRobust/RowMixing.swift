import FedCore

/// How a pre-aggregation step's output rows are made of its input rows: output row o is
///
///     y_o = Σ_i c_{o,i} · x_i          with c_{o,i} ≥ 0 and Σ_i c_{o,i} = 1
///
/// (bucketing: c = 1/|B| on the members of bucket B; NNM: c = 1/(n − f) on the n − f nearest
/// neighbours of x_o). Each input row also has a *representative* output row, the one that
/// stands for it: its bucket for bucketing, its own mixed row for NNM.
///
/// The map carries the rule's per-row decisions back to the clients (`inputDecisions`):
///
///     weight_i   = Σ_o weight_o · c_{o,i}        (so Σ_i weight_i = Σ_o weight_o = 1 and the
///                                                 aggregate is still Σ_i weight_i · x_i for
///                                                 rules that are combinations of their rows)
///     selected_i = some output o with c_{o,i} > 0 was selected
///     score_i, clipped_i = those of the representative output row
///
/// For bucketing this is: a client is selected when its bucket was, and its weight is the
/// bucket's weight divided by the bucket's size. Maps compose (`then`), so a chain of steps
/// has one map from the rule's rows to the clients.
public struct RowMixing: Sendable, Equatable {
    /// One term of an output row: input row and its coefficient.
    public struct Term: Sendable, Equatable {
        public var row: Int
        public var coefficient: Double

        public init(_ row: Int, _ coefficient: Double) {
            self.row = row
            self.coefficient = coefficient
        }
    }

    /// The number of input rows.
    public let inputs: Int
    /// Per output row, its terms in increasing input row order.
    public let terms: [[Term]]
    /// Per input row, the output row that stands for it.
    public let representative: [Int]

    public var outputs: Int { terms.count }

    /// - Precondition: every term and representative is in range.
    public init(inputs: Int, terms: [[Term]], representative: [Int]) {
        precondition(representative.count == inputs, "RowMixing: \(representative.count) representatives for \(inputs) inputs")
        precondition(representative.allSatisfy { $0 >= 0 && $0 < terms.count }, "RowMixing: representative out of range")
        precondition(terms.allSatisfy { $0.allSatisfy { $0.row >= 0 && $0.row < inputs } }, "RowMixing: term out of range")
        self.inputs = inputs
        self.terms = terms.map { $0.sorted { $0.row < $1.row } }
        self.representative = representative
    }

    /// Output row i is input row i.
    public static func identity(_ n: Int) -> RowMixing {
        RowMixing(inputs: n, terms: (0..<n).map { [Term($0, 1)] }, representative: Array(0..<n))
    }

    /// The map of `next` applied after `self` (rows of `next` in terms of the inputs of `self`).
    public func then(_ next: RowMixing) -> RowMixing {
        precondition(next.inputs == outputs, "RowMixing.then: \(next.inputs) inputs after \(outputs) outputs")
        let composed = next.terms.map { outer -> [Term] in
            var sum: [Int: Double] = [:]
            for t in outer {
                for u in terms[t.row] { sum[u.row, default: 0] += t.coefficient * u.coefficient }
            }
            return sum.keys.sorted().map { Term($0, sum[$0] ?? 0) }
        }
        return RowMixing(inputs: inputs, terms: composed, representative: representative.map { next.representative[$0] })
    }

    /// The output row combinations applied to `m`: one `RowCombination` per output row (Double
    /// sums in the kernel's fixed tree, reading only the rows with a non-zero coefficient,
    /// column blocks split between the cores). Measured faster than one blocked pass forming
    /// every output row per block (n = 100, d = 10⁵, NNM f = 20: 280–370 ms against 580–600
    /// ms with Krum or the median after it, release build on 2 shared cores).
    public func apply(_ m: UpdateMatrix) -> UpdateMatrix {
        precondition(m.rows == inputs, "RowMixing.apply: \(m.rows) rows for \(inputs) inputs")
        var out = UpdateMatrix(rows: outputs, columns: m.columns)
        var coefficients = [Double](repeating: 0, count: inputs)
        for (o, row) in terms.enumerated() {
            for t in row { coefficients[t.row] = t.coefficient }
            out.setRow(o, RowCombination.combine(m, coefficients: coefficients))
            for t in row { coefficients[t.row] = 0 }
        }
        return out
    }

    /// Per output row, the sum of the weights of the input rows it represents (a bucket
    /// weighs its members' sample counts; NNM's row i weighs client i's).
    public func outputWeights(_ w: [Double]) -> [Double] {
        precondition(w.count == inputs, "RowMixing.outputWeights: \(w.count) weights for \(inputs) inputs")
        var out = [Double](repeating: 0, count: outputs)
        for (i, o) in representative.enumerated() { out[o] += w[i] }
        return out
    }

    /// Per output row, the smallest id among the input rows it represents (an id for the
    /// row in results and errors; rules that key state by client refuse mixed rows).
    public func outputIds(_ ids: [Int]) -> [Int] {
        precondition(ids.count == inputs, "RowMixing.outputIds: \(ids.count) ids for \(inputs) inputs")
        var out = [Int](repeating: Int.max, count: outputs)
        for (i, o) in representative.enumerated() { out[o] = min(out[o], ids[i]) }
        return out.map { $0 == Int.max ? -1 : $0 }
    }

    /// The rule's decisions about the output rows, mapped to the input rows (see the type's
    /// doc comment).
    public func inputDecisions(_ decisions: [ClientDecision]) -> [ClientDecision] {
        precondition(decisions.count == outputs, "RowMixing.inputDecisions: \(decisions.count) decisions for \(outputs) rows")
        var weight = [Double](repeating: 0, count: inputs)
        var selected = [Bool](repeating: false, count: inputs)
        for (o, row) in terms.enumerated() {
            for t in row where t.coefficient > 0 {
                weight[t.row] += decisions[o].weight * t.coefficient
                if decisions[o].selected { selected[t.row] = true }
            }
        }
        return (0..<inputs).map { i in
            let r = decisions[representative[i]]
            return ClientDecision(selected: selected[i], weight: weight[i], score: r.score, clipped: r.clipped)
        }
    }
}
