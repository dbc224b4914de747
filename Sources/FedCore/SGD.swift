// MARK: - Configuration

/// Hyperparameters of stochastic gradient descent with momentum and L2 weight decay.
public struct SGDConfig: Sendable, Equatable {
    /// Step size `lr` (> 0).
    public var learningRate: Float
    /// Heavy-ball momentum `mu` in [0, 1); 0 disables the momentum buffer.
    public var momentum: Float
    /// L2 penalty coefficient `wd` (>= 0), added to the gradient as `wd * p`.
    public var weightDecay: Float

    /// Stores the values as given; call `validate()` on values read from a scenario.
    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    /// Throws if a hyperparameter is out of range (lr > 0, 0 <= mu < 1, wd >= 0, all finite).
    public func validate() throws(TrainingConfigError) {
        guard learningRate > 0, learningRate.isFinite else { throw .learningRate(learningRate) }
        guard momentum >= 0, momentum < 1 else { throw .momentum(momentum) }
        guard weightDecay >= 0, weightDecay.isFinite else { throw .weightDecay(weightDecay) }
    }
}

// MARK: - Optimizer

/// SGD with momentum and weight decay, with PyTorch's `torch.optim.SGD` semantics
/// (dampening 0, no Nesterov). Per coordinate, at every step:
///
///     g = g + wd * p          (weight decay, coupled L2)
///     v = mu * v + g          (momentum buffer, starts at zero; skipped when mu == 0)
///     p = p - lr * v          (p = p - lr * g when mu == 0)
///
/// Starting `v` at zero gives `v_1 = g_1`, exactly PyTorch's first step. The buffer is
/// sized on the first step; a fresh `SGD` therefore has fresh momentum (the FedAvg
/// convention: each local training call starts from zero momentum).
public struct SGD: Sendable {
    public let config: SGDConfig
    /// The momentum buffer `v` (empty until the first step, or when momentum is 0).
    public private(set) var velocity: [Float] = []
    /// Number of steps taken.
    public private(set) var steps: Int = 0

    public init(config: SGDConfig) {
        self.config = config
    }

    /// One step on an array of parameters.
    public mutating func step(parameters: inout [Float], gradient: [Float]) {
        precondition(parameters.count == gradient.count,
                     "SGD.step: \(parameters.count) parameters but \(gradient.count) gradient values")
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in step(parameters: p, gradient: g) }
        }
    }

    /// One step on raw buffers (the training loop's path: no allocation after the first step).
    public mutating func step(parameters p: UnsafeMutableBufferPointer<Float>, gradient g: UnsafeBufferPointer<Float>) {
        precondition(p.count == g.count, "SGD.step: \(p.count) parameters but \(g.count) gradient values")
        let lr = config.learningRate, mu = config.momentum, wd = config.weightDecay
        let n = p.count
        steps += 1
        if mu == 0 {
            if wd == 0 {
                for i in 0..<n { p[i] -= lr * g[i] }
            } else {
                for i in 0..<n { p[i] -= lr * (g[i] + wd * p[i]) }
            }
            return
        }
        if velocity.count != n {
            precondition(velocity.isEmpty, "SGD.step: parameter count changed from \(velocity.count) to \(n)")
            velocity = [Float](repeating: 0, count: n)
        }
        velocity.withUnsafeMutableBufferPointer { v in
            if wd == 0, let vs = v.baseAddress, let ps = p.baseAddress, let gs = g.baseAddress {
                // The same two roundings per value (mu v, then + g; lr v, then p -) in any vector
                // width; raw pointers so that the loop vectorises.
                for i in 0..<n {
                    let vi = mu * vs[i] + gs[i]
                    vs[i] = vi
                    ps[i] -= lr * vi
                }
            } else if wd == 0 {
                for i in 0..<n {
                    v[i] = mu * v[i] + g[i]
                    p[i] -= lr * v[i]
                }
            } else {
                for i in 0..<n {
                    v[i] = mu * v[i] + (g[i] + wd * p[i])
                    p[i] -= lr * v[i]
                }
            }
        }
    }
}
