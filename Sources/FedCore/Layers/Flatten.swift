/// Reshapes `[C, H, W]` (or any shape) to `[C*H*W]`: the values are copied in storage order
/// (channel-major, as PyTorch's `torch.flatten(x, 1)` on NCHW), the gradient is copied back.
public struct Flatten: Layer, Equatable {
    public let inputShape: [Int]

    public init(shape: [Int]) { self.inputShape = shape }

    public var kind: String { "flatten" }
    public var outputShape: [Int] { [inputCount] }

    public func forward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                        output: UnsafeMutableBufferPointer<Float>, batchSize: Int,
                        scratch: UnsafeMutableBufferPointer<Float>, rng: inout SeededRNG?) {
        for i in 0..<(batchSize * inputCount) { output[i] = input[i] }
    }

    public func backward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                         output: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
                         batchSize: Int, scratch: UnsafeMutableBufferPointer<Float>, training: Bool,
                         gradient: UnsafeMutableBufferPointer<Float>?, inputGradient: UnsafeMutableBufferPointer<Float>?) {
        guard let dx = inputGradient else { return }
        for i in 0..<(batchSize * inputCount) { dx[i] = outputGradient[i] }
    }
}
