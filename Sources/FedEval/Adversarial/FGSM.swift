import FedCore

/// The fast gradient sign method (Goodfellow, Shlens & Szegedy, "Explaining and Harnessing
/// Adversarial Examples", ICLR 2015): one step of size ε along the sign of the loss gradient,
///
///     x' = clamp_D(x + ε · w ⊙ sign(∇_x CE(f(x), y)))
///
/// with `w_j` the width of feature j's valid range (`InputDomain`), so ε is a fraction of the
/// range (ε = 0.1 on pixels in [0, 1] moves each pixel by 0.1, as in the paper's MNIST
/// setting of ε = 0.25 on [0, 1]), and `clamp_D` the clipping of every feature into its range.
/// sign(0) = 0: a feature the loss does not depend on is left alone. The gradient is that of
/// the batch's mean cross-entropy; sample i's input gradient depends on sample i only (the
/// models have no batch statistics), so batching changes nothing but the speed.
public struct FGSM: Sendable, Equatable {
    /// ε, as a fraction of each feature's width (> 0).
    public let epsilon: Float

    public init(epsilon: Float) {
        precondition(epsilon > 0 && epsilon.isFinite, "FGSM: epsilon must be positive; got \(epsilon)")
        self.epsilon = epsilon
    }

    /// Replaces the `batchSize` rows of `inputs` with their FGSM examples against `parameters`.
    public func perturb(model: any Model, parameters: UnsafeBufferPointer<Float>, inputs: UnsafeMutableBufferPointer<Float>,
                        labels: UnsafeBufferPointer<Int32>, batchSize: Int, domain: InputDomain,
                        workspace: AttackWorkspace) {
        let d = model.inputDimension
        precondition(domain.dimension == d, "FGSM: a domain of \(domain.dimension) features for a model of \(d)")
        guard batchSize > 0 else { return }
        let n = batchSize * d
        let x = UnsafeMutableBufferPointer(rebasing: inputs[0..<n])
        let g = workspace.gradient.floats(n)
        WhiteBox.crossEntropyGradient(model: model, parameters: parameters, inputs: UnsafeBufferPointer(x), labels: labels,
                                      batchSize: batchSize, gradient: g, workspace: workspace.model)
        for r in 0..<batchSize {
            for j in 0..<d {
                let i = r * d + j
                let moved = x[i] + epsilon * domain.width(j) * WhiteBox.sign(g[i])
                x[i] = min(max(moved, domain.lower[j]), domain.upper[j])
            }
        }
    }
}
