import FedCore

/// How a data source declares itself (`dataset.kind`): the keys of `dataset:` it reads, what it
/// requires, and how it loads the train and test sets. Keys a kind does not use are accepted and
/// ignored, so that `--set dataset.kind=...` sweeps keep working from one base scenario.
public struct DatasetDescriptor: Sendable {
    public let name: String
    /// One line for the docs.
    public let summary: String
    /// The keys of `dataset:` this kind reads besides `kind`, `normalize` and `test_fraction`.
    public let uses: [String]
    /// The folder under `$FEDSIM_DATA` this kind reads when `path` is not given ("mnist"), or nil.
    public let dataFolder: String?
    /// `normalize` when the scenario does not say.
    public let defaultNormalize: NormalizeKind
    /// The raw value range of every feature before normalisation (`0...255` for 8-bit images),
    /// or nil when the data declares none (then the training set's per-feature span is the
    /// valid input range of the threat evaluations).
    public let rawRange: ClosedRange<Float>?
    /// A required key that is missing, with the message (`path`, "dataset.kind csv needs ...").
    let missing: @Sendable (DatasetConfig) -> (key: String, message: String)?
    /// The train and test sets (before normalisation); `rng` is the scenario's root generator.
    let load: @Sendable (DatasetConfig, SeededRNG) throws -> (train: Dataset, test: Dataset)

    init(name: String, summary: String, uses: [String] = [], dataFolder: String? = nil,
         normalize: NormalizeKind = .minmax, rawRange: ClosedRange<Float>? = nil,
         missing: @escaping @Sendable (DatasetConfig) -> (key: String, message: String)? = { _ in nil },
         load: @escaping @Sendable (DatasetConfig, SeededRNG) throws -> (train: Dataset, test: Dataset)) {
        self.name = name
        self.summary = summary
        self.uses = uses
        self.dataFolder = dataFolder
        self.defaultNormalize = normalize
        self.rawRange = rawRange
        self.missing = missing
        self.load = load
    }
}

/// How a partition of the training set over clients declares itself (`partition.kind`).
public struct PartitionDescriptor: Sendable {
    public let name: String
    public let summary: String
    /// The keys of `partition:` this kind reads besides `kind`.
    public let uses: [String]
    let spec: @Sendable (PartitionConfig) -> PartitionSpec
}
