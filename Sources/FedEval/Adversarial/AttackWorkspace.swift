import FedCore

/// Scratch memory of the gradient attacks (FGSM, PGD, Carlini–Wagner), reused from one batch
/// to the next: the model's own workspace, and buffers for the input gradient, the feasible
/// box of each feature and the attack's state. Grows to the largest batch seen, then is reused,
/// so an attack loop allocates once. One caller at a time (like `ModelWorkspace`, not `Sendable`).
public final class AttackWorkspace {
    /// Passed to every forward and backward pass of the model.
    public let model = ModelWorkspace()
    let gradient = ModelWorkspace()
    let lower = ModelWorkspace()
    let upper = ModelWorkspace()
    let state = ModelWorkspace()

    public init() {}
}

/// The gradient passes the attacks make through a model, in evaluation mode (dropout off).
enum WhiteBox {
    /// `d mean CE / d inputs` of the batch into `gradient` (`batchSize x inputDimension`);
    /// returns the mean cross-entropy.
    @discardableResult
    static func crossEntropyGradient(model: any Model, parameters: UnsafeBufferPointer<Float>,
                                     inputs: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>,
                                     batchSize: Int, gradient: UnsafeMutableBufferPointer<Float>,
                                     workspace: ModelWorkspace) -> Float {
        var noDropout: SeededRNG? = nil
        return model.lossAndGradients(parameters: parameters, inputs: inputs, labels: labels, batchSize: batchSize,
                                      gradient: nil, inputGradient: gradient, workspace: workspace,
                                      dropoutRNG: &noDropout)
    }

    /// The predicted class of each of `batchSize` rows of `inputs` (argmax of the logits, ties
    /// to the lowest class) into `into`.
    static func predict(model: any Model, parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                        batchSize: Int, into predictions: UnsafeMutableBufferPointer<Int32>, workspace: AttackWorkspace) {
        let c = model.classes
        let logits = workspace.state.floats(batchSize * c)
        model.logits(parameters: parameters, inputs: inputs, batchSize: batchSize, into: logits, workspace: workspace.model)
        for r in 0..<batchSize {
            var best = 0
            for j in 1..<c where logits[r * c + j] > logits[r * c + best] { best = j }
            predictions[r] = Int32(best)
        }
    }

    /// `sign(g)` with `sign(0) = 0` (and 0 for NaN).
    @inline(__always)
    static func sign(_ g: Float) -> Float { g > 0 ? 1 : (g < 0 ? -1 : 0) }
}
