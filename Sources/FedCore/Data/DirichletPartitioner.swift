/// Per-class Dirichlet label-skew partition (Hsu, Qi & Brown, "Measuring the effects of
/// non-identical data distribution for federated visual classification", arXiv 1909.06335,
/// 2019; docs/ALGORITHMS.md 1.2, the variant of LPD-EPFL/byzfl `dirichlet_niid_idx`).
///
/// One draw: for each class k = 0, 1, ..., C − 1 in order, draw client shares
/// p_k ~ Dir(α·1_N), shuffle the indices of class k, and cut them at
/// c_j = floor((p_k,0 + ... + p_k,j−1) · |class k|) for j = 1 ... N − 1 (c_0 = 0,
/// c_N = |class k|); piece j goes to client j. Client sizes are unequal by design.
///
/// With small α some clients get almost nothing, so a draw in which any client holds fewer
/// than `minSamples` samples is rejected and the whole partition redrawn (the generator moves
/// on, so this stays deterministic). The number of rejected draws is reported in
/// `Partition.redraws`; after `maxRedraws` of them the partitioner gives up with an error.
/// This is NOT the per-client variant q_j ~ Dir(α·prior); the two are not equivalent.
public struct DirichletPartitioner: Sendable, Equatable {
    /// Concentration α > 0.
    public let alpha: Double
    /// Minimum number of samples per client (0 disables the rule).
    public let minSamples: Int
    /// Rejected draws allowed before giving up.
    public let maxRedraws: Int

    /// - Throws: `DataError.invalidParameter` for α <= 0 or not finite, minSamples < 0, or
    ///   maxRedraws < 0.
    public init(alpha: Double, minSamples: Int = 10, maxRedraws: Int = 1000) throws {
        guard alpha > 0, alpha.isFinite else {
            throw DataError.invalidParameter(what: "dirichlet: alpha must be finite and > 0; got \(alpha)")
        }
        guard minSamples >= 0 else {
            throw DataError.invalidParameter(what: "dirichlet: minSamples must be >= 0; got \(minSamples)")
        }
        guard maxRedraws >= 0 else {
            throw DataError.invalidParameter(what: "dirichlet: maxRedraws must be >= 0; got \(maxRedraws)")
        }
        self.alpha = alpha
        self.minSamples = minSamples
        self.maxRedraws = maxRedraws
    }

    /// Partitions the samples with the given labels among `clients` clients.
    ///
    /// - Throws: `DataError.tooManyClients`; `DataError.invalidParameter` if
    ///   clients · minSamples > labels.count (no draw could succeed);
    ///   `DataError.dirichletGaveUp` after `maxRedraws` rejected draws.
    public func split(labels: [Int32], classes: Int, clients: Int,
                      rng: inout SeededRNG) throws -> Partition {
        let n = labels.count
        guard clients >= 1, clients <= n else { throw DataError.tooManyClients(clients: clients, samples: n) }
        let (needed, overflow) = clients.multipliedReportingOverflow(by: minSamples)
        guard !overflow, needed <= n else {
            throw DataError.invalidParameter(
                what: "dirichlet: \(clients) clients x minSamples \(minSamples) needs \(overflow ? Int.max : needed) samples; only \(n)")
        }
        let byClass = indicesByClass(labels, classes: classes)
        var redraws = 0
        while true {
            let parts = draw(byClass: byClass, clients: clients, rng: &rng)
            if parts.allSatisfy({ $0.count >= minSamples }) {
                return Partition(clientIndices: parts, redraws: redraws)
            }
            if redraws == maxRedraws {
                throw DataError.dirichletGaveUp(alpha: alpha, clients: clients, minSamples: minSamples,
                                                redraws: redraws, samples: n)
            }
            redraws += 1
        }
    }

    /// One draw of the per-class scheme (no minimum-size check).
    func draw(byClass: [[Int]], clients: Int, rng: inout SeededRNG) -> [[Int]] {
        var parts = [[Int]](repeating: [], count: clients)
        for classIndices in byClass {
            let p = rng.nextDirichlet(concentration: alpha, count: clients)
            var idx = classIndices
            rng.shuffle(&idx)
            let size = idx.count
            var cumulative = 0.0
            var start = 0
            for j in 0..<clients {
                let end: Int
                if j == clients - 1 {
                    end = size
                } else {
                    cumulative += p[j]
                    end = min(size, max(start, Int((cumulative * Double(size)).rounded(.down))))
                }
                if end > start { parts[j].append(contentsOf: idx[start..<end]) }
                start = end
            }
        }
        return parts
    }
}
