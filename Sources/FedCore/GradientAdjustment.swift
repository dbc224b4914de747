/// A change to every minibatch gradient of a local training run, applied after the model's
/// backward pass and before the optimizer step (so weight decay and momentum act on the
/// adjusted gradient, as when an attacker edits `p.grad` in PyTorch): how a malicious client
/// steers its own training (Neurotoxin's coordinate mask, constrain-and-scale's pull toward
/// the global model). Called with the current parameters and the gradient to edit in place.
///
/// `project`, when set, runs after every step on the new parameters (projected gradient
/// descent: the edge-case attacker keeps its model inside a ball around the global one).
public struct GradientAdjustment: Sendable {
    public let adjust: @Sendable (_ parameters: UnsafeBufferPointer<Float>, _ gradient: UnsafeMutableBufferPointer<Float>) -> Void
    public let project: (@Sendable (_ parameters: UnsafeMutableBufferPointer<Float>) -> Void)?

    public init(_ adjust: @escaping @Sendable (_ parameters: UnsafeBufferPointer<Float>,
                                               _ gradient: UnsafeMutableBufferPointer<Float>) -> Void,
                project: (@Sendable (_ parameters: UnsafeMutableBufferPointer<Float>) -> Void)? = nil) {
        self.adjust = adjust
        self.project = project
    }

    /// Gradients untouched; after every step θ is projected onto the L2 ball of `radius`
    /// around `center`: θ ← center + (θ − center)·min(1, radius/‖θ − center‖) (Wang et al.,
    /// NeurIPS 2020, the edge-case attacker's PGD).
    public static func ball(center: [Float], radius: Double) -> GradientAdjustment {
        GradientAdjustment({ _, _ in }, project: { p in
            precondition(p.count == center.count, "GradientAdjustment.ball: center of \(center.count) for \(p.count) coordinates")
            var s = 0.0
            for j in 0..<p.count { let e = Double(p[j] - center[j]); s += e * e }
            let norm = s.squareRoot()
            guard norm > radius else { return }
            let k = Float(radius / norm)
            for j in 0..<p.count { p[j] = center[j] + (p[j] - center[j]) * k }
        })
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
