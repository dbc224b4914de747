import FedCore
import FedEval

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
    public let initialParameters: [Float]
    /// The valid inputs after normalisation: the dataset's raw range mapped through the
    /// normaliser, or the training set's per-feature span (threat evaluations measure in it).
    public let inputDomain: InputDomain
    /// The map fitted on the training set and applied to both sets (nil: not recorded).
    public let normalizer: Normalizer?

    /// The parts as given; the input domain defaults to the training set's per-feature span.
    public init(train: Dataset, test: Dataset, partition: Partition, model: any Model, initialParameters: [Float],
                inputDomain: InputDomain? = nil, normalizer: Normalizer? = nil) {
        self.normalizer = normalizer
        self.train = train
        self.test = test
        self.partition = partition
        self.model = model
        self.initialParameters = initialParameters
        self.inputDomain = inputDomain ?? InputDomain(spanOf: train)
    }

    /// With a `memoryLimit`, the run's memory estimate (`MemoryEstimate`) is checked against it
    /// after the model is described and before its parameters are allocated.
    public static func prepare(_ scenario: Scenario, memoryLimit: MemoryLimit? = nil,
                               scope: MemoryEstimate.Scope = .run) throws -> FederationData {
        let root = SeededRNG(seed: scenario.seed)
        var (train, test) = try scenario.dataset.descriptor.load(scenario.dataset, root)
        let normalizer = Normalizer.fit(scenario.dataset.normalize.core, on: train)
        normalizer.apply(to: &train)
        normalizer.apply(to: &test)

        var partRNG = root.derive("partition")
        let partition = try makePartition(train, clients: scenario.federation.clients,
                                          spec: scenario.partition.spec, rng: &partRNG)
        let model = try scenario.model.make(inputShape: train.shape, classes: max(train.classes, test.classes))
        if let memoryLimit {
            try memoryEstimate(scenario, model: model, train: train, test: test, partition: partition, scope: scope)
                .check(against: memoryLimit)
        }
        for e in scenario.evaluate.evaluations {
            if let refusal = e.refusal(on: model) { throw refusal }
        }
        var initRNG = root.derive("init")
        let initial = model.initialParameters(rng: &initRNG)
        let domain = scenario.dataset.descriptor.rawRange.map {
            InputDomain(raw: $0.lowerBound, $0.upperBound, dimension: train.dimension, normalizer: normalizer)
        } ?? InputDomain(spanOf: train)
        return FederationData(train: train, test: test, partition: partition, model: model,
                              initialParameters: initial, inputDomain: domain, normalizer: normalizer)
    }

    /// One line on what was loaded, for `fedsim check`: "digits: 1437 train + 360 test samples
    /// of shape [1, 8, 8], 10 classes; 10 clients (iid) hold 143...144 samples each".
    public func summary(partition kind: String) -> String {
        let sizes = partition.sizes
        return "\(train.name): \(train.count) train + \(test.count) test samples of shape \(train.shape), "
            + "\(max(train.classes, test.classes)) classes; \(partition.clients) clients (\(kind)) hold "
            + "\(sizes.min() ?? 0)...\(sizes.max() ?? 0) samples each"
    }

    /// The memory the run will need (see `MemoryEstimate`) for this model and data. With the
    /// `partition`, a client process of `fedsim run` holds only its shard file's samples (its
    /// clients' shares of the training set): the largest of those is its data.
    public static func memoryEstimate(_ scenario: Scenario, model: any Model, train: Dataset, test: Dataset,
                                      partition: Partition? = nil, scope: MemoryEstimate.Scope = .run) -> MemoryEstimate {
        let bytesPerSample = Double(train.dimension) * 4 + 4
        let shard = partition.map { p in
            ClientIdList.groups(clients: p.clients, processes: scenario.federation.processes)
                .map { ids in ids.reduce(0) { $0 + p.clientIndices[$1].count } }.max() ?? 0
        }
        return MemoryEstimate(scenario: scenario, parameters: model.parameterCount,
                              dataBytes: Double(train.count + test.count) * bytesPerSample,
                              clientDataBytes: shard.map { Double($0) * bytesPerSample }, scope: scope)
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
}

// MARK: - Scenario choices -> engine values

extension NormalizeKind {
    var core: NormalizationKind {
        switch self {
        case .none: return .none
        case .minmax: return .minmax
        case .standard: return .standard
        case .pixels: return .pixels
        case .channels: return .channels
        }
    }
}
