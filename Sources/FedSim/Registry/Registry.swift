import FedAttacks
import FedCore
import FedRobust

/// The one list per extension point. The scenario reader, `fedsim check`, docs/SCENARIOS.md's
/// generated tables, the benchmark and the checkpoint all read these; adding a component is
/// its file (with its descriptor) plus one line in its list. docs/EXTENDING.md walks through it.
public enum Registry {
    /// The descriptor of aggregation rule `name`, or nil.
    public static func aggregator(_ name: String) -> AggregatorDescriptor? {
        aggregators.first { $0.name == name }
    }

    /// The descriptor of attack `name`, or nil.
    public static func attack(_ name: String) -> AttackDescriptor? {
        attacks.first { $0.name == name }
    }

    public static func model(_ name: String) -> ModelDescriptor? {
        models.first { $0.name == name }
    }

    public static func dataset(_ name: String) -> DatasetDescriptor? {
        datasets.first { $0.name == name }
    }

    public static func partition(_ name: String) -> PartitionDescriptor? {
        partitions.first { $0.name == name }
    }
}
