// MARK: - Evaluation

/// Accuracy and loss of a model on a dataset.
public struct Evaluation: Sendable, Equatable {
    /// `correct / count` (0 for an empty dataset).
    public var accuracy: Double
    /// Mean softmax cross-entropy over the samples (0 for an empty dataset).
    public var loss: Double
    /// Samples whose argmax class equals the label.
    public var correct: Int
    /// Samples evaluated.
    public var count: Int

    public init(accuracy: Double, loss: Double, correct: Int, count: Int) {
        self.accuracy = accuracy
        self.loss = loss
        self.correct = correct
        self.count = count
    }
}

/// Evaluates `parameters` on `data` in batches of `batchSize`:
///
///     loss     = (1 / N) * sum_i CE(softmax(logits_i), y_i)     (summed in Double)
///     accuracy = (1 / N) * #{ i : argmax_j logits_ij == y_i }    (ties -> lowest class)
public func evaluate(model: any Model, parameters: [Float], data: Dataset, batchSize: Int = 512) -> Evaluation {
    var lossSum = 0.0
    var correct = 0
    forEachBatchOfLogits(model: model, parameters: parameters, data: data, batchSize: batchSize) { first, size, logits in
        data.labels.withUnsafeBufferPointer { labels in
            let y = UnsafeBufferPointer(rebasing: labels[first..<(first + size)])
            lossSum += softmaxCrossEntropySum(logits: logits, labels: y, batchSize: size, classes: model.classes,
                                              gradient: nil, gradientScale: 0)
            for r in 0..<size where argmax(logits, offset: r * model.classes, count: model.classes) == Int(y[r]) {
                correct += 1
            }
        }
    }
    let n = data.count
    guard n > 0 else { return Evaluation(accuracy: 0, loss: 0, correct: 0, count: 0) }
    return Evaluation(accuracy: Double(correct) / Double(n), loss: lossSum / Double(n), correct: correct, count: n)
}

/// The predicted class of every sample (argmax of the logits; ties -> lowest class).
public func predict(model: any Model, parameters: [Float], data: Dataset, batchSize: Int = 512) -> [Int32] {
    var predictions = [Int32]()
    predictions.reserveCapacity(data.count)
    forEachBatchOfLogits(model: model, parameters: parameters, data: data, batchSize: batchSize) { _, size, logits in
        for r in 0..<size {
            predictions.append(Int32(argmax(logits, offset: r * model.classes, count: model.classes)))
        }
    }
    return predictions
}

/// Calls `body(first, size, logits)` for consecutive batches of `data`, reusing one logits
/// buffer and one model workspace (evaluation mode: dropout off).
private func forEachBatchOfLogits(model: any Model, parameters: [Float], data: Dataset, batchSize: Int,
                                  _ body: (Int, Int, UnsafeBufferPointer<Float>) -> Void) {
    precondition(batchSize >= 1, "evaluation batch size must be at least 1; got \(batchSize)")
    precondition(data.dimension == model.inputDimension,
                 "evaluation: data dimension \(data.dimension) but model input dimension \(model.inputDimension)")
    precondition(data.classes <= model.classes,
                 "evaluation: data has \(data.classes) classes but the model only \(model.classes)")
    let n = data.count
    guard n > 0 else { return }
    let d = data.dimension
    let c = model.classes
    var logits = [Float](repeating: 0, count: min(batchSize, n) * c)
    let workspace = ModelWorkspace()
    parameters.withUnsafeBufferPointer { p in
        data.features.withUnsafeBufferPointer { features in
            logits.withUnsafeMutableBufferPointer { out in
                var first = 0
                while first < n {
                    let size = min(batchSize, n - first)
                    // Rows are contiguous in the dataset: no gather needed.
                    let x = UnsafeBufferPointer(rebasing: features[(first * d)..<((first + size) * d)])
                    model.logits(parameters: p, inputs: x, batchSize: size, into: out, workspace: workspace)
                    body(first, size, UnsafeBufferPointer(rebasing: out[0..<(size * c)]))
                    first += size
                }
            }
        }
    }
}
