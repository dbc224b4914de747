/// A classifier made of layers applied in order (`Layer`s built from `LayerSpec`s), trained
/// with softmax cross-entropy on the last layer's outputs (the logits).
///
/// Parameters are ONE flat Float32 vector: each layer's slice in layer order, named by kind
/// and index among the layers of that kind (`conv0.weight` `[out, in, kh, kw]`, `conv0.bias`,
/// `conv1.*`, `dense0.weight` `[in, out]`, `dense0.bias`, ...); layers without parameters
/// (ReLU, pooling, flatten, dropout) take none. `parameterBlocks` lists them.
///
/// Scratch memory: every layer's output for the batch, each layer's own scratch (im2col
/// patches, the dropout mask) and two gradient buffers as wide as the widest layer, laid out
/// in one `ModelWorkspace` region. Callers that run many batches pass their workspace
/// (`trainLocally` and `evaluate` do: no allocation per batch); the entry points without a
/// workspace make a temporary one per call.
///
/// Training mode (`dropoutRNG` non-nil) only changes dropout layers; `logits` and the
/// entry points without an rng are evaluation mode.
public struct Sequential: Model {
    /// One input sample's shape (`[C, H, W]` or `[d]`).
    public let inputShape: [Int]
    public let classes: Int
    public let layers: [any Layer]
    /// Where each layer's slice starts in the flat vector.
    public let offsets: [Int]
    public let parameterCount: Int
    /// How `initialParameters` draws the weights.
    public let initScheme: InitScheme
    /// The specs the layers were built from.
    public let specs: [LayerSpec]

