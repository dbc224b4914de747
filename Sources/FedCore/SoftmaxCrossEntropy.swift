#if canImport(Glibc)
import Glibc
#endif

/// Softmax cross-entropy over a batch of logits, numerically stable.
///
/// For one row of logits `z` (length `C`) with label `y`, with `m = max_j z_j`:
///
///     softmax(z)_j = exp(z_j - m) / sum_k exp(z_k - m)
///     loss(z, y)   = log(sum_k exp(z_k - m)) - (z_y - m)          (= -log softmax(z)_y)
///
/// Subtracting the row maximum keeps every `exp` in (0, 1], so logits of any magnitude give
/// a finite loss. The batch loss is the mean over the `B` rows (accumulated in Double), and
/// its gradient with respect to the logits is
///
///     d loss / d z_ij = (softmax(z_i)_j - [j == y_i]) / B
///
/// - Parameters:
///   - logits: `batchSize x classes`, row-major.
///   - labels: `batchSize` labels in `0..<classes`.
///   - gradient: if non-nil, receives `d loss / d logits` (`batchSize x classes`). It may be
///     the same memory as `logits` (each entry is read before it is overwritten).
/// - Returns: the mean cross-entropy over the batch (0 for an empty batch).
public func softmaxCrossEntropy(
    logits: UnsafeBufferPointer<Float>,
    labels: UnsafeBufferPointer<Int32>,
    batchSize: Int,
    classes: Int,
    gradient: UnsafeMutableBufferPointer<Float>?
) -> Float {
    Float(softmaxCrossEntropySum(logits: logits, labels: labels, batchSize: batchSize,
                                 classes: classes, gradient: gradient, gradientScale: 1 / Float(max(batchSize, 1)))
          / Double(max(batchSize, 1)))
}

/// The summed (not averaged) cross-entropy of a batch in Double; optionally writes
/// `gradientScale * (softmax - onehot)` into `gradient`. Shared by training and evaluation.
func softmaxCrossEntropySum(
    logits: UnsafeBufferPointer<Float>,
    labels: UnsafeBufferPointer<Int32>,
    batchSize: Int,
    classes: Int,
    gradient: UnsafeMutableBufferPointer<Float>?,
    gradientScale: Float
) -> Double {
    precondition(classes > 0, "softmaxCrossEntropy needs at least one class")
    precondition(logits.count >= batchSize * classes && labels.count >= batchSize,
                 "softmaxCrossEntropy: \(logits.count) logits and \(labels.count) labels for batch \(batchSize) x \(classes)")
    if let g = gradient {
        precondition(g.count >= batchSize * classes, "softmaxCrossEntropy: gradient buffer too small")
    }
    var total = 0.0
    for i in 0..<batchSize {
        let row = i * classes
        let y = Int(labels[i])
        precondition(y >= 0 && y < classes, "softmaxCrossEntropy: label \(y) outside 0..<\(classes)")
        var m = -Float.infinity
        for j in 0..<classes where logits[row + j] > m { m = logits[row + j] }
        if !m.isFinite { m = 0 }   // all -inf, or NaN/inf present: let the NaN/inf propagate
        let zy = logits[row + y]   // read before the gradient row is written (it may be the logits)
        var sum: Float = 0
        if let g = gradient {
            // exp(z_j - m) once: kept in the gradient row, then scaled (the same values as
            // computing it twice).
            for j in 0..<classes {
                let e = expf(logits[row + j] - m)
                g[row + j] = e
                sum += e
            }
        } else {
            for j in 0..<classes { sum += expf(logits[row + j] - m) }
        }
        total += Double(logf(sum)) - Double(zy - m)
        if let g = gradient {
            let inv = gradientScale / sum
            for j in 0..<classes { g[row + j] *= inv }
            g[row + y] -= gradientScale
        }
    }
    return total
}

/// Index of the largest entry of `row` (ties go to the lowest index; NaN never wins).
@inline(__always)
func argmax(_ row: UnsafeBufferPointer<Float>, offset: Int, count: Int) -> Int {
    var best = 0
    var bestValue = row[offset]
    for j in 1..<max(count, 1) where row[offset + j] > bestValue || (bestValue.isNaN && !row[offset + j].isNaN) {
        best = j
        bestValue = row[offset + j]
    }
    return best
}
