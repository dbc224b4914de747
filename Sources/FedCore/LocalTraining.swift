// MARK: - Configuration

/// How a client trains locally in one round (FedAvg's `E` epochs of minibatch SGD).
public struct LocalTraining: Sendable, Equatable {
    /// Passes over the local data (`E`, >= 1).
    public var epochs: Int
    /// Minibatch size (`B`, >= 1); the last batch of an epoch may be smaller.
    public var batchSize: Int
    /// Optimizer hyperparameters.
    public var sgd: SGDConfig

    public init(epochs: Int, batchSize: Int, sgd: SGDConfig) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.sgd = sgd
    }

    /// Throws if a setting is out of range.
    public func validate() throws(TrainingConfigError) {
        guard epochs >= 1 else { throw .epochs(epochs) }
        guard batchSize >= 1 else { throw .batchSize(batchSize) }
        try sgd.validate()
    }
}

/// A training hyperparameter out of range, with the offending value.
public enum TrainingConfigError: Error, Equatable, CustomStringConvertible {
    /// The learning rate must be positive and finite.
    case learningRate(Float)
    /// The momentum must be in [0, 1).
    case momentum(Float)
    /// The weight decay must be non-negative and finite.
    case weightDecay(Float)
    /// At least one local epoch is needed.
    case epochs(Int)
    /// The batch size must be at least 1.
    case batchSize(Int)

    public var description: String {
        switch self {
        case .learningRate(let v): "learning rate must be positive and finite; got \(v)"
        case .momentum(let v): "momentum must be in [0, 1); got \(v)"
        case .weightDecay(let v): "weight decay must be non-negative and finite; got \(v)"
        case .epochs(let v): "local epochs must be at least 1; got \(v)"
        case .batchSize(let v): "batch size must be at least 1; got \(v)"
        }
    }
}

// MARK: - Result

/// What one local training call produced.
public struct TrainingResult: Sendable {
    /// The parameters after the last step.
    public var parameters: [Float]
    /// Sample-weighted mean of the minibatch losses over all epochs (each batch loss is
    /// measured before its step): `sum_b |b| * loss_b / sum_b |b|`; 0 when no step was taken.
    public var meanLoss: Double
    /// Number of SGD steps taken (`epochs * ceil(count / batchSize)`).
    public var steps: Int
    /// Number of local training samples (`data.count`, FedAvg's weight `n_k`); the samples
    /// processed are `epochs * samples`.
    public var samples: Int

    public init(parameters: [Float], meanLoss: Double, steps: Int, samples: Int) {
        self.parameters = parameters
        self.meanLoss = meanLoss
        self.steps = steps
        self.samples = samples
    }
}

// MARK: - Training loop

/// Rewrites a gathered minibatch before its SGD step: `(parameters, inputs, labels, size)`,
/// the inputs `size x dimension` (row-major, writable), the labels `size`.
public typealias BatchTransform = (_ parameters: UnsafeBufferPointer<Float>, _ inputs: UnsafeMutableBufferPointer<Float>,
                                   _ labels: UnsafeBufferPointer<Int32>, _ size: Int) -> Void

