/// Inverted dropout (Srivastava et al., 2014), elementwise, any shape.
///
/// Training (an rng is given): each value is kept with probability `1 - p` and scaled by
/// `1 / (1 - p)`, else zeroed: `y = x * m`, `m = [u >= p] / (1 - p)` with one `u ~ U[0, 1)`
/// per value, drawn in storage order from the training rng (so the same seed gives the same
/// mask); `dx = dy * m`. Evaluation (no rng; `logits` and `evaluate` always): `y = x`, so no
/// rescaling is needed at test time. The mask is kept in the scratch memory for backward.
public struct Dropout: Layer, Equatable {
    public let inputShape: [Int]
    /// Probability of zeroing a value, in [0, 1).
    public let p: Double

    public init(shape: [Int], p: Double) {
        precondition(p >= 0 && p < 1, "Dropout probability must be in [0, 1); got \(p)")
        self.inputShape = shape
        self.p = p
    }

    public var kind: String { "dropout" }
    public var outputShape: [Int] { inputShape }
    public func scratchCount(batchSize: Int) -> Int { batchSize * inputCount }

    public func forward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                        output: UnsafeMutableBufferPointer<Float>, batchSize: Int,
                        scratch: UnsafeMutableBufferPointer<Float>, rng: inout SeededRNG?) {
        let count = batchSize * inputCount
        guard var r = rng else {
            for i in 0..<count { output[i] = input[i] }
            return
        }
        let scale = Float(1 / (1 - p))
        for i in 0..<count {
            let keep: Float = p == 0 || r.nextDouble() >= p ? scale : 0
            scratch[i] = keep
            output[i] = input[i] * keep
        }
        rng = r
    }

    public func backward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                         output: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
                         batchSize: Int, scratch: UnsafeMutableBufferPointer<Float>, training: Bool,
                         gradient: UnsafeMutableBufferPointer<Float>?, inputGradient: UnsafeMutableBufferPointer<Float>?) {
        guard let dx = inputGradient else { return }
        let count = batchSize * inputCount
        if training {
            for i in 0..<count { dx[i] = outputGradient[i] * scratch[i] }
        } else {
            for i in 0..<count { dx[i] = outputGradient[i] }
        }
    }
}
