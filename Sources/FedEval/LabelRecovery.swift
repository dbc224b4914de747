import FedCore

/// The batch's labels read off the last layer's gradient, as the optimisation attacks need
/// them (Zhao, Mopuri & Bilen, "iDLG: Improved Deep Leakage from Gradients", 2020).
///
/// With softmax cross-entropy the gradient of the mean loss with respect to the output
/// bias is `db_c = mean_i (p_ic − [y_i = c])`: for one sample every entry is positive except
/// the true class's, `p_y − 1 < 0`, so `y = argmin_c db_c`. Without an output bias the same
/// sign shows in the output weights' column sums, `sum_r dW[r, c] = mean_i (p_ic − [y_i = c]) · sum_r a_ir`,
/// when the last hidden activations are non-negative (after ReLU), which iDLG assumes.
///
/// For a batch of B (an extension, as in Yin et al., CVPR 2021, "See through gradients",
/// for distinct labels): `−B db_c` counts class c's samples less their predicted mass, so
/// labels are handed out one at a time to the class with the lowest `db_c`, adding `1/B` to it
/// each time (removing one sample's `−1/B`); B distinct labels come out exactly while the
/// model is unsure, repeated ones approximately.
public enum LabelRecovery {
    /// The last layer's gradient entries per class: the bias block `[classes]` if the last
    /// block is one, else the column sums of a last `[in, classes]` weight block; nil when the
    /// model ends otherwise.
    public static func classScores(gradient: [Float], model: any Model) -> [Double]? {
        let blocks = model.parameterBlocks
        guard let last = blocks.last else { return nil }
        let c = model.classes
        if last.name.hasSuffix(".bias") && last.shape == [c] {
            return last.range.map { Double(gradient[$0]) }
        }
        if last.name.hasSuffix(".weight") && last.shape.count == 2 && last.shape[1] == c {
            var sums = [Double](repeating: 0, count: c)
            for r in 0..<last.shape[0] {
                for k in 0..<c { sums[k] += Double(gradient[last.range.lowerBound + r * c + k]) }
            }
            return sums
        }
        return nil
    }

    /// Whether `classScores` applies to `model`.
    public static func applies(to model: any Model) -> Bool {
        classScores(gradient: [Float](repeating: 0, count: model.parameterCount), model: model) != nil
    }

    /// B labels from the class scores (in class order of first assignment; the batch's order
    /// is unknown to the attacker).
    public static func labels(scores: [Double], batch: Int) -> [Int32] {
        var s = scores
        var out = [Int32]()
        for _ in 0..<batch {
            var best = 0
            for k in 1..<s.count where s[k] < s[best] { best = k }
            out.append(Int32(best))
            s[best] += 1 / Double(batch)
        }
        return out
    }

    /// `sum_c min(count_c, trueCount_c) / B`: the share of labels right as a multiset (the
    /// order of a recovered batch is arbitrary).
    public static func accuracy(_ recovered: [Int32], truth: [Int32]) -> Double {
        precondition(recovered.count == truth.count && !truth.isEmpty, "LabelRecovery.accuracy: \(recovered.count) labels against \(truth.count)")
        var counts = [Int32: Int]()
        for y in truth { counts[y, default: 0] += 1 }
        var hits = 0
        for y in recovered where counts[y, default: 0] > 0 {
            counts[y, default: 0] -= 1
            hits += 1
        }
        return Double(hits) / Double(truth.count)
    }
}
