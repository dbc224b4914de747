/// One layer of a `Sequential` model: a pure function of its parameters and its input.
///
/// Data layout: a batch is `batchSize` samples stored one after another, each sample its
/// shape in row-major order (`[C, H, W]` is channel-major, PyTorch's NCHW). A layer sees only
/// its own slice of the flat parameter vector (`parameterCount` values, laid out as its
/// `parameterBlocks` say), so a layer is a small value with sizes and no storage; scratch
/// memory comes from the model's workspace (`scratchCount`), and is kept from the forward to
/// the backward pass of the same batch.
public protocol Layer: Sendable {
    /// One input sample's shape.
    var inputShape: [Int] { get }
    /// One output sample's shape.
    var outputShape: [Int] { get }
    /// Values of this layer in the flat parameter vector (0 for ReLU, pooling, ...).
    var parameterCount: Int { get }
    /// The scenario/doc name of the kind (`conv`, `dense`, `relu`), also the prefix of the
    /// parameter blocks (`conv0.weight`).
    var kind: String { get }

    /// Named blocks relative to `offset` (where this layer's slice starts), e.g.
    /// `conv0.weight` `[out, in, kh, kw]` and `conv0.bias` `[out]`.
    func parameterBlocks(name: String, offset: Int) -> [ParameterBlock]

    /// Initialises this layer's slice with `scheme`; `isOutput` marks the model's last weight layer.
    func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, scheme: InitScheme, isOutput: Bool,
                    rng: inout SeededRNG)

    /// Scratch floats this layer needs for a batch (kept from forward to backward).
    func scratchCount(batchSize: Int) -> Int

    /// `output = f(input)` for the batch. `rng` is non-nil in training mode (dropout draws
    /// its mask from it); other layers ignore it.
    func forward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                 output: UnsafeMutableBufferPointer<Float>, batchSize: Int,
                 scratch: UnsafeMutableBufferPointer<Float>, rng: inout SeededRNG?)

    /// Back-propagates `outputGradient = d loss / d output`, after `forward` on the same
    /// `input`, `output` and `scratch`; `training` says whether that forward had an rng.
    ///
    /// - `gradient`: if non-nil, this layer's slice, overwritten with `d loss / d parameters`.
    /// - `inputGradient`: if non-nil, overwritten with `d loss / d input`.
    func backward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                  output: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
                  batchSize: Int, scratch: UnsafeMutableBufferPointer<Float>, training: Bool,
                  gradient: UnsafeMutableBufferPointer<Float>?, inputGradient: UnsafeMutableBufferPointer<Float>?)
}

extension Layer {
    /// Values per input sample.
    public var inputCount: Int { inputShape.reduce(1, *) }
    /// Values per output sample.
    public var outputCount: Int { outputShape.reduce(1, *) }

    public var parameterCount: Int { 0 }
    public func parameterBlocks(name: String, offset: Int) -> [ParameterBlock] { [] }
    public func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, scheme: InitScheme, isOutput: Bool,
                           rng: inout SeededRNG) {}
    public func scratchCount(batchSize: Int) -> Int { 0 }
}
