/// How a training set is divided among federated clients (docs/ALGORITHMS.md section 1).
public enum PartitionSpec: Sendable, Equatable {
    /// Shuffle, then N near-equal contiguous chunks (sizes differ by at most 1).
    case iid
    /// Per-class Dirichlet label skew (Hsu, Qi & Brown, arXiv 1909.06335, 2019): for each class,
    /// client shares p ~ Dir(alpha · 1_N). Small alpha (0.1) is very skewed, alpha >= 100 is
    /// close to IID. Redrawn until every client has at least `minSamples` samples.
    case dirichlet(alpha: Double, minSamples: Int = 10)
    /// McMahan et al. (AISTATS 2017) pathological non-IID: shuffle, sort by label, cut into
    /// N · perClient shards, give each client `perClient` random shards.
    case shards(perClient: Int)
    /// Karimireddy, He & Jaggi (ICLR 2022) extreme non-IID: shuffle, sort by label, cut into N
    /// contiguous chunks in client order (client 0 holds the lowest labels).
    case sorted
}

/// The result of partitioning: which samples of the training set each client holds.
public struct Partition: Sendable, Equatable {
    /// `clientIndices[j]` are the indices (into the partitioned dataset) held by client j.
    /// The lists are disjoint and together cover every sample exactly once.
    public var clientIndices: [[Int]]
    /// How many complete draws were rejected before this one (Dirichlet's minimum-size rule;
    /// 0 for the other kinds). Worth logging: many redraws mean the minimum distorts alpha.
    public var redraws: Int

    public init(clientIndices: [[Int]], redraws: Int = 0) {
        self.clientIndices = clientIndices
        self.redraws = redraws
    }

    /// Number of clients.
    public var clients: Int { clientIndices.count }

    /// Number of samples each client holds.
    public var sizes: [Int] { clientIndices.map(\.count) }

    /// `counts[j][k]` = number of samples of class k held by client j.
    public func labelCounts(of data: Dataset) -> [[Int]] {
        clientIndices.map { indices in
            var c = [Int](repeating: 0, count: data.classes)
            for i in indices { c[Int(data.labels[i])] += 1 }
            return c
        }
    }

    /// Client j's local dataset.
    public func dataset(for client: Int, of data: Dataset) -> Dataset {
        data.subset(clientIndices[client])
    }
}

/// Divides the samples of `data` among `clients` clients as `spec` says, drawing from `rng`.
/// The same data, spec and generator state always give the same partition.
///
/// - Throws: `DataError.tooManyClients` unless 1 <= clients <= data.count;
///   `DataError.invalidParameter` for a non-positive alpha, a negative minimum, or a minimum
///   that clients · minSamples > samples makes impossible; `DataError.emptyShards` when
///   clients · perClient > samples; `DataError.dirichletGaveUp` after
///   `DirichletPartitioner.maxRedraws` rejected draws.
public func makePartition(_ data: Dataset, clients: Int, spec: PartitionSpec,
                          rng: inout SeededRNG) throws -> Partition {
    guard clients >= 1, clients <= data.count else {
        throw DataError.tooManyClients(clients: clients, samples: data.count)
    }
    switch spec {
    case .iid:
        return Partition(clientIndices: IIDPartitioner.split(sampleCount: data.count, clients: clients, rng: &rng))
    case let .dirichlet(alpha, minSamples):
        let partitioner = try DirichletPartitioner(alpha: alpha, minSamples: minSamples)
        return try partitioner.split(labels: data.labels, classes: data.classes, clients: clients, rng: &rng)
    case let .shards(perClient):
        return Partition(clientIndices: try ShardPartitioner.split(labels: data.labels, classes: data.classes,
                                                                   clients: clients, perClient: perClient,
                                                                   rng: &rng))
    case .sorted:
        return Partition(clientIndices: try SortedPartitioner.split(labels: data.labels, classes: data.classes,
                                                                    clients: clients, rng: &rng))
    }
}

/// Sample indices grouped by class, each group in ascending index order.
func indicesByClass(_ labels: [Int32], classes: Int) -> [[Int]] {
    var groups = [[Int]](repeating: [], count: classes)
    for (i, y) in labels.enumerated() { groups[Int(y)].append(i) }
    return groups
}