    /// Builds the layers for `inputShape`; the last layer must give `classes` values per sample.
    public init(inputShape: [Int], layers specs: [LayerSpec], classes: Int, initScheme: InitScheme = .pytorch)
    throws(LayerSpecError) {
        precondition(classes >= 2, "Sequential needs at least 2 classes; got \(classes)")
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw LayerSpecError("the input shape \(LayerSpec.text(inputShape)) is empty")
        }
        guard !specs.isEmpty else { throw LayerSpecError("the model has no layers") }
        var built = [any Layer]()
        var offsets = [Int]()
        var shape = inputShape
        var offset = 0
        for (i, spec) in specs.enumerated() {
            let layer: any Layer
            do {
                layer = try spec.layer(inputShape: shape)
            } catch {
                throw LayerSpecError(error.message, index: i)
            }
            built.append(layer)
            offsets.append(offset)
            offset += layer.parameterCount
            shape = layer.outputShape
        }
        let outputs = shape.reduce(1, *)
        guard outputs == classes else {
            throw LayerSpecError("the last layer (\(specs[specs.count - 1])) gives \(outputs) values per sample "
                                 + "(shape \(LayerSpec.text(shape))); the data has \(classes) classes",
                                 index: specs.count - 1)
        }
        self.inputShape = inputShape
        self.classes = classes
        self.layers = built
        self.offsets = offsets
        self.parameterCount = offset
        self.initScheme = initScheme
        self.specs = specs
    }

    public var inputDimension: Int { inputShape.reduce(1, *) }

    public var parameterBlocks: [ParameterBlock] {
        var counts = [String: Int]()
        var blocks = [ParameterBlock]()
        for (layer, offset) in zip(layers, offsets) where layer.parameterCount > 0 {
            let index = counts[layer.kind, default: 0]
            counts[layer.kind] = index + 1
            blocks += layer.parameterBlocks(name: "\(layer.kind)\(index)", offset: offset)
        }
        return blocks
    }

    /// `initScheme` layer by layer (see `InitScheme`); the last layer with parameters is the
    /// output layer.
    public func initialParameters(rng: inout SeededRNG) -> [Float] {
        var p = [Float](repeating: 0, count: parameterCount)
        let last = layers.lastIndex { $0.parameterCount > 0 }
        p.withUnsafeMutableBufferPointer { buffer in
            for (l, layer) in layers.enumerated() where layer.parameterCount > 0 {
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[offsets[l]..<(offsets[l] + layer.parameterCount)])
                layer.initialize(slice, scheme: initScheme, isOutput: l == last, rng: &rng)
            }
        }
        return p
    }

    // MARK: - Workspace layout

    /// Offsets into the workspace for a batch: outputs of every layer, every layer's scratch,
    /// then two gradient buffers.
    private struct Layout {
        var outputs: [Int] = []
        var scratch: [Int] = []
        var deltas: (Int, Int) = (0, 0)
        var total = 0
    }

    private func layout(batchSize b: Int, backward: Bool) -> Layout {
        var l = Layout()
        for layer in layers {
            l.outputs.append(l.total)
            l.total += b * layer.outputCount
        }
        for layer in layers {
            l.scratch.append(l.total)
            l.total += layer.scratchCount(batchSize: b)
        }
        if backward {
            let widest = layers.map { max($0.inputCount, $0.outputCount) }.max() ?? 0
            l.deltas = (l.total, l.total + b * widest)
            l.total += 2 * b * widest
        }
        return l
    }

    private func parameterSlice(_ p: UnsafeBufferPointer<Float>, _ l: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(rebasing: p[offsets[l]..<(offsets[l] + layers[l].parameterCount)])
    }

    /// Runs every layer; returns the logits region of the workspace.
    private func forward(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, batchSize: Int,
                         memory: UnsafeMutableBufferPointer<Float>, layout: Layout,
                         rng: inout SeededRNG?) -> UnsafeMutableBufferPointer<Float> {
        var input = UnsafeBufferPointer(rebasing: inputs[0..<(batchSize * inputDimension)])
        var output = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
        for (l, layer) in layers.enumerated() {
            output = region(memory, layout.outputs[l], batchSize * layer.outputCount)
            layer.forward(parameters: parameterSlice(parameters, l), input: input, output: output, batchSize: batchSize,
                          scratch: region(memory, layout.scratch[l], layer.scratchCount(batchSize: batchSize)), rng: &rng)
            input = UnsafeBufferPointer(output)
        }
        return output
    }

    private func region(_ m: UnsafeMutableBufferPointer<Float>, _ start: Int, _ count: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: m[start..<(start + count)])
    }

    // MARK: - Model

    public func logits(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                       batchSize: Int, into: UnsafeMutableBufferPointer<Float>) {
        logits(parameters: parameters, inputs: inputs, batchSize: batchSize, into: into, workspace: ModelWorkspace())
    }

    public func logits(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                       batchSize: Int, into: UnsafeMutableBufferPointer<Float>, workspace: ModelWorkspace) {
        checkShapes(parameters: parameters, inputs: inputs, batchSize: batchSize)
        precondition(into.count >= batchSize * classes, "logits: output buffer needs \(batchSize * classes) values")
        guard batchSize > 0 else { return }
        let layout = layout(batchSize: batchSize, backward: false)
        let memory = workspace.floats(layout.total)
        var noDropout: SeededRNG? = nil
        let z = forward(parameters: parameters, inputs: inputs, batchSize: batchSize, memory: memory, layout: layout,
                        rng: &noDropout)
        for i in 0..<(batchSize * classes) { into[i] = z[i] }
    }

    public func lossAndGradients(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                                 labels: UnsafeBufferPointer<Int32>, batchSize: Int,
                                 gradient: UnsafeMutableBufferPointer<Float>?,
                                 inputGradient: UnsafeMutableBufferPointer<Float>?) -> Float {
        var noDropout: SeededRNG? = nil
        return lossAndGradients(parameters: parameters, inputs: inputs, labels: labels, batchSize: batchSize,
                                gradient: gradient, inputGradient: inputGradient, workspace: ModelWorkspace(),
                                dropoutRNG: &noDropout)
    }

    public func lossAndGradients(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                                 labels: UnsafeBufferPointer<Int32>, batchSize: Int,
                                 gradient: UnsafeMutableBufferPointer<Float>?,
                                 inputGradient: UnsafeMutableBufferPointer<Float>?,
                                 workspace: ModelWorkspace, dropoutRNG: inout SeededRNG?) -> Float {
        precondition(labels.count >= batchSize, "lossAndGradients: \(labels.count) labels for batch \(batchSize)")
        let classes = self.classes
        return lossAndGradients(parameters: parameters, inputs: inputs, batchSize: batchSize, gradient: gradient,
                                inputGradient: inputGradient, workspace: workspace, dropoutRNG: &dropoutRNG) { z, dz in
            softmaxCrossEntropy(logits: z, labels: labels, batchSize: batchSize, classes: classes, gradient: dz)
        }
    }

    /// Mean soft-target cross-entropy (`softTargetCrossEntropy`) against `targets`
    /// (`batchSize x classes` probabilities), with optional gradients as in `lossAndGradients`:
    /// a surrogate or a distilled model learns from another model's probabilities.
    public func lossAndGradients(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>,
                                 targets: UnsafeBufferPointer<Float>, batchSize: Int,
                                 gradient: UnsafeMutableBufferPointer<Float>?,
                                 inputGradient: UnsafeMutableBufferPointer<Float>?,
                                 workspace: ModelWorkspace, dropoutRNG: inout SeededRNG?) -> Float {
        precondition(targets.count >= batchSize * classes,
                     "lossAndGradients: \(targets.count) target values for batch \(batchSize) x \(classes)")
        return lossAndGradients(parameters: parameters, inputs: inputs, batchSize: batchSize, gradient: gradient,
                                inputGradient: inputGradient, workspace: workspace, dropoutRNG: &dropoutRNG) { z, dz in
            softTargetCrossEntropy(logits: z, targets: targets, batchSize: batchSize, classes: classes, gradient: dz)
        }
    }

    public func lossAndGradients(parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, batchSize: Int,
                                 gradient: UnsafeMutableBufferPointer<Float>?,
                                 inputGradient: UnsafeMutableBufferPointer<Float>?,
                                 workspace: ModelWorkspace, dropoutRNG: inout SeededRNG?,
                                 logitLoss: LogitLoss) -> Float {
        checkShapes(parameters: parameters, inputs: inputs, batchSize: batchSize)
        if let g = gradient { precondition(g.count == parameterCount, "gradient needs \(parameterCount) values; got \(g.count)") }
        if let dx = inputGradient {
            precondition(dx.count >= batchSize * inputDimension, "inputGradient needs \(batchSize * inputDimension) values")
        }
        guard batchSize > 0 else {
            gradient?.update(repeating: 0)
            return 0
        }
        let wantsBackward = gradient != nil || inputGradient != nil
        let layout = layout(batchSize: batchSize, backward: wantsBackward)
        let memory = workspace.floats(layout.total)
        let training = dropoutRNG != nil
        let logits = forward(parameters: parameters, inputs: inputs, batchSize: batchSize, memory: memory,
                             layout: layout, rng: &dropoutRNG)
        let widest = (layout.total - layout.deltas.0) / (2 * batchSize)
        var delta = region(memory, layout.deltas.0, batchSize * widest)
        var spare = region(memory, layout.deltas.1, batchSize * widest)
        // dZ of the last layer goes into the first delta buffer (the logits stay as they are).
        let dz = UnsafeMutableBufferPointer(rebasing: delta[0..<(batchSize * classes)])
        let loss = logitLoss(UnsafeBufferPointer(logits), wantsBackward ? dz : nil)
        guard wantsBackward else { return loss }

        // Walk back: `delta` holds d loss / d output of layer l; its input gradient goes to `spare`.
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[l]
            let input = l == 0
                ? UnsafeBufferPointer(rebasing: inputs[0..<(batchSize * inputDimension)])
                : UnsafeBufferPointer(region(memory, layout.outputs[l - 1], batchSize * layer.inputCount))
            let dx: UnsafeMutableBufferPointer<Float>? = l == 0
                ? inputGradient.map { UnsafeMutableBufferPointer(rebasing: $0[0..<(batchSize * inputDimension)]) }
                : UnsafeMutableBufferPointer(rebasing: spare[0..<(batchSize * layer.inputCount)])
            let g = gradient.map { UnsafeMutableBufferPointer(rebasing: $0[offsets[l]..<(offsets[l] + layer.parameterCount)]) }
            if l == 0 && dx == nil && layer.parameterCount == 0 { break }
            layer.backward(parameters: parameterSlice(parameters, l), input: input,
                           output: UnsafeBufferPointer(region(memory, layout.outputs[l], batchSize * layer.outputCount)),
                           outputGradient: UnsafeBufferPointer(rebasing: delta[0..<(batchSize * layer.outputCount)]),
                           batchSize: batchSize,
                           scratch: region(memory, layout.scratch[l], layer.scratchCount(batchSize: batchSize)),
                           training: training, gradient: layer.parameterCount > 0 ? g : nil, inputGradient: dx)
            swap(&delta, &spare)
        }
        return loss
    }
}
