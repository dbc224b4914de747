#if canImport(Glibc)
import Glibc
#endif

/// Cross-entropy against soft targets (a probability vector per sample), numerically stable:
/// the loss of knowledge distillation (Hinton, Vinyals & Dean, 2015) and of a surrogate
/// trained on a model's returned probabilities (Tramèr et al., USENIX Security 2016).
///
/// For one row of logits `z` (length `C`) with target `q` (`q_j >= 0`, normally summing to 1),
/// with `m = max_j z_j` and `s = sum_j q_j`:
///
///     loss(z, q)   = -sum_j q_j log softmax(z)_j = s * (log(sum_k exp(z_k - m)) + m) - sum_j q_j z_j
///     d loss / d z_j = s * softmax(z)_j - q_j
///
/// A one-hot `q` gives exactly `softmaxCrossEntropy` with that label. The batch loss is the
/// mean over the `B` rows (accumulated in Double) and its gradient is divided by `B`.
///
/// - Parameters:
///   - logits: `batchSize x classes`, row-major.
///   - targets: `batchSize x classes`, row-major.
///   - gradient: if non-nil, receives `d loss / d logits` (`batchSize x classes`); it may be
///     the same memory as `logits` (each row is read before it is overwritten).
/// - Returns: the mean soft-target cross-entropy (0 for an empty batch).
public func softTargetCrossEntropy(
    logits: UnsafeBufferPointer<Float>,
    targets: UnsafeBufferPointer<Float>,
    batchSize: Int,
    classes: Int,
    gradient: UnsafeMutableBufferPointer<Float>?
) -> Float {
    precondition(classes > 0, "softTargetCrossEntropy needs at least one class")
    precondition(logits.count >= batchSize * classes && targets.count >= batchSize * classes,
                 "softTargetCrossEntropy: \(logits.count) logits and \(targets.count) targets for batch \(batchSize) x \(classes)")
    if let g = gradient {
        precondition(g.count >= batchSize * classes, "softTargetCrossEntropy: gradient buffer too small")
    }
    guard batchSize > 0 else { return 0 }
    let scale = 1 / Float(batchSize)
    var total = 0.0
    for i in 0..<batchSize {
        let row = i * classes
        var m = -Float.infinity
        for j in 0..<classes where logits[row + j] > m { m = logits[row + j] }
        if !m.isFinite { m = 0 }
        var sum: Float = 0
        var s: Float = 0
        var dot = 0.0
        for j in 0..<classes {
            sum += expf(logits[row + j] - m)
            s += targets[row + j]
            dot += Double(targets[row + j]) * Double(logits[row + j] - m)
        }
        total += Double(s) * Double(logf(sum)) - dot
        if let g = gradient {
            let inv = s * scale / sum
            for j in 0..<classes {
                g[row + j] = expf(logits[row + j] - m) * inv - targets[row + j] * scale
            }
        }
    }
    return Float(total / Double(batchSize))
}
