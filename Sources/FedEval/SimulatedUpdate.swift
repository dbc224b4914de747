import FedCore

/// The update a client sends after `steps` steps of SGD from the global parameters θ0 on one
/// batch (x, y), as a function of the inputs x, and the input gradient of any linear
/// functional of it: what an optimisation attack needs to match a dummy's update to the
/// observed one.
///
/// Every step runs on the whole batch, with the clients' SGD (learning rate η, heavy-ball
/// momentum μ from zero, coupled weight decay λ), in evaluation mode (dropout off):
///
///     v_{k+1} = μ v_k + ∇θ L(θ_k, x) + λ θ_k,   θ_{k+1} = θ_k − η v_{k+1},   Δ = θ_K − θ_0.
///
/// Matching works on the update in gradient units, `U(x) = −Δ/η − λ θ0`: with one step this
/// is exactly the batch's mean-loss gradient ∇θ L(θ0, x) (FedSGD); with several it is the sum
/// of the steps' gradients along the path (Geiping et al., NeurIPS 2020, section 6, who match
/// the FedAvg update the same way by unrolling the local steps).
///
/// The input gradient `d/dx <w, U(x)>` needs second derivatives, which the engine does not
/// have. It uses the exact identity
///
///     d/dx <w, ∇θ L(θ, x)> = ∇x (d/dh L(θ + h w, x))|_{h=0}
///                          ≈ (∇x L(θ + h w, x) − ∇x L(θ − h w, x)) / (2h),
///
/// a central difference of input gradients (error O(h²)), and for several steps the reverse
/// (adjoint) pass through the unrolled steps, whose Hessian-vector products
/// `∇²θ L · w ≈ (∇θ L(θ + h w) − ∇θ L(θ − h w)) / (2h)` come out of the same two backward
/// passes. Starting from `a_θ = −w/η`, `a_v = 0`, for k = K−1 down to 0:
///
///     s = a_v − η a_θ;   ∂x += d/dx <s, ∇θ L(θ_k, x)>;   a_θ += ∇²θ L(θ_k) s + λ s;   a_v = μ s.
///
/// Where a kink of ReLU or max-pooling lies between θ − h·s and θ + h·s, the one-sided
/// difference on the other side replaces the central one (`addDifferences`).
///
/// Cost: K backward passes for U (which also keep ∇xL and ∇θL at every θ_k), 2K for the
/// input gradient (3 for FedSGD). The step is
/// `h = 1e-3 · max(||θ_k||, 1) / ||s||`, a parameter move of a thousandth of the parameters'
/// norm: large against Float32 rounding of the gradients, small against the curvature.
public final class SimulatedUpdate {
    public let model: any Model
    public let start: [Float]
    public let steps: Int
    public let sgd: SGDConfig
    public let labels: [Int32]
    public var batchSize: Int { labels.count }

    private let workspace = ModelWorkspace()
    /// θ_k for k = 0..<steps, from the last `update` call, with ∇θL and ∇xL there.
    private var path: [[Float]]
    private var pathGradient: [[Float]]
    private var pathInputGradient: [[Float]]
    private var plus: [Float]
    // Parameter-sized vectors of the forward and reverse passes, reused across calls.
    private var velocity: [Float]
    private var adjointTheta: [Float]
    private var adjointVelocity: [Float]
    private var direction: [Float]
    private var minus: [Float]
    // Scratch for the backward passes, allocated once.
    private let gradient: UnsafeMutableBufferPointer<Float>
    private let gradientMinus: UnsafeMutableBufferPointer<Float>
    private let inputPlus: UnsafeMutableBufferPointer<Float>
    private let inputMinus: UnsafeMutableBufferPointer<Float>

    /// Relative size of the central-difference step (see the type's doc).
    public static let relativeStep: Double = 1e-3

    public init(model: any Model, start: [Float], steps: Int, sgd: SGDConfig, labels: [Int32]) {
        precondition(start.count == model.parameterCount, "SimulatedUpdate: \(start.count) parameters for a model of \(model.parameterCount)")
        precondition(steps >= 1 && !labels.isEmpty, "SimulatedUpdate: needs steps >= 1 and a non-empty batch; got \(steps), \(labels.count)")
        self.model = model
        self.start = start
        self.steps = steps
        self.sgd = sgd
        self.labels = labels
        let p = model.parameterCount
        path = Array(repeating: start, count: steps)
        pathGradient = path
        pathInputGradient = Array(repeating: [Float](repeating: 0, count: labels.count * model.inputDimension), count: steps)
        plus = start
        minus = start
        velocity = start
        adjointTheta = start
        adjointVelocity = start
        direction = start
        let d = labels.count * model.inputDimension
        gradient = .allocate(capacity: p)
        gradientMinus = .allocate(capacity: p)
        inputPlus = .allocate(capacity: d)
        inputMinus = .allocate(capacity: d)
        for b in [gradient, gradientMinus, inputPlus, inputMinus] { b.initialize(repeating: 0) }
    }

    deinit {
        for b in [gradient, gradientMinus, inputPlus, inputMinus] { b.deallocate() }
    }

    /// `Δ = θ_K − θ_0` for the batch `inputs` (`batchSize x inputDimension`); keeps the path
    /// for `inputGradient`.
    public func delta(_ inputs: [Float]) -> [Float] {
        precondition(inputs.count == batchSize * model.inputDimension, "SimulatedUpdate: \(inputs.count) input values for \(batchSize) samples")
        let (lr, mu, wd) = (sgd.learningRate, sgd.momentum, sgd.weightDecay)
        var theta = start
        var velocity = [Float]()
        swap(&velocity, &self.velocity)
        defer { swap(&velocity, &self.velocity) }
        for j in velocity.indices { velocity[j] = 0 }
        for k in 0..<steps {
            path[k] = theta
            pathInputGradient[k].withUnsafeMutableBufferPointer { gx in
                _ = pass(theta, inputs, gradient: gradient, inputGradient: gx)
            }
            _ = pathGradient[k].withUnsafeMutableBufferPointer { $0.update(fromContentsOf: gradient) }
            for j in theta.indices {
                velocity[j] = mu * velocity[j] + gradient[j] + wd * theta[j]
                theta[j] -= lr * velocity[j]
            }
        }
        for j in theta.indices { theta[j] -= start[j] }
        return theta
    }

