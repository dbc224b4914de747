import FedCore

/// Projected gradient descent on the negative loss, the L∞ attack of Madry, Makelov, Schmidt,
/// Tsipras & Vladu ("Towards Deep Learning Models Resistant to Adversarial Attacks", ICLR 2018):
/// from a random start in the ε-ball, `steps` signed-gradient steps of size α, each projected
/// back onto the ball around the clean input and the valid range:
///
///     x⁰     = Π(x + U(−ε w, ε w))                 (random start; x⁰ = x without it)
///     xᵗ⁺¹   = Π(xᵗ + α · w ⊙ sign(∇_x CE(f(xᵗ), y)))
///     Π(z)_j = min(max(z_j, max(x_j − ε w_j, lower_j)), min(x_j + ε w_j, upper_j))
///
/// ε and α are fractions of each feature's width `w_j` (`InputDomain`). The result is the last
/// iterate, as in the paper (no restarts, no keeping of the best iterate). With one step,
/// α = ε and no random start this is FGSM exactly. `auto` step size: α = 2.5 ε / steps, the
/// rule Madry et al. give (every point of the ball is reachable from the start).
public struct PGD: Sendable, Equatable {
    public let epsilon: Float
    public let stepSize: Float
    public let steps: Int
    public let randomStart: Bool

    public init(epsilon: Float, stepSize: Float? = nil, steps: Int, randomStart: Bool = true) {
        precondition(epsilon > 0 && epsilon.isFinite, "PGD: epsilon must be positive; got \(epsilon)")
        precondition(steps >= 1, "PGD: needs at least one step; got \(steps)")
        let alpha = stepSize ?? PGD.autoStepSize(epsilon: epsilon, steps: steps)
        precondition(alpha > 0 && alpha.isFinite, "PGD: step size must be positive; got \(alpha)")
        self.epsilon = epsilon
        self.stepSize = alpha
        self.steps = steps
        self.randomStart = randomStart
    }

    /// Madry et al.'s rule of thumb, α = 2.5 ε / steps.
    public static func autoStepSize(epsilon: Float, steps: Int) -> Float { 2.5 * epsilon / Float(steps) }

    /// Replaces the `batchSize` rows of `inputs` with their PGD examples against `parameters`
    /// (the random start drawn from `rng`, row by row, feature by feature).
    public func perturb(model: any Model, parameters: UnsafeBufferPointer<Float>, inputs: UnsafeMutableBufferPointer<Float>,
                        labels: UnsafeBufferPointer<Int32>, batchSize: Int, domain: InputDomain,
                        rng: inout SeededRNG, workspace: AttackWorkspace) {
        let d = model.inputDimension
        precondition(domain.dimension == d, "PGD: a domain of \(domain.dimension) features for a model of \(d)")
        guard batchSize > 0 else { return }
        let n = batchSize * d
        let x = UnsafeMutableBufferPointer(rebasing: inputs[0..<n])
        let lo = workspace.lower.floats(n)
        let hi = workspace.upper.floats(n)
        // The feasible box of each feature: the ε-ball around the clean input within the domain.
        for r in 0..<batchSize {
            for j in 0..<d {
                let i = r * d + j
                let radius = epsilon * domain.width(j)
                lo[i] = max(x[i] - radius, domain.lower[j])
                hi[i] = min(x[i] + radius, domain.upper[j])
                if randomStart {
                    let u = Float(2 * rng.nextDouble() - 1)
                    x[i] = min(max(x[i] + u * radius, lo[i]), hi[i])
                }
            }
        }
        let g = workspace.gradient.floats(n)
        for _ in 0..<steps {
            WhiteBox.crossEntropyGradient(model: model, parameters: parameters, inputs: UnsafeBufferPointer(x),
                                          labels: labels, batchSize: batchSize, gradient: g, workspace: workspace.model)
            for r in 0..<batchSize {
                for j in 0..<d {
                    let i = r * d + j
                    let moved = x[i] + stepSize * domain.width(j) * WhiteBox.sign(g[i])
                    x[i] = min(max(moved, lo[i]), hi[i])
                }
            }
        }
    }
}
