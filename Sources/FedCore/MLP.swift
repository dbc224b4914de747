/// Multi-layer perceptron: dense layers with ReLU between them and a linear output layer,
/// trained with softmax cross-entropy.
///
///     a_0 = x,   a_l = relu(a_{l-1} W_l + b_l)  (hidden layers),   logits = a_{L-1} W_L + b_L
///
/// Parameters are ONE flat Float32 vector, layer by layer: `W_1`, `b_1`, `W_2`, `b_2`, ...;
/// each `W` is `[in x out]` row-major (see `DenseLayer`); `layers[l].offset` locates a layer
/// and `parameterBlocks` names every slice (`dense0.weight`, `dense0.bias`, ...).
///
/// Initialisation (`init`, an `InitScheme`; deterministic from the rng, layer by layer, weights
/// in storage order). The default, `he`, is:
/// - hidden layers (followed by ReLU): He/Kaiming uniform, `W ~ U(-sqrt(6 / fan_in), +sqrt(6 / fan_in))`,
///   which keeps the activations' second moment constant through ReLU layers (He et al., 2015);
/// - output layer: `W ~ U(-1 / sqrt(fan_in), +1 / sqrt(fan_in))` (PyTorch's `nn.Linear` default), small
///   so that the first logits are near zero and the first loss is near `log(classes)`;
/// - every bias: 0.
/// `pytorch`, `xavier` and `zeros` are the other schemes (see `InitScheme`).
///
/// Forward uses one sgemm per layer; backward two per layer (`dW`, and `dX` except for the
/// first layer unless an input gradient is requested). Scratch memory (activations and one
/// delta buffer) is allocated once per call; the model itself holds no mutable state.
public struct MLP: Model, Equatable {
    public let inputDimension: Int
    public let classes: Int
    /// Widths of the hidden layers.
    public let hidden: [Int]
    /// The dense layers, in order; the last one produces the logits.
    public let layers: [DenseLayer]

    /// How `initialParameters` draws the weights (default `he`: the scheme described above).
    public let initScheme: InitScheme

    public init(inputDimension: Int, hidden: [Int], classes: Int, initScheme: InitScheme = .he) {
        precondition(inputDimension > 0, "MLP needs a positive input dimension; got \(inputDimension)")
        precondition(classes >= 2, "MLP needs at least 2 classes; got \(classes)")
        precondition(hidden.allSatisfy { $0 > 0 }, "MLP hidden widths must be positive; got \(hidden)")
        self.inputDimension = inputDimension
        self.classes = classes
        self.hidden = hidden
        self.initScheme = initScheme
        var layers = [DenseLayer]()
        var offset = 0
        var width = inputDimension
        for out in hidden + [classes] {
            let layer = DenseLayer(inputs: width, outputs: out, offset: offset)
            layers.append(layer)
            offset = layer.end
            width = out
        }
        self.layers = layers
    }

    public var parameterCount: Int { layers.last?.end ?? 0 }
    public var parameterBlocks: [ParameterBlock] {
        layers.enumerated().flatMap { $0.element.blocks(name: "dense\($0.offset)") }
    }

    public func initialParameters(rng: inout SeededRNG) -> [Float] {
        var p = [Float](repeating: 0, count: parameterCount)
        p.withUnsafeMutableBufferPointer { buffer in
            for (l, layer) in layers.enumerated() {
                initScheme.initialize(weights: UnsafeMutableBufferPointer(rebasing: buffer[layer.weightRange]),
                                      biases: UnsafeMutableBufferPointer(rebasing: buffer[layer.biasRange]),
                                      fanIn: layer.inputs, fanOut: layer.outputs, isOutput: l == layers.count - 1,
                                      rng: &rng)
            }
        }
        return p
    }

    // MARK: - Forward

