import FedRobust

extension Registry {
    /// The steps that may run before the rule, each enabled by its section under `defense:`
    /// (`clip: {norm: 2}`) and applied in this order.
    public static let preAggregation: [PreAggregationDescriptor] = [
        StaticClipping.descriptor,
    ]

    public static func preAggregation(_ name: String) -> PreAggregationDescriptor? {
        preAggregation.first { $0.name == name }
    }
}
