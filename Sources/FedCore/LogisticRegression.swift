/// Multinomial logistic regression (softmax regression):
///
///     logits = x W + b,    loss = mean_i CE(softmax(logits_i), y_i)
///
/// Parameters: one `DenseLayer` at offset 0, i.e. `W` as `[inputDimension x classes]`
/// row-major, then `b` (`classes`), `(inputDimension + 1) * classes` values in all.
/// Initialisation is all zeros: the loss is convex, so zero is the conventional start and
/// it needs no randomness (the `rng` is not advanced).
public struct LogisticRegression: Model, Equatable {
    public let inputDimension: Int
    public let classes: Int
    /// The single dense layer (parameter view).
    public let layer: DenseLayer

    public init(inputDimension: Int, classes: Int) {
        precondition(inputDimension > 0, "LogisticRegression needs a positive input dimension; got \(inputDimension)")
        precondition(classes >= 2, "LogisticRegression needs at least 2 classes; got \(classes)")
        self.inputDimension = inputDimension
        self.classes = classes
        self.layer = DenseLayer(inputs: inputDimension, outputs: classes, offset: 0)
    }

    public var parameterCount: Int { layer.parameterCount }
    public var parameterBlocks: [ParameterBlock] { layer.blocks(name: "dense0") }

    /// All zeros (see the type's documentation); `rng` is not used.
    public func initialParameters(rng: inout SeededRNG) -> [Float] {
        [Float](repeating: 0, count: parameterCount)
    }

    public func logits(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                       batchSize: Int, into: UnsafeMutableBufferPointer<Float>) {
        checkShapes(parameters: parameters, inputs: inputs, batchSize: batchSize)
        precondition(into.count >= batchSize * classes, "logits: output buffer needs \(batchSize * classes) values")
        layer.forward(parameters: parameters, input: inputs, batchSize: batchSize, output: into)
    }

    public func lossAndGradients(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, batchSize: Int,
                                 gradient: UnsafeMutableBufferPointer<Float>?,
                                 inputGradient: UnsafeMutableBufferPointer<Float>?,
                                 workspace: ModelWorkspace, dropoutRNG: inout SeededRNG?,
                                 logitLoss: LogitLoss) -> Float {
        backpropagate(parameters: parameters, inputs: inputs, batchSize: batchSize, gradient: gradient,
                      inputGradient: inputGradient, logitLoss: logitLoss)
    }

    /// Forward, `logitLoss` on the logits, backward of its logit gradient (scratch per call:
    /// the logits and their gradient, `2 x batchSize x classes` floats).
    private func backpropagate(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, batchSize: Int,
                               gradient: UnsafeMutableBufferPointer<Float>?,
                               inputGradient: UnsafeMutableBufferPointer<Float>?, logitLoss: LogitLoss) -> Float {
        checkShapes(parameters: parameters, inputs: inputs, batchSize: batchSize)
        if let g = gradient { precondition(g.count == parameterCount, "gradient needs \(parameterCount) values; got \(g.count)") }
        if let dx = inputGradient {
            precondition(dx.count >= batchSize * inputDimension, "inputGradient needs \(batchSize * inputDimension) values")
        }
        guard batchSize > 0 else {
            gradient?.update(repeating: 0)
            return 0
        }
        let count = batchSize * classes
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2 * count)
        defer { scratch.deallocate() }
        scratch.initialize(repeating: 0)
        let logits = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
        let dz = UnsafeMutableBufferPointer(rebasing: scratch[count..<(2 * count)])
        layer.forward(parameters: parameters, input: inputs, batchSize: batchSize, output: logits)
        let wantsBackward = gradient != nil || inputGradient != nil
        let loss = logitLoss(UnsafeBufferPointer(logits), wantsBackward ? dz : nil)
        if wantsBackward {
            layer.backward(parameters: parameters, input: inputs, outputGradient: UnsafeBufferPointer(dz),
                           batchSize: batchSize, gradient: gradient, inputGradient: inputGradient)
        }
        return loss
    }
}

extension LogisticRegression {
    public static let descriptor = ModelDescriptor(
        name: "logistic", summary: "multinomial logistic regression: softmax over one linear layer"
    ) { _, shape, classes in
        LogisticRegression(inputDimension: shape.reduce(1, *), classes: classes)
    }
}
