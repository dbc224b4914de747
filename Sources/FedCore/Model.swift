// MARK: - Parameter layout

/// A named, shaped slice of a model's flat parameter vector (a typed view by offset).
///
/// For a dense layer, `"dense0.weight"` has shape `[in, out]` (row-major, so entry `(i, o)`
/// is at `range.lowerBound + i * out + o`) and `"dense0.bias"` has shape `[out]`.
public struct ParameterBlock: Sendable, Equatable {
    public let name: String
    public let range: Range<Int>
    public let shape: [Int]

    public init(name: String, range: Range<Int>, shape: [Int]) {
        precondition(shape.reduce(1, *) == range.count,
                     "ParameterBlock \(name): shape \(shape) does not match \(range.count) values")
        self.name = name
        self.range = range
        self.shape = shape
    }
}

// MARK: - Model

/// A differentiable classifier whose parameters are ONE flat Float32 vector.
///
/// A model is an immutable description (layer sizes and offsets into the vector); it owns no
/// parameters and no scratch memory, so it is a `Sendable` value usable from any thread (a
/// caller that runs many batches passes its own `ModelWorkspace` for scratch). The
/// parameters, the inputs and the outputs are passed in as buffers; an update is then just a
/// vector, and the wire and the aggregators see it without reshaping.
public protocol Model: Sendable {
    /// Number of input features per sample.
    var inputDimension: Int { get }
    /// Number of output classes (logits per sample).
    var classes: Int { get }
    /// Length of the flat parameter vector.
    var parameterCount: Int { get }
    /// The named slices of the parameter vector, in storage order; they tile `0..<parameterCount`.
    var parameterBlocks: [ParameterBlock] { get }

    /// Deterministic initialisation from `rng` (each model documents its scheme: He/Kaiming
    /// uniform for ReLU layers, small or zero for the output layer).
    func initialParameters(rng: inout SeededRNG) -> [Float]

    /// Logits (`batchSize x classes`, row-major) for a batch of `batchSize x inputDimension` inputs.
    func logits(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                batchSize: Int, into: UnsafeMutableBufferPointer<Float>)

    /// Mean softmax cross-entropy over the batch, with optional gradients.
    ///
    /// - `gradient`: if non-nil, overwritten with `d loss / d parameters` (`parameterCount`).
    /// - `inputGradient`: if non-nil, overwritten with `d loss / d inputs`
    ///   (`batchSize x inputDimension`), for adversarial examples and gradient inversion.
    func lossAndGradients(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                          labels: UnsafeBufferPointer<Int32>, batchSize: Int,
                          gradient: UnsafeMutableBufferPointer<Float>?,
                          inputGradient: UnsafeMutableBufferPointer<Float>?) -> Float

    /// `logits` with scratch memory from `workspace` (reused across batches by one caller).
    /// Default: the plain `logits` (models that need no scratch ignore the workspace).
    func logits(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                batchSize: Int, into: UnsafeMutableBufferPointer<Float>, workspace: ModelWorkspace)

    /// `lossAndGradients` with scratch memory from `workspace`, in training mode when
    /// `dropoutRNG` is non-nil (dropout layers draw their masks from it and advance it;
    /// every other layer ignores it). Default: the plain `lossAndGradients`, the rng untouched.
    func lossAndGradients(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                          labels: UnsafeBufferPointer<Int32>, batchSize: Int,
                          gradient: UnsafeMutableBufferPointer<Float>?,
                          inputGradient: UnsafeMutableBufferPointer<Float>?,
                          workspace: ModelWorkspace, dropoutRNG: inout SeededRNG?) -> Float

    /// Any differentiable function of the logits in place of the cross-entropy, with its
    /// gradients: the entry point for attacks that differentiate something else through the
    /// model (the margin loss of Carlini & Wagner, 2017; the cross-entropy entry points are
    /// this one with `softmaxCrossEntropy` as the objective).
    ///
    /// The model runs forward (in training mode when `dropoutRNG` is non-nil), calls
    /// `logitLoss(logits, logitGradient)` once and returns its value. `logitGradient` is nil
    /// when neither gradient is wanted; otherwise `logitLoss` must write all of
    /// `d loss / d logits` (`batchSize x classes`) into it (a separate buffer from `logits`),
    /// and the model back-propagates it into `gradient` (`d loss / d parameters`) and
    /// `inputGradient` (`d loss / d inputs`), each overwritten when non-nil.
    func lossAndGradients(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, batchSize: Int,
                          gradient: UnsafeMutableBufferPointer<Float>?,
                          inputGradient: UnsafeMutableBufferPointer<Float>?,
                          workspace: ModelWorkspace, dropoutRNG: inout SeededRNG?,
                          logitLoss: LogitLoss) -> Float
}

