/// Sorted ("extreme non-IID") partition (Karimireddy, He & Jaggi, "Byzantine-robust learning on
/// heterogeneous datasets via bucketing", ICLR 2022: 25 workers, MNIST sorted by label and split
/// contiguously; byzfl's `extreme_niid`; docs/ALGORITHMS.md 1.4).
///
/// Take the label-sorted order of `LabelSortedOrder` (a seeded shuffle, then a stable sort by
/// label) and cut it into N contiguous chunks in client order: client j holds positions
/// [floor(j·n/N), floor((j+1)·n/N)), so client 0 holds the lowest labels and sizes differ by at
/// most one. A chunk no larger than every class spans at most two labels.
///
/// Worked example: labels [0, 0, 1, 1, 1, 2] (n = 6), N = 3 -> chunks of 2: client 0 gets the
/// two 0s, client 1 two of the 1s, client 2 the third 1 and the 2 (which 1 depends on the shuffle).
public enum SortedPartitioner {
    /// - Throws: `DataError.tooManyClients` unless 1 <= clients <= labels.count.
    public static func split(labels: [Int32], classes: Int, clients: Int, rng: inout SeededRNG) throws -> [[Int]] {
        let n = labels.count
        guard clients >= 1, clients <= n else { throw DataError.tooManyClients(clients: clients, samples: n) }
        let sorted = LabelSortedOrder.indices(labels: labels, classes: classes, rng: &rng)
        return (0..<clients).map { j in Array(sorted[(j * n / clients)..<((j + 1) * n / clients)]) }
    }
}
