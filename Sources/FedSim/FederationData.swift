import FedCore

/// Everything a scenario determines before the first round: the data (loaded, split,
/// normalised), the partition over clients, the model and its initial parameters.
///
/// The coordinator and every client process build it from the same resolved scenario and
/// seed, so each client process finds its own partition without receiving any data.
public struct FederationData: Sendable {
    public let train: Dataset
    public let test: Dataset
    public let partition: Partition
    public let model: any Model
    public let modelSpec: ModelSpec
    public let initialParameters: [Float]

    public static func prepare(_ scenario: Scenario) throws -> FederationData {
        let root = SeededRNG(seed: scenario.seed)
        var (train, test) = try loadSplit(scenario.dataset, rng: root)
        let normalizer = Normalizer.fit(scenario.dataset.normalize.core, on: train)
        normalizer.apply(to: &train)
        normalizer.apply(to: &test)

        var partRNG = root.derive("partition")
        let partition = try makePartition(train, clients: scenario.federation.clients,
                                          spec: scenario.partition.core, rng: &partRNG)
        let spec = scenario.model.core
        let model = makeModel(spec, inputDimension: train.dimension, classes: max(train.classes, test.classes))
        var initRNG = root.derive("init")
        let initial = model.initialParameters(rng: &initRNG)
        return FederationData(train: train, test: test, partition: partition, model: model,
                              modelSpec: spec, initialParameters: initial)
    }

    /// The local dataset of logical client `id`.
    public func clientData(_ id: Int) -> Dataset {
        train.subset(partition.clientIndices[id])
    }

    /// The local training procedure every honest client runs.
    public static func localTraining(_ f: FederationConfig) -> LocalTraining {
        LocalTraining(epochs: f.localEpochs, batchSize: f.batchSize,
                      sgd: SGDConfig(learningRate: Float(f.learningRate), momentum: Float(f.momentum),
                                     weightDecay: Float(f.weightDecay)))
    }

    private static func loadSplit(_ d: DatasetConfig, rng: SeededRNG) throws -> (Dataset, Dataset) {
        var splitRNG = rng.derive("split")
        switch d.kind {
        case .digits:
            return stratifiedSplit(try DigitsData.load(), testFraction: d.testFraction, rng: &splitRNG)
        case .csv:
            return stratifiedSplit(try CSVLoader.load(path: d.path ?? ""), testFraction: d.testFraction, rng: &splitRNG)
        case .synthetic:
            var gen = rng.derive("synthetic")
            let s = d.synthetic
            let all = GaussianMixture(samples: s.samples, features: s.features, classes: s.classes,
                                      separation: s.separation).generate(rng: &gen)
            return stratifiedSplit(all, testFraction: d.testFraction, rng: &splitRNG)
        case .idx:
            let train = try IDXLoader.load(images: d.trainImages ?? "", labels: d.trainLabels ?? "")
            if let ti = d.testImages, let tl = d.testLabels {
                return (train, try IDXLoader.load(images: ti, labels: tl))
            }
            return stratifiedSplit(train, testFraction: d.testFraction, rng: &splitRNG)
        }
    }
}

// MARK: - Scenario choices -> engine values

extension NormalizeKind {
    var core: NormalizationKind {
        switch self {
        case .none: return .none
        case .minmax: return .minmax
        case .standard: return .standard
        }
    }
}

extension PartitionConfig {
    var core: PartitionSpec {
        switch kind {
        case .iid: return .iid
        case .dirichlet: return .dirichlet(alpha: alpha, minSamples: minSamples)
        case .shards: return .shards(perClient: shardsPerClient)
        }
    }
}

extension ModelConfig {
    var core: ModelSpec {
        switch kind {
        case .logistic: return .logistic
        case .mlp: return .mlp(hidden: hidden)
        }
    }
}
