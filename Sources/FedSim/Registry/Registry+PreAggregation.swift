import FedRobust

extension Registry {
    /// The steps that may run before the rule, each enabled by its section under `defense:`
    /// (`clip: {norm: 2}`, `nnm: {f: auto}`, `bucketing: {s: 2}`) and applied in this order:
    /// clipping bounds each client's own update first, NNM mixes the clients' updates (its f
    /// counts clients), bucketing averages what it gets.
    public static let preAggregation: [PreAggregationDescriptor] = [
        StaticClipping.descriptor,
        NearestNeighborMixing.descriptor,
        Bucketing.descriptor,
    ]

    public static func preAggregation(_ name: String) -> PreAggregationDescriptor? {
        preAggregation.first { $0.name == name }
    }
}
