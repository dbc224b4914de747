import FedCore
/// The `partition:` section.
public struct PartitionConfig: Sendable, Equatable {
    /// The registered partition (`Registry.partitions`).
    public var kind: String
    /// Dirichlet concentration (> 0); used by `dirichlet`.
    public var alpha: Double
    /// Fewest samples a client may end up with (>= 1); `dirichlet` redraws until it holds.
    public var minSamples: Int
    /// Shards per client (>= 1); used by `shards`.
    public var shardsPerClient: Int

    public init(kind: String = "iid", alpha: Double = 0.5, minSamples: Int = 10, shardsPerClient: Int = 2) {
        self.kind = kind
        self.alpha = alpha
        self.minSamples = minSamples
        self.shardsPerClient = shardsPerClient
    }
}

extension PartitionConfig: ScenarioSection {
    static let key = "partition"

    init(reading reader: ScenarioReader) throws {
        self.init(
            kind: try reader.name("kind", allowed: Registry.partitions.map(\.name), default: "iid"),
            alpha: try reader.double("alpha", default: 0.5, range: .greaterThan(0)),
            minSamples: try reader.int("min_samples", default: 10, range: Interval(1...)),
            shardsPerClient: try reader.int("shards_per_client", default: 2, range: Interval(1...)))
    }

    var resolvedFields: [(String, ResolvedValue)] {
        [("kind", .word(kind)), ("alpha", .number(alpha)), ("min_samples", .int(minSamples)),
         ("shards_per_client", .int(shardsPerClient))]
    }
}

extension PartitionConfig {
    /// The partition's registry entry.
    public var descriptor: PartitionDescriptor {
        guard let d = Registry.partition(kind) else { preconditionFailure("no registered partition \(kind)") }
        return d
    }

    /// FedCore's description of this partition.
    var spec: PartitionSpec { descriptor.spec(self) }
}