/// Minibatch SGD from `start` on `data` (FedAvg's ClientUpdate).
///
/// Each epoch shuffles the sample order with `rng.shuffle` (Fisher–Yates), then takes one
/// SGD step per minibatch of `config.batchSize` samples (the last one may be smaller) on the
/// mean cross-entropy of the batch. The momentum buffer starts at zero for every call. Each
/// batch is gathered once into a contiguous scratch buffer reused across batches; the only
/// allocations are these buffers, the gradient, the momentum buffer and the model's
/// `ModelWorkspace` (grown on the first batch, then reused). The model runs in training mode:
/// dropout layers draw their masks from `rng.derive("dropout")`.
///
/// `transform`, when given, may rewrite each gathered minibatch before its step (it sees the
/// current parameters, the batch's inputs, which it may overwrite, its labels and its size):
/// adversarial training replaces part of the batch with adversarial examples made against the
/// current parameters. The default leaves the batch as gathered.
///
/// `adjustment`, when given, edits every minibatch gradient before its step (an attacker
/// steering its own training); without it the loop is exactly the honest one.
///
/// With the same `start`, `data`, `config` and rng state, the result is bit-identical.
public func trainLocally(model: any Model, start: [Float], data: Dataset, config: LocalTraining,
                         rng: inout SeededRNG, adjustment: GradientAdjustment? = nil,
                         transform: BatchTransform = { _, _, _, _ in }) -> TrainingResult {
    precondition(start.count == model.parameterCount,
                 "trainLocally: model has \(model.parameterCount) parameters; start has \(start.count)")
    precondition(data.dimension == model.inputDimension,
                 "trainLocally: data dimension \(data.dimension) but model input dimension \(model.inputDimension)")
    precondition(config.epochs >= 0 && config.batchSize >= 1,
                 "trainLocally: needs epochs >= 0 and batchSize >= 1; got \(config.epochs), \(config.batchSize)")
    let n = data.count
    let d = data.dimension
    var parameters = start
    guard n > 0, config.epochs > 0 else {
        return TrainingResult(parameters: parameters, meanLoss: 0, steps: 0, samples: n)
    }

    let batchCapacity = min(config.batchSize, n)
    var order = Array(0..<n)
    var batchInputs = [Float](repeating: 0, count: batchCapacity * d)
    var batchLabels = [Int32](repeating: 0, count: batchCapacity)
    var gradient = [Float](repeating: 0, count: model.parameterCount)
    var sgd = SGD(config: config.sgd)
    // One workspace for every batch; dropout masks from a sub-stream of the training rng
    // (`derive` does not advance `rng`, so models without dropout draw exactly as before).
    let workspace = ModelWorkspace()
    var dropoutRNG: SeededRNG? = rng.derive("dropout")
    var lossSum = 0.0
    var seen = 0

    data.features.withUnsafeBufferPointer { features in
        for _ in 0..<config.epochs {
            rng.shuffle(&order)
            var first = 0
            while first < n {
                let size = min(config.batchSize, n - first)
                // Gather the batch into contiguous buffers.
                batchInputs.withUnsafeMutableBufferPointer { x in
                    guard let xs = x.baseAddress, let fs = features.baseAddress else { return }
                    for r in 0..<size {
                        (xs + r * d).update(from: fs + order[first + r] * d, count: d)   // one row, a copy
                    }
                }
                for r in 0..<size { batchLabels[r] = data.labels[order[first + r]] }
                parameters.withUnsafeBufferPointer { p in
                    batchInputs.withUnsafeMutableBufferPointer { x in
                        batchLabels.withUnsafeBufferPointer { y in transform(p, x, y, size) }
                    }
                }

                let loss = parameters.withUnsafeBufferPointer { p in
                    batchInputs.withUnsafeBufferPointer { x in
                        batchLabels.withUnsafeBufferPointer { y in
                            gradient.withUnsafeMutableBufferPointer { g in
                                model.lossAndGradients(parameters: p, inputs: x, labels: y, batchSize: size,
                                                       gradient: g, inputGradient: nil, workspace: workspace,
                                                       dropoutRNG: &dropoutRNG)
                            }
                        }
                    }
                }
                lossSum += Double(loss) * Double(size)
                seen += size
                if let adjustment {
                    parameters.withUnsafeBufferPointer { p in
                        gradient.withUnsafeMutableBufferPointer { g in adjustment.adjust(p, g) }
                    }
                }
                parameters.withUnsafeMutableBufferPointer { p in
                    gradient.withUnsafeBufferPointer { g in sgd.step(parameters: p, gradient: g) }
                    adjustment?.project?(p)
                }
                first += size
            }
        }
    }
    return TrainingResult(parameters: parameters, meanLoss: lossSum / Double(seen), steps: sgd.steps, samples: n)
}
