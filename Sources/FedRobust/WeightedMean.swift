import FedCore

/// FedAvg's aggregate: the weighted mean of the updates (McMahan et al., AISTATS 2017),
/// `agg = Σ_i w_i x_i / Σ_i w_i`, with `w_i` the number of local samples of client i.
///
/// One pass of `RowCombination` (Double accumulators per column block, blocks split between
/// the cores), so the result does not depend on anything but the values and their order. Unbounded by design: one
/// Byzantine row can move it arbitrarily (Blanchard et al., NeurIPS 2017, Lemma 1).
public enum WeightedMean {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The weights are not one non-negative finite number per row.
        case badWeights(count: Int, rows: Int)
        /// The weights sum to zero (or there are no rows), so the mean is undefined.
        case zeroTotalWeight

        public var description: String {
            switch self {
            case let .badWeights(count, rows):
                return "weighted mean needs one non-negative finite weight per update; got \(count) weights for \(rows) updates"
            case .zeroTotalWeight:
                return "weighted mean needs a positive total weight; got 0"
            }
        }
    }

    /// The weighted mean of the rows of `matrix`.
    public static func aggregate(_ matrix: UpdateMatrix, weights: [Double]) throws -> [Float] {
        guard weights.count == matrix.rows, weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw Failure.badWeights(count: weights.count, rows: matrix.rows)
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw Failure.zeroTotalWeight }
        return RowCombination.combine(matrix, coefficients: weights.map { $0 / total })
    }
}
