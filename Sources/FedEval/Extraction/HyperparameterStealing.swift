import FedCore

/// Hyperparameter stealing of the L2 regularisation strength (Wang & Gong, "Stealing
/// Hyperparameters in Machine Learning", IEEE S&P 2018, sec. 3): at a minimiser of
///
///     L(θ) = mean_i CE(f(x_i; θ), y_i) + (λ / 2) ||θ||²
///
/// the gradient vanishes, `∇ℓ(θ) + λ θ = 0` with `ℓ` the mean data loss, so with the learned
/// `θ` and the training data the attacker solves this overdetermined system in `λ` by least
/// squares (their eq. 4 with `b = θ`, one unknown):
///
///     λ̂ = − (θ · ∇ℓ(θ)) / (θ · θ)
///
/// fedsim's weight decay `wd` is exactly this λ: SGD adds `wd · θ` to the gradient of the mean
/// cross-entropy, for every parameter (biases included), so `θ` here is the whole vector.
/// Wang & Gong write the penalty as `λ ||w||²` (gradient `2λ w`); halve their λ to compare.
///
/// In a federation `θ` is the global model after FedAvg of clients that each ran a few SGD
/// steps with weight decay on their own data: it is not an exact minimiser of the pooled
/// objective (clients' drift, a finite number of rounds), so λ̂ is the strength that makes
/// the global model stationary for the pooled data (`train`, all clients' samples, weighted
/// by sample, as FedAvg weights clients); its error to `wd` measures that distance.
public enum HyperparameterStealing {
    /// `∇ℓ(θ)`: the gradient of the mean cross-entropy over `data` at `parameters`, summed over
    /// batches of `batchSize` (each batch's mean gradient weighted by its size).
    public static func dataGradient(model: any Model, parameters: [Float], data: Dataset, batchSize: Int = 256) -> [Float] {
        let n = data.count, d = data.dimension
        var total = [Double](repeating: 0, count: model.parameterCount)
        var g = [Float](repeating: 0, count: model.parameterCount)
        let workspace = ModelWorkspace()
        guard n > 0 else { return g }
        parameters.withUnsafeBufferPointer { p in
            data.features.withUnsafeBufferPointer { x in
                data.labels.withUnsafeBufferPointer { y in
                    var first = 0
                    while first < n {
                        let size = min(batchSize, n - first)
                        var noDropout: SeededRNG? = nil
                        g.withUnsafeMutableBufferPointer { gp in
                            _ = model.lossAndGradients(parameters: p, inputs: UnsafeBufferPointer(rebasing: x[(first * d)..<((first + size) * d)]),
                                                       labels: UnsafeBufferPointer(rebasing: y[first..<(first + size)]),
                                                       batchSize: size, gradient: gp, inputGradient: nil,
                                                       workspace: workspace, dropoutRNG: &noDropout)
                        }
                        let w = Double(size) / Double(n)
                        for k in total.indices { total[k] += w * Double(g[k]) }
                        first += size
                    }
                }
            }
        }
        return total.map { Float($0) }
    }

    /// `λ̂ = −(θ · g) / (θ · θ)` for parameters `θ` and data gradient `g`; nil when `θ = 0`.
    public static func estimate(parameters theta: [Float], dataGradient g: [Float]) -> Double? {
        precondition(theta.count == g.count, "HyperparameterStealing: \(theta.count) parameters, \(g.count) gradient values")
        var tg = 0.0, tt = 0.0
        for (t, v) in zip(theta, g) {
            tg += Double(t) * Double(v)
            tt += Double(t) * Double(t)
        }
        return tt > 0 ? -tg / tt : nil
    }
}
