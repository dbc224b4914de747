#if canImport(Glibc)
import Glibc
#endif

/// The threshold attacks' scores of one sample from the model's logits `z` and its label `y`
/// (higher = "member"), with `p = softmax(z)`:
///
///     loss        log p_y  = −ℓ(z, y)                 (Yeom, Giacomelli, Fredrikson & Jha, CSF 2018)
///     confidence  max_k p_k                          (Salem et al., NDSS 2019: label-free)
///     entropy     −Mentr(p, y),
///                 Mentr = −(1 − p_y) log p_y − Σ_{k≠y} p_k log(1 − p_k)   (Song & Mittal, USENIX Sec. 2021)
///
/// Members were fitted, so their loss and modified entropy are low and their top probability
/// high. `log p_y` is the log-softmax (exact for any logits); the logarithms inside Mentr are
/// floored at log(1e-30) as in Song & Mittal's code (`_log_value`), so a confidently wrong
/// prediction gives a large, finite Mentr. Everything is in Double.
///
/// Song & Mittal's confidence attack thresholds the true-class probability p_y with one
/// threshold per class; with one global threshold p_y ranks the samples exactly as the loss
/// does, so `confidence` here is the label-free top probability instead, a different signal.
///
/// Check values (docs/ALGORITHMS.md 10.2): p = (0.7, 0.2, 0.1) gives Mentr 0.162167 for y = 0
/// and 2.140867 for y = 1.
public enum MembershipScore: String, Sendable, CaseIterable {
    case loss
    case confidence
    case entropy

    /// The score of the sample whose `classes` logits start at `row` in `logits`.
    public func score(logits: UnsafeBufferPointer<Float>, row: Int, classes: Int, label: Int) -> Double {
        precondition(label >= 0 && label < classes, "MembershipScore: label \(label) outside 0..<\(classes)")
        var m = -Double.infinity
        for j in 0..<classes { m = max(m, Double(logits[row + j])) }
        var sum = 0.0
        for j in 0..<classes { sum += exp(Double(logits[row + j]) - m) }
        let logSum = log(sum)
        let logPy = Double(logits[row + label]) - m - logSum
        switch self {
        case .loss:
            return logPy
        case .confidence:
            return exp(-logSum)   // p of the largest logit: exp(m − m) / sum
        case .entropy:
            let floor = log(1e-30)
            var mentr = -(1 - exp(logPy)) * max(logPy, floor)
            for j in 0..<classes where j != label {
                let pj = exp(Double(logits[row + j]) - m - logSum)
                mentr -= pj * max(log1p(-pj), floor)
            }
            return -mentr
        }
    }

    /// Scores of `count` rows of logits with their labels.
    public func scores(logits: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>,
                       count: Int, classes: Int) -> [Double] {
        (0..<count).map { score(logits: logits, row: $0 * classes, classes: classes, label: Int(labels[$0])) }
    }
}
