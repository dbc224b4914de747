/// IID partition (docs/ALGORITHMS.md 1.1): shuffle all indices with the generator, then cut the
/// permutation into N contiguous chunks; chunk j is [floor(j·n/N), floor((j+1)·n/N)), so sizes
/// differ by at most one. Each client's indices are in shuffled order.
public enum IIDPartitioner {
    /// - Precondition: 1 <= clients <= sampleCount (checked with an error by `makePartition`).
    public static func split(sampleCount n: Int, clients: Int, rng: inout SeededRNG) -> [[Int]] {
        precondition(clients >= 1 && clients <= n, "IID: \(clients) clients for \(n) samples")
        var order = Array(0..<n)
        rng.shuffle(&order)
        return (0..<clients).map { j in Array(order[(j * n / clients)..<((j + 1) * n / clients)]) }
    }
}