/// A scalar function of a batch's logits (`batchSize x classes`, row-major) that writes its
/// gradient `d loss / d logits` into the second buffer when that is non-nil (see
/// `Model.lossAndGradients(parameters:inputs:batchSize:gradient:inputGradient:workspace:dropoutRNG:logitLoss:)`).
public typealias LogitLoss = (_ logits: UnsafeBufferPointer<Float>, _ logitGradient: UnsafeMutableBufferPointer<Float>?) -> Float

extension Model {
    public func logits(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                       batchSize: Int, into: UnsafeMutableBufferPointer<Float>, workspace: ModelWorkspace) {
        logits(parameters: parameters, inputs: inputs, batchSize: batchSize, into: into)
    }

    public func lossAndGradients(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                                 labels: UnsafeBufferPointer<Int32>, batchSize: Int,
                                 gradient: UnsafeMutableBufferPointer<Float>?,
                                 inputGradient: UnsafeMutableBufferPointer<Float>?,
                                 workspace: ModelWorkspace, dropoutRNG: inout SeededRNG?) -> Float {
        lossAndGradients(parameters: parameters, inputs: inputs, labels: labels, batchSize: batchSize,
                         gradient: gradient, inputGradient: inputGradient)
    }

    /// Default: softmax cross-entropy through the logit-loss entry point (one backward pass per
    /// model), with a fresh workspace and no dropout; models that keep scratch override it.
    public func lossAndGradients(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                                 labels: UnsafeBufferPointer<Int32>, batchSize: Int,
                                 gradient: UnsafeMutableBufferPointer<Float>?,
                                 inputGradient: UnsafeMutableBufferPointer<Float>?) -> Float {
        let classes = self.classes
        var noDropout: SeededRNG?
        return lossAndGradients(parameters: parameters, inputs: inputs, batchSize: batchSize, gradient: gradient,
                                inputGradient: inputGradient, workspace: ModelWorkspace(), dropoutRNG: &noDropout) { z, dz in
            softmaxCrossEntropy(logits: z, labels: labels, batchSize: batchSize, classes: classes, gradient: dz)
        }
    }
}

extension Model {
    /// Mean softmax cross-entropy over the batch; writes (overwrites) `d loss / d parameters`
    /// into `gradient` (`parameterCount` values).
    public func lossAndGradient(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                                labels: UnsafeBufferPointer<Int32>, batchSize: Int,
                                gradient: UnsafeMutableBufferPointer<Float>) -> Float {
        lossAndGradients(parameters: parameters, inputs: inputs, labels: labels, batchSize: batchSize,
                         gradient: gradient, inputGradient: nil)
    }

    /// Mean softmax cross-entropy over the batch, without gradients.
    public func loss(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                     labels: UnsafeBufferPointer<Int32>, batchSize: Int) -> Float {
        lossAndGradients(parameters: parameters, inputs: inputs, labels: labels, batchSize: batchSize,
                         gradient: nil, inputGradient: nil)
    }

    /// Array convenience for `lossAndGradient`: returns the loss and a fresh gradient vector.
    public func lossAndGradient(parameters: [Float], inputs: [Float], labels: [Int32]) -> (loss: Float, gradient: [Float]) {
        let batch = labels.count
        var gradient = [Float](repeating: 0, count: parameterCount)
        let loss = parameters.withUnsafeBufferPointer { p in
            inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    gradient.withUnsafeMutableBufferPointer { g in
                        lossAndGradient(parameters: p, inputs: x, labels: y, batchSize: batch, gradient: g)
                    }
                }
            }
        }
        return (loss, gradient)
    }

    /// Checks the buffer sizes shared by every model's entry points.
    func checkShapes(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, batchSize: Int) {
        precondition(batchSize >= 0, "batch size must be non-negative; got \(batchSize)")
        precondition(parameters.count == parameterCount,
                     "model expects \(parameterCount) parameters; got \(parameters.count)")
        precondition(inputs.count >= batchSize * inputDimension,
                     "model expects \(batchSize) x \(inputDimension) inputs; got \(inputs.count) values")
    }
}
