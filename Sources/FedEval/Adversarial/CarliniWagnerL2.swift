#if canImport(Glibc)
import Glibc
#endif
import FedCore

/// The L2 attack of Carlini & Wagner ("Towards Evaluating the Robustness of Neural Networks",
/// IEEE S&P 2017), untargeted: the smallest L2 change that makes the model prefer another
/// class by a margin κ.
///
/// In display units `u = (x − lower) / w` (each feature's range mapped to [0, 1]), the
/// adversarial input is written in tanh space, `u' = (tanh(t) + 1) / 2`, so every t is a valid
/// input (the paper's change of variables, section V.A), and Adam minimises
///
///     ‖u' − u‖² + c · f(x'),     f(x') = max(Z(x')_y − max_{j≠y} Z(x')_j, −κ)
///
/// (Z the logits, y the true class: the paper's f₆ for the untargeted case). The constant c is
/// found per sample by binary search: after each run of `steps` Adam steps from t₀ = atanh(2u − 1)
/// (scaled by 0.999999 so that the ends stay finite, as in the authors' code), c is halved
/// towards the last failure if the run found an adversarial input, else multiplied by 10 until
/// one succeeds and then bisected. An iterate counts as adversarial when
/// `max_{j≠y} Z_j > Z_y + κ`; the result is the adversarial iterate of smallest L2 over all runs.
///
/// Departures from the authors' code, for the coordinator's budget: fewer steps and search
/// steps by default (100 and 5 instead of 10,000 and 9), so a larger Adam learning rate (0.1
/// instead of 0.01: a pixel at the end of its range starts at |t| ≈ 7.3 and needs several
/// units of travel in t, which 100 steps of 0.01 cannot give) and a larger first c (0.1
/// instead of 1e-3, since 5 search steps from 1e-3 would spend most of their budget growing
/// c); no early abort of a run whose loss stalls.
public struct CarliniWagnerL2: Sendable, Equatable {
    /// Adam steps per value of c.
    public let steps: Int
    /// Values of c tried per sample (binary search steps).
    public let searchSteps: Int
    /// κ, the margin an adversarial input must win by (>= 0).
    public let confidence: Float
    /// Adam's learning rate on t.
    public let learningRate: Float
    /// The first c of every sample.
    public let initialConstant: Float

    public init(steps: Int = 100, searchSteps: Int = 5, confidence: Float = 0, learningRate: Float = 0.1,
                initialConstant: Float = 0.1) {
        precondition(steps >= 1 && searchSteps >= 1, "CarliniWagnerL2: needs steps >= 1 and searchSteps >= 1")
        precondition(confidence >= 0 && learningRate > 0 && initialConstant > 0,
                     "CarliniWagnerL2: needs confidence >= 0, learningRate > 0, initialConstant > 0")
        self.steps = steps
        self.searchSteps = searchSteps
        self.confidence = confidence
        self.learningRate = learningRate
        self.initialConstant = initialConstant
    }

    /// What the attack found for each sample.
    public struct Result: Sendable, Equatable {
        /// The best adversarial input of each sample (row-major), or the clean input where none was found.
        public var adversarial: [Float]
        /// Whether an adversarial input was found.
        public var success: [Bool]
        /// Its L2 distance to the clean input in display units (0 where none was found).
        public var l2: [Double]
    }

    /// Attacks each of the `labels.count` rows of `inputs` (batched; scratch from `workspace`).
    public func attack(model: any Model, parameters: [Float], inputs: [Float], labels: [Int32], domain: InputDomain,
                       workspace: AttackWorkspace) -> Result {
        let d = model.inputDimension, c = model.classes, b = labels.count
        precondition(inputs.count == b * d, "CarliniWagnerL2: \(inputs.count) values for \(b) inputs of \(d)")
        precondition(domain.dimension == d, "CarliniWagnerL2: a domain of \(domain.dimension) features for a model of \(d)")
        var result = Result(adversarial: inputs, success: [Bool](repeating: false, count: b),
                            l2: [Double](repeating: 0, count: b))
        guard b > 0 else { return result }
        let n = b * d
        // State: clean display values u, tanh variables t and tanh(t), Adam's m and v, the current x'.
        let memory = workspace.state.floats(6 * n)
        func slice(_ k: Int) -> UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(rebasing: memory[(k * n)..<((k + 1) * n)]) }
        let u = slice(0), t = slice(1), m = slice(2), v = slice(3), x = slice(4), th = slice(5)
        let lower = domain.lower
        let g = workspace.gradient.floats(n)
        let width = (0..<d).map { domain.width($0) }
        for r in 0..<b {
            for j in 0..<d {
                let i = r * d + j
                u[i] = width[j] > 0 ? min(max((inputs[i] - lower[j]) / width[j], 0), 1) : 0
            }
        }
        var constant = [Float](repeating: initialConstant, count: b)
        var lowerBound = [Float](repeating: 0, count: b)
        var upperBound = [Float](repeating: 1e10, count: b)
        var margin = [Float](repeating: 0, count: b)
        var distance = [Double](repeating: 0, count: b)
        var bestL2 = [Double](repeating: .infinity, count: b)
        let (beta1, beta2, adamEps): (Float, Float, Float) = (0.9, 0.999, 1e-8)

