import FedCore

/// How the attacker trains a surrogate: `steps` steps of minibatch SGD with momentum on the
/// soft-target cross-entropy of the queries' returned rows (epochs of a seeded shuffle, cut
/// into full batches: the rows an epoch leaves over wait for the next shuffle).
/// A fixed number of steps, whatever the query budget, so that the budgets differ only in the
/// information they buy.
public struct SurrogateTraining: Sendable, Equatable {
    public var steps: Int
    public var batchSize: Int
    public var sgd: SGDConfig

    public init(steps: Int, batchSize: Int, sgd: SGDConfig) {
        precondition(steps >= 0 && batchSize >= 1, "SurrogateTraining: needs steps >= 0 and batchSize >= 1")
        self.steps = steps
        self.batchSize = batchSize
        self.sgd = sgd
    }

    /// Trains `model` from `start` on the first `count` rows of `inputs` with soft `targets`
    /// (`count x classes`). Same arguments and rng state, same bits.
    public func train(_ model: Sequential, from start: [Float], inputs: [Float], targets: [Float], count: Int,
                      rng: inout SeededRNG) -> [Float] {
        let d = model.inputDimension, c = model.classes
        precondition(inputs.count >= count * d && targets.count >= count * c,
                     "SurrogateTraining: \(inputs.count) input and \(targets.count) target values for \(count) queries")
        var parameters = start
        guard count > 0, steps > 0 else { return parameters }
        let b = min(batchSize, count)
        var order = Array(0..<count)
        var x = [Float](repeating: 0, count: b * d)
        var q = [Float](repeating: 0, count: b * c)
        var gradient = [Float](repeating: 0, count: model.parameterCount)
        var sgd = SGD(config: self.sgd)
        let workspace = ModelWorkspace()
        var dropout: SeededRNG? = rng.derive("dropout")
        var position = count
        inputs.withUnsafeBufferPointer { allX in
            targets.withUnsafeBufferPointer { allQ in
                for _ in 0..<steps {
                    if position + b > count {
                        rng.shuffle(&order)
                        position = 0
                    }
                    // Gather the batch.
                    x.withUnsafeMutableBufferPointer { xb in
                        q.withUnsafeMutableBufferPointer { qb in
                            for r in 0..<b {
                                let i = order[position + r]
                                for j in 0..<d { xb[r * d + j] = allX[i * d + j] }
                                for j in 0..<c { qb[r * c + j] = allQ[i * c + j] }
                            }
                        }
                    }
                    position += b
                    parameters.withUnsafeBufferPointer { p in
                        x.withUnsafeBufferPointer { xb in
                            q.withUnsafeBufferPointer { qb in
                                gradient.withUnsafeMutableBufferPointer { g in
                                    _ = model.lossAndGradients(parameters: p, inputs: xb, targets: qb, batchSize: b,
                                                               gradient: g, inputGradient: nil, workspace: workspace,
                                                               dropoutRNG: &dropout)
                                }
                            }
                        }
                    }
                    parameters.withUnsafeMutableBufferPointer { p in
                        gradient.withUnsafeBufferPointer { g in sgd.step(parameters: p, gradient: g) }
                    }
                }
            }
        }
        return parameters
    }
}
