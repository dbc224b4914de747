/// A fully connected layer as a view into a model's flat parameter vector.
///
/// Storage, starting at `offset`: the weight matrix `W` as `[inputs x outputs]` row-major
/// (entry `(i, o)` at `offset + i * outputs + o`), then the bias `b` (`outputs` values).
/// With a batch `X` (`B x inputs`, row-major):
///
///     forward:   Z = X W + 1 b^T                               (one sgemm)
///     backward:  dW = X^T dZ,  db = sum_rows(dZ),  dX = dZ W^T  (two sgemm)
///
/// The layer holds only sizes and offsets, so a network is a list of layers and another
/// layer kind (Conv2D via im2col + sgemm) fits the same shape: an offset, a parameter count,
/// forward and backward on buffers.
public struct DenseLayer: Sendable, Equatable {
    public let inputs: Int
    public let outputs: Int
    /// Index of the first weight in the flat parameter vector.
    public let offset: Int

    public init(inputs: Int, outputs: Int, offset: Int) {
        precondition(inputs > 0 && outputs > 0, "DenseLayer needs positive sizes; got \(inputs) -> \(outputs)")
        precondition(offset >= 0, "DenseLayer offset must be non-negative; got \(offset)")
        self.inputs = inputs
        self.outputs = outputs
        self.offset = offset
    }

    /// `inputs * outputs + outputs`.
    public var parameterCount: Int { inputs * outputs + outputs }
    /// Range of `W` in the flat vector.
    public var weightRange: Range<Int> { offset..<(offset + inputs * outputs) }
    /// Range of `b` in the flat vector.
    public var biasRange: Range<Int> { (offset + inputs * outputs)..<(offset + parameterCount) }
    /// One past the last parameter of this layer (the next layer's offset).
    public var end: Int { offset + parameterCount }

    /// The two named blocks of this layer (`<name>.weight` `[inputs, outputs]`, `<name>.bias` `[outputs]`).
    public func blocks(name: String) -> [ParameterBlock] {
        [ParameterBlock(name: "\(name).weight", range: weightRange, shape: [inputs, outputs]),
         ParameterBlock(name: "\(name).bias", range: biasRange, shape: [outputs])]
    }

    // MARK: - Initialisation

    /// Writes `W ~ Uniform(-bound, bound)` (drawn in storage order) and `b = 0` into `parameters`.
    func initialize(_ parameters: inout [Float], bound: Double, rng: inout SeededRNG) {
        for i in weightRange {
            parameters[i] = Float((2 * rng.nextDouble() - 1) * bound)
        }
        for i in biasRange { parameters[i] = 0 }
    }

    // MARK: - Forward and backward

    /// `output = input W + b` for `batchSize` rows (`output` is `batchSize x outputs`).
    func forward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                 batchSize: Int, output: UnsafeMutableBufferPointer<Float>) {
        guard batchSize > 0 else { return }
        // Every row starts as b (a copy per row; the sgemm then adds X W with beta = 1).
        let bias = UnsafeBufferPointer(rebasing: parameters[biasRange])
        for row in 0..<batchSize {
            _ = UnsafeMutableBufferPointer(rebasing: output[(row * outputs)..<(row * outputs + outputs)])
                .update(fromContentsOf: bias)
        }
        gemm(transA: false, transB: false, m: batchSize, n: outputs, k: inputs,
             alpha: 1, a: input, lda: inputs,
             b: UnsafeBufferPointer(rebasing: parameters[weightRange]), ldb: outputs,
             beta: 1, c: output, ldc: outputs)
    }

    /// Back-propagates `outputGradient = d loss / d Z` (`batchSize x outputs`).
    ///
    /// - `gradient`: if non-nil, this layer's slice is overwritten with `dW` and `db`.
    /// - `inputGradient`: if non-nil, overwritten with `dX` (`batchSize x inputs`).
    func backward(parameters: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>,
                  outputGradient: UnsafeBufferPointer<Float>, batchSize: Int,
                  gradient: UnsafeMutableBufferPointer<Float>?,
                  inputGradient: UnsafeMutableBufferPointer<Float>?) {
        if let g = gradient {
            gemm(transA: true, transB: false, m: inputs, n: outputs, k: batchSize,
                 alpha: 1, a: input, lda: inputs, b: outputGradient, ldb: outputs,
                 beta: 0, c: UnsafeMutableBufferPointer(rebasing: g[weightRange]), ldc: outputs)
            // db[o] = ((0 + dZ[0, o]) + dZ[1, o]) + ..., rows in order (the same sums whatever
            // the vector width: each lane is one column o).
            if let db = g.baseAddress.map({ $0 + biasRange.lowerBound }), let dz = outputGradient.baseAddress {
                let width = outputs
                db.update(repeating: 0, count: width)
                for row in 0..<batchSize {
                    let r = dz + row &* width
                    for o in 0..<width { db[o] += r[o] }
                }
            }
        }
        if let dx = inputGradient, batchSize > 0 {
            gemm(transA: false, transB: true, m: batchSize, n: inputs, k: outputs,
                 alpha: 1, a: outputGradient, lda: outputs,
                 b: UnsafeBufferPointer(rebasing: parameters[weightRange]), ldb: outputs,
                 beta: 0, c: dx, ldc: inputs)
        }
    }
}