    /// `U = −Δ/η − λ θ0`, the update in gradient units.
    public func gradientUnits(delta: [Float]) -> [Float] {
        let lr = sgd.learningRate, wd = sgd.weightDecay
        return (0..<delta.count).map { -delta[$0] / lr - wd * start[$0] }
    }

    /// `U(x)` (and the path for `inputGradient`).
    public func update(_ inputs: [Float]) -> [Float] { gradientUnits(delta: delta(inputs)) }

    /// `d/dx <w, U(x)>` at the inputs of the last `delta`/`update` call.
    public func inputGradient(_ inputs: [Float], direction w: [Float]) -> [Float] {
        precondition(w.count == start.count, "SimulatedUpdate.inputGradient: direction of \(w.count) for \(start.count) parameters")
        let (lr, mu, wd) = (sgd.learningRate, sgd.momentum, sgd.weightDecay)
        var result = [Float](repeating: 0, count: inputs.count)
        // Swapped out of the object for the loop (no copies: each is uniquely referenced).
        var aTheta = [Float](), aV = [Float](), s = [Float]()
        swap(&aTheta, &adjointTheta); swap(&aV, &adjointVelocity); swap(&s, &direction)
        defer { swap(&aTheta, &adjointTheta); swap(&aV, &adjointVelocity); swap(&s, &direction) }
        for j in aTheta.indices { aTheta[j] = -w[j] / lr; aV[j] = 0 }
        for k in stride(from: steps - 1, through: 0, by: -1) {
            for j in s.indices { s[j] = aV[j] - lr * aTheta[j] }
            let sNorm = norm(s)
            guard sNorm > 0 else { break }
            let h = SimulatedUpdate.relativeStep * max(norm(path[k]), 1) / sNorm
            let theta = path[k]
            let hf = Float(h)
            for j in s.indices {
                plus[j] = theta[j] + hf * s[j]
                minus[j] = theta[j] - hf * s[j]
            }
            let needHessian = k > 0
            pass(plus, inputs, gradient: needHessian ? gradient : nil, inputGradient: inputPlus)
            pass(minus, inputs, gradient: needHessian ? gradientMinus : nil, inputGradient: inputMinus)
            let inv = Float(1 / h)
            SimulatedUpdate.addDifferences(plus: inputPlus, base: pathInputGradient[k], minus: inputMinus,
                                           inverseStep: inv, into: &result)
            if needHessian {
                SimulatedUpdate.addDifferences(plus: gradient, base: pathGradient[k], minus: gradientMinus,
                                               inverseStep: inv, into: &aTheta)
                for j in s.indices {
                    aTheta[j] += wd * s[j]
                    aV[j] = mu * s[j]
                }
            }
        }
        return result
    }

    /// The derivatives at h = 0 from values at +h, 0 and −h (`inverseStep` = 1/h), added to
    /// `result`: per coordinate the central difference `(plus − minus) / 2h`, or, at a kink,
    /// the smaller of the two one-sided differences.
    ///
    /// ReLU and max-pooling make ∇L piecewise: when θ ± h·s crosses a kink (a unit switching
    /// on or off, another input winning a pool) the gradient jumps, and the jump divided by h
    /// swamps the difference. On a smooth stretch the second difference `plus − 2 base + minus`
    /// is O(h²) (about 1e-6 of the gradient at fedsim's step) while a jump is of the order of
    /// one unit's share of the gradient, so a second difference above 1e-3 of the root mean
    /// square of `base` marks a kink. A kink lies on one side only (both sides needs two
    /// within h), so the side without it gives the derivative with the masks held fixed, which
    /// is what autograd's double backward computes; it is the one of smaller magnitude.
    static func addDifferences(plus: UnsafeMutableBufferPointer<Float>, base: [Float], minus: UnsafeMutableBufferPointer<Float>,
                               inverseStep: Float, into result: inout [Float]) {
        let n = base.count
        var squares = 0.0
        for i in 0..<n { squares += Double(base[i]) * Double(base[i]) }
        let threshold = Float(1e-3 * (squares / Double(max(n, 1))).squareRoot())
        for i in 0..<n {
            if abs(plus[i] - 2 * base[i] + minus[i]) <= threshold {
                result[i] += (plus[i] - minus[i]) * inverseStep / 2
            } else {
                let forward = (plus[i] - base[i]) * inverseStep
                let backward = (base[i] - minus[i]) * inverseStep
                result[i] += abs(forward) < abs(backward) ? forward : backward
            }
        }
    }

    private func norm(_ v: [Float]) -> Double {
        v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }

    /// One backward pass in evaluation mode; the mean loss.
    @discardableResult
    func pass(_ theta: [Float], _ inputs: [Float], gradient: UnsafeMutableBufferPointer<Float>?,
              inputGradient: UnsafeMutableBufferPointer<Float>?) -> Float {
        var noDropout: SeededRNG? = nil
        return theta.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    model.lossAndGradients(parameters: p, inputs: x, labels: y, batchSize: labels.count,
                                           gradient: gradient, inputGradient: inputGradient, workspace: workspace,
                                           dropoutRNG: &noDropout)
                }
            }
        }
    }
}
