import FedCore

/// Static clipping, a pre-aggregation step (ByzFL's `Clipping`, default c = 2.0): scale every
/// update to norm at most c before any rule,
///
///     x_i ← x_i · min(1, c / ||x_i||₂)
///
/// so that no single update can move a mean-like rule by more than c/n. A bound in units of
/// update norm: pick c for the scale of the updates (FedAvg deltas of small models have norms
/// around 0.1–1, gradients of large CNNs much more; docs/ALGORITHMS.md 2.7, 2.10).
public struct StaticClipping: PreAggregationStep {
    public var name: String { "clip" }

    /// The bound c on each update's Euclidean norm.
    public let norm: Double

    /// - Throws: `.parameter` unless `norm` is positive and finite.
    public init(norm: Double = 2.0) throws(AggregatorError) {
        guard norm > 0 && norm.isFinite else {
            throw .parameter(rule: "static-clipping", message: "norm must be positive and finite; got \(norm)")
        }
        self.norm = norm
    }

    /// Clips the rows of `m` in place; returns, per row, whether it was scaled down.
    @discardableResult
    public func apply(_ m: inout UpdateMatrix) -> [Bool] {
        let norms = RowNormKernels.norms(m)
        let d = m.columns
        var clipped = [Bool](repeating: false, count: m.rows)
        m.values.withUnsafeMutableBufferPointer { buf in
            for (i, r) in norms.enumerated() where r > norm {
                clipped[i] = true
                let s = Float(norm / r)
                for j in (i * d)..<((i + 1) * d) { buf[j] *= s }
            }
        }
        return clipped
    }

    public func apply(_ updates: UpdateMatrix, context: PreAggregationContext) -> PreAggregationOutput {
        var m = updates
        let clipped = apply(&m)
        return PreAggregationOutput(updates: m, clipped: clipped)
    }

    /// The factor min(1, bound / r) that clips a vector of norm r to norm ≤ bound (1 for r = 0).
    static func scale(norm r: Double, bound: Double) -> Double {
        r > bound ? bound / r : 1
    }
}

extension StaticClipping {
    public static let descriptor = PreAggregationDescriptor(
        name: "clip", summary: "scale every update to norm at most `norm` before the rule (ByzFL's static clipping)",
        parameters: [Parameter("norm", .number(.greaterThan(0)), default: .number(2.0), doc: "the bound c on each update's L2 norm")]
    ) { values in
        try StaticClipping(norm: values.double("norm"))
    }
}