    public func logits(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                       batchSize: Int, into: UnsafeMutableBufferPointer<Float>) {
        checkShapes(parameters: parameters, inputs: inputs, batchSize: batchSize)
        precondition(into.count >= batchSize * classes, "logits: output buffer needs \(batchSize * classes) values")
        guard batchSize > 0 else { return }
        let offsets = activationOffsets(batchSize: batchSize, includeOutput: false)
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(offsets.total, 1))
        defer { scratch.deallocate() }
        scratch.initialize(repeating: 0)
        forward(parameters: parameters, inputs: inputs, batchSize: batchSize,
                activations: scratch, offsets: offsets.starts, output: into)
    }

    /// Runs every layer; hidden activations go to `activations` at `offsets[l]`, the logits to `output`.
    private func forward(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                         batchSize: Int, activations: UnsafeMutableBufferPointer<Float>, offsets: [Int],
                         output: UnsafeMutableBufferPointer<Float>) {
        var input = inputs
        for (l, layer) in layers.enumerated() {
            let isOutput = l == layers.count - 1
            let out = isOutput
                ? output
                : UnsafeMutableBufferPointer(rebasing: activations[offsets[l]..<(offsets[l] + batchSize * layer.outputs)])
            layer.forward(parameters: parameters, input: input, batchSize: batchSize, output: out)
            if !isOutput {
                // ReLU: max(z, 0), with NaN and -0 to +0; a select, not a branch, so it vectorises.
                if let z = out.baseAddress {
                    for i in 0..<(batchSize * layer.outputs) { let v = z[i]; z[i] = v > 0 ? v : 0 }
                }
                input = UnsafeBufferPointer(out)
            }
        }
    }

    // MARK: - Loss and backward

    public func lossAndGradients(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, batchSize: Int,
                                 gradient: UnsafeMutableBufferPointer<Float>?,
                                 inputGradient: UnsafeMutableBufferPointer<Float>?,
                                 workspace: ModelWorkspace, dropoutRNG: inout SeededRNG?,
                                 logitLoss: LogitLoss) -> Float {
        backpropagate(parameters: parameters, inputs: inputs, batchSize: batchSize, gradient: gradient,
                      inputGradient: inputGradient, logitLoss: logitLoss)
    }

    /// Forward, `logitLoss` on the logits, then the backward pass of its logit gradient.
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
        // Scratch: every layer's output (hidden activations, then the logits), then one
        // delta buffer as wide as the widest hidden layer or the logits.
        let offsets = activationOffsets(batchSize: batchSize, includeOutput: true)
        let maxHidden = max(hidden.max() ?? 0, classes)
        let deltaStart = offsets.total
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: offsets.total + batchSize * maxHidden)
        defer { scratch.deallocate() }
        scratch.initialize(repeating: 0)
        func region(_ start: Int, _ count: Int) -> UnsafeMutableBufferPointer<Float> {
            UnsafeMutableBufferPointer(rebasing: scratch[start..<(start + count)])
        }
        let last = layers.count - 1
        let logits = region(offsets.starts[last], batchSize * classes)
        forward(parameters: parameters, inputs: inputs, batchSize: batchSize,
                activations: scratch, offsets: offsets.starts, output: logits)

        let wantsBackward = gradient != nil || inputGradient != nil
        // dZ_L goes to the delta buffer, then over the logits.
        let dz = region(deltaStart, batchSize * classes)
        let loss = logitLoss(UnsafeBufferPointer(logits), wantsBackward ? dz : nil)
        guard wantsBackward else { return loss }
        _ = logits.update(fromContentsOf: dz)

        // Walk back. Invariant: dZ of layer l sits in layer l's activation region. Once layer
        // l is done, a_{l-1} is no longer needed except for the ReLU mask, so
        // dZ_{l-1} = (dZ_l W_l^T) * [a_{l-1} > 0] is written over a_{l-1}.
        for l in stride(from: last, through: 0, by: -1) {
            let layer = layers[l]
            let dZ = UnsafeBufferPointer(region(offsets.starts[l], batchSize * layer.outputs))
            if l == 0 {
                layer.backward(parameters: parameters, input: inputs, outputGradient: dZ, batchSize: batchSize,
                               gradient: gradient, inputGradient: inputGradient)
            } else {
                let count = batchSize * layer.inputs
                let previous = region(offsets.starts[l - 1], count)
                let delta = region(deltaStart, count)
                layer.backward(parameters: parameters, input: UnsafeBufferPointer(previous), outputGradient: dZ,
                               batchSize: batchSize, gradient: gradient, inputGradient: delta)
                // ReLU'(z) = [z > 0] = [a > 0]; both loads unconditional so that the loop vectorises.
                if let a = previous.baseAddress, let d = delta.baseAddress {
                    for i in 0..<count { let di = d[i]; a[i] = a[i] > 0 ? di : 0 }
                }
            }
        }
        return loss
    }

    /// Start of each layer's output in the scratch buffer, and the total length.
    private func activationOffsets(batchSize: Int, includeOutput: Bool) -> (starts: [Int], total: Int) {
        var starts = [Int]()
        starts.reserveCapacity(layers.count)
        var total = 0
        for (l, layer) in layers.enumerated() {
            starts.append(total)
            if l < layers.count - 1 || includeOutput { total += batchSize * layer.outputs }
        }
        return (starts, total)
    }
}

extension MLP {
    public static let descriptor = ModelDescriptor(
        name: "mlp", summary: "multi-layer perceptron: ReLU hidden layers, then a linear softmax layer",
        parameters: [Parameter("hidden", .integers(element: Interval(1...1_000_000), count: 0...8), default: .ints([64]),
                               doc: "hidden layer widths, input to output; [] is a linear softmax model"),
                     Parameter("init", .choice(InitScheme.names), default: .word(InitScheme.he.rawValue),
                               doc: "weight initialisation: he (He uniform hidden, 1/sqrt(fan_in) output, zero biases), "
                                   + "pytorch, xavier or zeros (docs/ALGORITHMS.md)")]
    ) { values, shape, classes in
        MLP(inputDimension: shape.reduce(1, *), hidden: values.ints("hidden"), classes: classes,
            initScheme: InitScheme(rawValue: values.word("init")) ?? .he)
    }
}
