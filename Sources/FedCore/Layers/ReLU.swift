/// Rectified linear unit, elementwise: `y = max(x, 0)`, `dx = dy * [y > 0]` (the derivative
/// at 0 is taken as 0, as PyTorch does). NaN inputs give 0. No parameters; any shape.
public struct ReLU: Layer, Equatable {
    public let inputShape: [Int]

    public init(shape: [Int]) { self.inputShape = shape }

    public var kind: String { "relu" }
    public var outputShape: [Int] { inputShape }

    public func forward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                        output: UnsafeMutableBufferPointer<Float>, batchSize: Int,
                        scratch: UnsafeMutableBufferPointer<Float>, rng: inout SeededRNG?) {
        guard let x = input.baseAddress, let y = output.baseAddress else { return }
        for i in 0..<(batchSize * inputCount) {
            let v = x[i]
            y[i] = v > 0 ? v : 0
        }
    }

    public func backward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                         output: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
                         batchSize: Int, scratch: UnsafeMutableBufferPointer<Float>, training: Bool,
                         gradient: UnsafeMutableBufferPointer<Float>?, inputGradient: UnsafeMutableBufferPointer<Float>?) {
        guard let dx = inputGradient?.baseAddress, let y = output.baseAddress, let dy = outputGradient.baseAddress else { return }
        for i in 0..<(batchSize * inputCount) { dx[i] = y[i] > 0 ? dy[i] : 0 }
    }
}
