/// A 2-D convolution (cross-correlation, as in PyTorch's `nn.Conv2d`) by im2col + sgemm.
///
/// Parameters, in order: the weight `W` with shape `[out, in, kh, kw]` (PyTorch's layout, so a
/// foreign client can copy a `state_dict` tensor as it is), then the bias `b` `[out]`. For each
/// sample, with `cols = im2col(x)` (`in*kh*kw x OH*OW`) and `W` read as `[out x in*kh*kw]`:
///
///     forward:   Y = W cols + b 1^T                              (one sgemm per sample)
///     backward:  dW = sum_samples dY cols^T,  db = sum dY over samples and positions,
///                dcols = W^T dY,  dX = col2im(dcols)             (two sgemm per sample)
///
/// `Y` (`out x OH*OW`) is exactly the sample's output in `[out, OH, OW]` order. The patch
/// matrix is rebuilt in backward rather than kept, so the scratch memory is two patch
/// matrices whatever the batch size. `fan_in = in * kh * kw`, `fan_out = out * kh * kw`.
public struct Conv2D: Layer, Equatable {
    public let geometry: WindowGeometry
    public let outChannels: Int

    public init(input: WindowGeometry, outChannels: Int) {
        precondition(outChannels > 0, "Conv2D needs at least one output channel; got \(outChannels)")
        self.geometry = input
        self.outChannels = outChannels
    }

    public var kind: String { "conv" }
    public var inputShape: [Int] { geometry.inputShape }
    public var outputShape: [Int] { geometry.outputShape(channels: outChannels) }
    public var weightCount: Int { outChannels * geometry.patchSize }
    public var parameterCount: Int { weightCount + outChannels }

    public func parameterBlocks(name: String, offset: Int) -> [ParameterBlock] {
        [ParameterBlock(name: "\(name).weight", range: offset..<(offset + weightCount),
                        shape: [outChannels, geometry.channels, geometry.kernelHeight, geometry.kernelWidth]),
         ParameterBlock(name: "\(name).bias", range: (offset + weightCount)..<(offset + parameterCount),
                        shape: [outChannels])]
    }

    public func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, scheme: InitScheme, isOutput: Bool,
                           rng: inout SeededRNG) {
        let k = geometry.kernelHeight * geometry.kernelWidth
        scheme.initialize(weights: UnsafeMutableBufferPointer(rebasing: parameters[0..<weightCount]),
                          biases: UnsafeMutableBufferPointer(rebasing: parameters[weightCount..<parameterCount]),
                          fanIn: geometry.patchSize, fanOut: outChannels * k, isOutput: isOutput, rng: &rng)
    }

    /// Two patch matrices (`cols` and `dcols`), independent of the batch size.
    public func scratchCount(batchSize: Int) -> Int { 2 * geometry.patchSize * geometry.positions }

    public func forward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                        output: UnsafeMutableBufferPointer<Float>, batchSize: Int,
                        scratch: UnsafeMutableBufferPointer<Float>, rng: inout SeededRNG?) {
        let k = geometry.patchSize, n = geometry.positions
        let cols = UnsafeMutableBufferPointer(rebasing: scratch[0..<(k * n)])
        let w = UnsafeBufferPointer(rebasing: parameters[0..<weightCount])
        let outPerSample = outChannels * n
        for s in 0..<batchSize {
            im2col(UnsafeBufferPointer(rebasing: input[(s * geometry.inputCount)..<((s + 1) * geometry.inputCount)]),
                   geometry: geometry, cols: cols)
            let y = UnsafeMutableBufferPointer(rebasing: output[(s * outPerSample)..<((s + 1) * outPerSample)])
            for o in 0..<outChannels {
                let b = parameters[weightCount + o]
                for p in 0..<n { y[o * n + p] = b }
            }
            gemm(transA: false, transB: false, m: outChannels, n: n, k: k, alpha: 1, a: w, lda: k,
                 b: UnsafeBufferPointer(cols), ldb: n, beta: 1, c: y, ldc: n)
        }
    }

    public func backward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                         output: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
                         batchSize: Int, scratch: UnsafeMutableBufferPointer<Float>, training: Bool,
                         gradient: UnsafeMutableBufferPointer<Float>?, inputGradient: UnsafeMutableBufferPointer<Float>?) {
        let k = geometry.patchSize, n = geometry.positions
        let cols = UnsafeMutableBufferPointer(rebasing: scratch[0..<(k * n)])
        let dcols = UnsafeMutableBufferPointer(rebasing: scratch[(k * n)..<(2 * k * n)])
        let w = UnsafeBufferPointer(rebasing: parameters[0..<weightCount])
        let outPerSample = outChannels * n
        if let g = gradient { g.update(repeating: 0) }
        for s in 0..<batchSize {
            let dy = UnsafeBufferPointer(rebasing: outputGradient[(s * outPerSample)..<((s + 1) * outPerSample)])
            if let g = gradient {
                im2col(UnsafeBufferPointer(rebasing: input[(s * geometry.inputCount)..<((s + 1) * geometry.inputCount)]),
                       geometry: geometry, cols: cols)
                gemm(transA: false, transB: true, m: outChannels, n: k, k: n, alpha: 1, a: dy, lda: n,
                     b: UnsafeBufferPointer(cols), ldb: n, beta: 1,
                     c: UnsafeMutableBufferPointer(rebasing: g[0..<weightCount]), ldc: k)
                for o in 0..<outChannels {
                    var sum: Float = 0
                    for p in 0..<n { sum += dy[o * n + p] }
                    g[weightCount + o] += sum
                }
            }
            if let dx = inputGradient {
                gemm(transA: true, transB: false, m: k, n: n, k: outChannels, alpha: 1, a: w, lda: k,
                     b: dy, ldb: n, beta: 0, c: dcols, ldc: n)
                col2im(UnsafeBufferPointer(dcols), geometry: geometry,
                       dx: UnsafeMutableBufferPointer(rebasing: dx[(s * geometry.inputCount)..<((s + 1) * geometry.inputCount)]))
            }
        }
    }
}
