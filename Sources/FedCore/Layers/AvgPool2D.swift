/// 2-D average pooling over `k x k` windows with stride `s` (default `s = k`), per channel,
/// no padding (PyTorch's `nn.AvgPool2d(k)`, partial edge windows dropped):
///
///     y[c, oy, ox] = (1 / k^2) * sum_{0 <= i, j < k} x[c, oy*s + i, ox*s + j]
///
/// Backward spreads `dy / k^2` over each window (overlapping windows, `s < k`, add up).
/// Example, `k = 2` on `[[1, 2], [3, 6]]`: `y = 3`, and each input gets `dy / 4`.
public struct AvgPool2D: Layer, Equatable {
    public let geometry: WindowGeometry

    public init(input: WindowGeometry) {
        precondition(input.padding == 0, "AvgPool2D has no padding; got \(input.padding)")
        self.geometry = input
    }

    public var kind: String { "avgpool" }
    public var inputShape: [Int] { geometry.inputShape }
    public var outputShape: [Int] { geometry.outputShape() }

    public func forward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                        output: UnsafeMutableBufferPointer<Float>, batchSize: Int,
                        scratch: UnsafeMutableBufferPointer<Float>, rng: inout SeededRNG?) {
        let g = geometry
        let oh = g.outputHeight, ow = g.outputWidth
        let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
        for plane in 0..<(batchSize * g.channels) {
            let src = plane * g.height * g.width
            let dst = plane * oh * ow
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var sum: Float = 0
                    for i in 0..<g.kernelHeight {
                        let row = src + (oy * g.stride + i) * g.width + ox * g.stride
                        for j in 0..<g.kernelWidth { sum += input[row + j] }
                    }
                    output[dst + oy * ow + ox] = sum * scale
                }
            }
        }
    }

    public func backward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                         output: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
                         batchSize: Int, scratch: UnsafeMutableBufferPointer<Float>, training: Bool,
                         gradient: UnsafeMutableBufferPointer<Float>?, inputGradient: UnsafeMutableBufferPointer<Float>?) {
        guard let dx = inputGradient else { return }
        let g = geometry
        let oh = g.outputHeight, ow = g.outputWidth
        let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
        for i in 0..<(batchSize * g.inputCount) { dx[i] = 0 }
        for plane in 0..<(batchSize * g.channels) {
            let src = plane * g.height * g.width
            let dst = plane * oh * ow
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let share = outputGradient[dst + oy * ow + ox] * scale
                    for i in 0..<g.kernelHeight {
                        let row = src + (oy * g.stride + i) * g.width + ox * g.stride
                        for j in 0..<g.kernelWidth { dx[row + j] += share }
                    }
                }
            }
        }
    }
}
