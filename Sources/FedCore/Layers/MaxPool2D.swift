/// 2-D max pooling over `k x k` windows with stride `s` (default `s = k`), per channel, no
/// padding (PyTorch's `nn.MaxPool2d(k)`; a partial window at the right or bottom edge is
/// dropped, `OH = (H - k) / s + 1`):
///
///     y[c, oy, ox] = max_{0 <= i, j < k} x[c, oy*s + i, ox*s + j]
///
/// Backward sends `dy` to the arg max of each window; on a tie, to the FIRST maximal value in
/// row-major window order (PyTorch's CPU kernel does the same), so exactly one input per
/// window receives the gradient. The arg max is found again in backward from the input and
/// the output (no index buffer). Example, `k = 2` on `[[1, 3], [3, 2]]`: `y = 3`, and the
/// gradient goes to position (0, 1).
public struct MaxPool2D: Layer, Equatable {
    public let geometry: WindowGeometry

    public init(input: WindowGeometry) {
        precondition(input.padding == 0, "MaxPool2D has no padding; got \(input.padding)")
        self.geometry = input
    }

    public var kind: String { "maxpool" }
    public var inputShape: [Int] { geometry.inputShape }
    public var outputShape: [Int] { geometry.outputShape() }

    public func forward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                        output: UnsafeMutableBufferPointer<Float>, batchSize: Int,
                        scratch: UnsafeMutableBufferPointer<Float>, rng: inout SeededRNG?) {
        let g = geometry
        let oh = g.outputHeight, ow = g.outputWidth
        guard let xs = input.baseAddress, let ys = output.baseAddress else { return }
        for plane in 0..<(batchSize * g.channels) {
            let src = xs + plane * g.height * g.width
            let dst = ys + plane * oh * ow
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var best = -Float.infinity
                    for i in 0..<g.kernelHeight {
                        let row = src + (oy * g.stride + i) * g.width + ox * g.stride
                        for j in 0..<g.kernelWidth where row[j] > best { best = row[j] }
                    }
                    dst[oy * ow + ox] = best
                }
            }
        }
    }

    public func backward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                         output: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
                         batchSize: Int, scratch: UnsafeMutableBufferPointer<Float>, training: Bool,
                         gradient: UnsafeMutableBufferPointer<Float>?, inputGradient: UnsafeMutableBufferPointer<Float>?) {
        guard let dx = inputGradient?.baseAddress, let xs = input.baseAddress, let ys = output.baseAddress,
              let dys = outputGradient.baseAddress else { return }
        let g = geometry
        let oh = g.outputHeight, ow = g.outputWidth
        dx.update(repeating: 0, count: batchSize * g.inputCount)
        for plane in 0..<(batchSize * g.channels) {
            let offset = plane * g.height * g.width
            let src = xs + offset
            let out = plane * oh * ow
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let best = ys[out + oy * ow + ox]
                    var at = -1
                    search: for i in 0..<g.kernelHeight {
                        let row = (oy * g.stride + i) * g.width + ox * g.stride
                        for j in 0..<g.kernelWidth where src[row + j] == best {
                            at = row + j
                            break search
                        }
                    }
                    // at < 0 only for an all-NaN window (best is -inf): no gradient.
                    if at >= 0 { dx[offset + at] += dys[out + oy * ow + ox] }
                }
            }
        }
    }
}
