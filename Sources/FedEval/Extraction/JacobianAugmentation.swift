import FedCore

/// Jacobian-based dataset augmentation (Papernot et al., "Practical Black-Box Attacks against
/// Machine Learning", AsiaCCS 2017, sec. 4.2, Algorithm 1): new synthetic queries where the
/// surrogate's decision changes fastest, in the direction of the oracle's label,
///
///     S_{ρ+1} = S_ρ ∪ { x + λ · sign(J_F(x)[Õ(x)]) : x ∈ S_ρ }
///
/// with `F` the surrogate (its softmax), `Õ(x)` the oracle's label of `x` and `J_F[y]` the
/// gradient of `F_y` with respect to the input. Since `F_y > 0`, `sign(∇F_y) = sign(∇ log F_y)
/// = -sign(∇ CE(F(x), y))`, so the step is read from the cross-entropy's input gradient. `λ` is
/// in units of each feature's width (`λ · width(j)`, Papernot's 0.1 on pixels in [0, 1]), and
/// the new point is clamped to the domain.
public enum JacobianAugmentation {
    /// One new point per row of `inputs` (`count x dimension`), labelled `labels` by the
    /// oracle, from the surrogate `model` at `parameters`; row-major, `count x dimension`.
    public static func augment(model: any Model, parameters: [Float], inputs: [Float], labels: [Int32], count: Int,
                               step lambda: Float, domain: InputDomain, workspace: ModelWorkspace) -> [Float] {
        let d = model.inputDimension
        precondition(inputs.count >= count * d && labels.count >= count,
                     "JacobianAugmentation: \(inputs.count) values and \(labels.count) labels for \(count) inputs of \(d)")
        var out = [Float](repeating: 0, count: count * d)
        let batch = 256
        parameters.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    out.withUnsafeMutableBufferPointer { o in
                        var first = 0
                        while first < count {
                            let size = min(batch, count - first)
                            let rows = UnsafeMutableBufferPointer(rebasing: o[(first * d)..<((first + size) * d)])
                            var noDropout: SeededRNG? = nil
                            _ = model.lossAndGradients(parameters: p, inputs: UnsafeBufferPointer(rebasing: x[(first * d)..<((first + size) * d)]),
                                                       labels: UnsafeBufferPointer(rebasing: y[first..<(first + size)]),
                                                       batchSize: size, gradient: nil, inputGradient: rows,
                                                       workspace: workspace, dropoutRNG: &noDropout)
                            for i in 0..<(size * d) {
                                let j = i % d
                                let g = rows[i]
                                let s: Float = g > 0 ? -1 : (g < 0 ? 1 : 0)
                                rows[i] = x[first * d + i] + lambda * domain.width(j) * s
                            }
                            domain.clamp(rows)
                            first += size
                        }
                    }
                }
            }
        }
        return out
    }
}
