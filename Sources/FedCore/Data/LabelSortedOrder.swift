/// The order every label-sorted partition cuts (`shards`, `sorted`; docs/ALGORITHMS.md 1.3, 1.4):
/// a seeded Fisher–Yates shuffle of the indices 0..<n, then a stable sort by label.
///
/// The result lists the indices of class 0, then class 1, ..., and inside a class in random
/// order. Without the shuffle a class keeps its file order, and file order is rarely random:
/// MNIST mixes two writer populations (NIST SD-3, Census Bureau employees, and SD-1, high-school
/// students) and its test file holds the SD-3 images first and the SD-1 images after them
/// (LeCun, Cortes & Burges), so contiguous shards of one class would also differ by writer. Worked example: labels [1, 0, 1, 0] and a
/// shuffle giving [2, 3, 0, 1] -> by label, stable: [3, 1, 2, 0].
public enum LabelSortedOrder {
    /// The indices of `labels` shuffled with `rng`, then stably sorted by label (a counting sort
    /// over `classes` buckets). Draws exactly the n − 1 values of one Fisher–Yates shuffle.
    ///
    /// - Precondition: every label is in 0..<classes.
    public static func indices(labels: [Int32], classes: Int, rng: inout SeededRNG) -> [Int] {
        var order = Array(labels.indices)
        rng.shuffle(&order)
        return stableSortedByLabel(order, labels: labels, classes: classes)
    }

    /// `order` stably sorted by `labels[i]` (ties keep their order in `order`).
    static func stableSortedByLabel(_ order: [Int], labels: [Int32], classes: Int) -> [Int] {
        var start = [Int](repeating: 0, count: classes + 1)
        for i in order { start[Int(labels[i]) + 1] += 1 }
        for k in 0..<classes { start[k + 1] += start[k] }
        var sorted = [Int](repeating: 0, count: order.count)
        for i in order {
            let k = Int(labels[i])
            sorted[start[k]] = i
            start[k] += 1
        }
        return sorted
    }
}
