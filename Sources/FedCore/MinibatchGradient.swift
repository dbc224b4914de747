/// The gradient of one minibatch (FedSGD's client step, McMahan et al., AISTATS 2017):
///
///     g = (1/|b|) Σ_{s in b} ∇ℓ(x; s) + wd * x
///
/// the mean softmax cross-entropy gradient of the samples `indices` of `data` at `parameters`,
/// plus the coupled L2 term `wd * x` exactly as `SGD.step` adds it (`g[i] + wd * x[i]`, skipped
/// when `wd == 0`), so that `x - lr * g` is bit for bit one step of `SGD` on that batch.
/// `loss` is the batch's mean cross-entropy at `parameters` (without the L2 term).
/// The model runs in training mode: dropout layers draw their masks from `dropoutRNG`
/// (models without dropout never touch it, so the result does not depend on it).
public func minibatchGradient(model: any Model, parameters: [Float], data: Dataset, indices: [Int],
                              weightDecay: Float = 0, dropoutRNG: SeededRNG? = nil) -> (loss: Float, gradient: [Float]) {
    precondition(parameters.count == model.parameterCount,
                 "minibatchGradient: model has \(model.parameterCount) parameters; got \(parameters.count)")
    precondition(data.dimension == model.inputDimension,
                 "minibatchGradient: data dimension \(data.dimension) but model input dimension \(model.inputDimension)")
    precondition(!indices.isEmpty && indices.allSatisfy { $0 >= 0 && $0 < data.count },
                 "minibatchGradient: needs a non-empty batch of indices in 0..<\(data.count)")
    let d = data.dimension
    var inputs = [Float](repeating: 0, count: indices.count * d)
    data.features.withUnsafeBufferPointer { f in
        for (r, s) in indices.enumerated() {
            for j in 0..<d { inputs[r * d + j] = f[s * d + j] }
        }
    }
    let labels = indices.map { data.labels[$0] }
    var gradient = [Float](repeating: 0, count: model.parameterCount)
    var rng = dropoutRNG
    let workspace = ModelWorkspace()
    let loss = parameters.withUnsafeBufferPointer { p in
        inputs.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                gradient.withUnsafeMutableBufferPointer { g in
                    model.lossAndGradients(parameters: p, inputs: x, labels: y, batchSize: indices.count, gradient: g,
                                           inputGradient: nil, workspace: workspace, dropoutRNG: &rng)
                }
            }
        }
    }
    if weightDecay != 0 {
        for i in 0..<gradient.count { gradient[i] = gradient[i] + weightDecay * parameters[i] }
    }
    return (loss, gradient)
}