        parameters.withUnsafeBufferPointer { p in
            for _ in 0..<searchSteps {
                for i in 0..<n { t[i] = atanhf((2 * u[i] - 1) * 0.999999); m[i] = 0; v[i] = 0 }
                var succeeded = [Bool](repeating: false, count: b)
                for step in 1...steps {
                    // x' from t, and the distance term.
                    for r in 0..<b {
                        var s = 0.0
                        for j in 0..<d {
                            let i = r * d + j
                            th[i] = tanhf(t[i])
                            let ui = (th[i] + 1) / 2
                            x[i] = lower[j] + width[j] * ui
                            let diff = Double(ui - u[i])
                            s += width[j] > 0 ? diff * diff : 0
                        }
                        distance[r] = s
                    }
                    // c · f(x') through the model: the margin's logit gradient, scaled by each sample's c.
                    var noDropout: SeededRNG? = nil
                    _ = model.lossAndGradients(parameters: p, inputs: UnsafeBufferPointer(x), batchSize: b, gradient: nil,
                                               inputGradient: g, workspace: workspace.model, dropoutRNG: &noDropout) { z, dz in
                        var total: Float = 0
                        for r in 0..<b {
                            let row = r * c, y = Int(labels[r])
                            var other = y == 0 ? 1 : 0
                            for j in 0..<c where j != y && z[row + j] > z[row + other] { other = j }
                            margin[r] = z[row + y] - z[row + other]
                            let active = margin[r] > -confidence
                            total += constant[r] * max(margin[r], -confidence)
                            if let dz {
                                for j in 0..<c { dz[row + j] = 0 }
                                if active { dz[row + y] = constant[r]; dz[row + other] = -constant[r] }
                            }
                        }
                        return total
                    }
                    // Record adversarial iterates (before this step moves them).
                    for r in 0..<b where margin[r] < -confidence {
                        succeeded[r] = true
                        if distance[r] < bestL2[r] {
                            bestL2[r] = distance[r]
                            for j in 0..<d { result.adversarial[r * d + j] = x[r * d + j] }
                        }
                    }
                    // Adam on t: d/dt = (2 (u' − u) + w ⊙ ∇_x c f) ⊙ (1 − tanh²(t)) / 2.
                    let correction1 = 1 - powf(beta1, Float(step)), correction2 = 1 - powf(beta2, Float(step))
                    for r in 0..<b {
                        for j in 0..<d {
                            let i = r * d + j
                            let ui = (th[i] + 1) / 2
                            let grad = (2 * (ui - u[i]) + width[j] * g[i]) * (1 - th[i] * th[i]) / 2
                            m[i] = beta1 * m[i] + (1 - beta1) * grad
                            v[i] = beta2 * v[i] + (1 - beta2) * grad * grad
                            t[i] -= learningRate * (m[i] / correction1) / ((v[i] / correction2).squareRoot() + adamEps)
                        }
                    }
                }
                // Binary search on c, sample by sample.
                for r in 0..<b {
                    if succeeded[r] {
                        upperBound[r] = min(upperBound[r], constant[r])
                        if upperBound[r] < 1e9 { constant[r] = (lowerBound[r] + upperBound[r]) / 2 }
                    } else {
                        lowerBound[r] = max(lowerBound[r], constant[r])
                        constant[r] = upperBound[r] < 1e9 ? (lowerBound[r] + upperBound[r]) / 2 : constant[r] * 10
                    }
                }
            }
        }
        for r in 0..<b where bestL2[r].isFinite {
            result.success[r] = true
            result.l2[r] = bestL2[r].squareRoot()
        }
        return result
    }
}
