/// Shard partition (McMahan, Moore, Ramage, Hampson & Agüera y Arcas, "Communication-efficient
/// learning of deep networks from decentralized data", AISTATS 2017; docs/ALGORITHMS.md 1.3).
///
/// Put the indices in label-sorted order (`LabelSortedOrder`: a seeded shuffle, then a stable
/// sort by label, so that inside a class the order is random, not the file's), cut it into
/// S = N·s contiguous shards, shard i = [floor(i·n/S), floor((i+1)·n/S)) (equal sizes when S
/// divides n, otherwise sizes differ by at most one, and no sample is dropped), shuffle the
/// shard ids with the generator and give client j the shards at positions j·s ..< (j+1)·s.
/// A shard spans at most two labels when it is smaller than every class, so a client sees at
/// most 2·s classes and usually s (canonical MNIST: 200 shards of 300, 100 clients x 2).
public enum ShardPartitioner {
    /// - Throws: `DataError.invalidParameter` if perClient < 1, `DataError.emptyShards` if
    ///   clients · perClient > labels.count.
    public static func split(labels: [Int32], classes: Int, clients: Int, perClient: Int,
                             rng: inout SeededRNG) throws -> [[Int]] {
        guard perClient >= 1 else {
            throw DataError.invalidParameter(what: "shards: perClient must be >= 1; got \(perClient)")
        }
        guard clients >= 1, clients <= labels.count else {
            throw DataError.tooManyClients(clients: clients, samples: labels.count)
        }
        let n = labels.count
        let (shardCount, overflow) = clients.multipliedReportingOverflow(by: perClient)
        guard !overflow, shardCount <= n else {
            throw DataError.emptyShards(clients: clients, shardsPerClient: perClient, samples: n)
        }
        let sorted = LabelSortedOrder.indices(labels: labels, classes: classes, rng: &rng)
        var shardIDs = Array(0..<shardCount)
        rng.shuffle(&shardIDs)
        return (0..<clients).map { j in
            var mine = [Int]()
            for slot in (j * perClient)..<((j + 1) * perClient) {
                let s = shardIDs[slot]
                mine.append(contentsOf: sorted[(s * n / shardCount)..<((s + 1) * n / shardCount)])
            }
            return mine
        }
    }
}
