import FedCore

/// A step applied to the round's updates before the rule (ByzFL's pre-aggregators): static
/// clipping today. Steps compose into a chain in the registry's order; each transforms the
/// rows in place and says, per row, whether it scaled that row down (reported as `clipped` in
/// clients.csv). Steps that change the rows themselves (bucketing, nearest-neighbour mixing)
/// extend this with a map from output rows back to clients.
public protocol PreAggregationStep: Sendable {
    /// The scenario name (`defense.<name>`).
    var name: String { get }
    /// Transforms the rows of `updates` in place; per row, whether it was scaled down.
    func apply(_ updates: inout UpdateMatrix) -> [Bool]
}

/// How a pre-aggregation step declares itself to the registry: its scenario name (the key of
/// its section under `defense:`), its parameters and its factory.
public struct PreAggregationDescriptor: Sendable {
    public let name: String
    public let summary: String
    public let parameters: [Parameter]
    private let build: @Sendable (ParameterValues) throws -> any PreAggregationStep

    public init(name: String, summary: String, parameters: [Parameter] = [],
                build: @escaping @Sendable (ParameterValues) throws -> any PreAggregationStep) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.build = build
    }

    public var defaults: ParameterValues { ParameterSchema(parameters).defaults }

    public func make(_ values: ParameterValues) throws -> any PreAggregationStep {
        try build(values)
    }
}
