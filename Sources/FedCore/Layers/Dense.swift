/// A fully connected layer in a `Sequential` model: `DenseLayer`'s maths and layout on this
/// layer's slice (`W` as `[in x out]` row-major, then `b` `[out]`; fedsim's MLP layout, kept so
/// that an MLP and a `layers:` model of dense layers share one parameter layout; note that it
/// is the transpose of PyTorch's `nn.Linear.weight` `[out, in]`).
///
/// A multi-dimensional input (`[C, H, W]`) is read as its `C*H*W` values in storage order, as
/// after `flatten`. `fan_in = in`, `fan_out = out`.
public struct Dense: Layer, Equatable {
    public let inputShape: [Int]
    public let outputs: Int
    /// The maths, at offset 0 of this layer's slice.
    public let layer: DenseLayer

    public init(inputShape: [Int], outputs: Int) {
        self.inputShape = inputShape
        self.outputs = outputs
        self.layer = DenseLayer(inputs: inputShape.reduce(1, *), outputs: outputs, offset: 0)
    }

    public var kind: String { "dense" }
    public var outputShape: [Int] { [outputs] }
    public var parameterCount: Int { layer.parameterCount }

    public func parameterBlocks(name: String, offset: Int) -> [ParameterBlock] {
        DenseLayer(inputs: layer.inputs, outputs: outputs, offset: offset).blocks(name: name)
    }

    public func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, scheme: InitScheme, isOutput: Bool,
                           rng: inout SeededRNG) {
        scheme.initialize(weights: UnsafeMutableBufferPointer(rebasing: parameters[layer.weightRange]),
                          biases: UnsafeMutableBufferPointer(rebasing: parameters[layer.biasRange]),
                          fanIn: layer.inputs, fanOut: outputs, isOutput: isOutput, rng: &rng)
    }

    public func forward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                        output: UnsafeMutableBufferPointer<Float>, batchSize: Int,
                        scratch: UnsafeMutableBufferPointer<Float>, rng: inout SeededRNG?) {
        layer.forward(parameters: parameters, input: input, batchSize: batchSize, output: output)
    }

    public func backward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                         output: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
                         batchSize: Int, scratch: UnsafeMutableBufferPointer<Float>, training: Bool,
                         gradient: UnsafeMutableBufferPointer<Float>?, inputGradient: UnsafeMutableBufferPointer<Float>?) {
        layer.backward(parameters: parameters, input: input, outputGradient: outputGradient, batchSize: batchSize,
                       gradient: gradient, inputGradient: inputGradient)
    }
}
