/// A change to every minibatch gradient of a local training run, applied after the model's
/// backward pass and before the optimizer step (so weight decay and momentum act on the
/// adjusted gradient, as when an attacker edits `p.grad` in PyTorch): how a malicious client
/// steers its own training (Neurotoxin's coordinate mask, constrain-and-scale's pull toward
/// the global model). Called with the current parameters and the gradient to edit in place.
public struct GradientAdjustment: Sendable {
    public let adjust: @Sendable (_ parameters: UnsafeBufferPointer<Float>, _ gradient: UnsafeMutableBufferPointer<Float>) -> Void

    public init(_ adjust: @escaping @Sendable (_ parameters: UnsafeBufferPointer<Float>,
                                               _ gradient: UnsafeMutableBufferPointer<Float>) -> Void) {
        self.adjust = adjust
    }

    /// g ← g ⊙ mask: coordinates where `mask` is false never move (Neurotoxin).
    public static func mask(_ keep: [Bool]) -> GradientAdjustment {
        GradientAdjustment { _, g in
            precondition(g.count == keep.count, "GradientAdjustment.mask: \(keep.count) flags for \(g.count) coordinates")
            for j in 0..<g.count where !keep[j] { g[j] = 0 }
        }
    }

    /// g ← α·g + 2(1 − α)·(θ − center): the gradient of α·L(θ) + (1 − α)·‖θ − center‖²
    /// (constrain-and-scale's anomaly-evading loss with the L2 distance, Bagdasaryan et al. 2020).
    public static func proximal(center: [Float], alpha: Float) -> GradientAdjustment {
        GradientAdjustment { p, g in
            precondition(g.count == center.count && p.count == center.count,
                         "GradientAdjustment.proximal: center of \(center.count) for \(g.count) coordinates")
            let pull = 2 * (1 - alpha)
            for j in 0..<g.count { g[j] = alpha * g[j] + pull * (p[j] - center[j]) }
        }
    }
}
