/// How a model kind declares itself to the registry: its scenario name (`model.kind`), its
/// parameters (`hidden`), and how to build it for the data's sample shape and class count.
/// One per model, next to the model's code.
public struct ModelDescriptor: Sendable {
    public let name: String
    /// One line for the docs.
    public let summary: String
    public let parameters: [Parameter]
    private let build: @Sendable (ParameterValues, _ inputShape: [Int], _ classes: Int) throws -> any Model

    /// `build` gets one sample's shape (`Dataset.shape`: `[C, H, W]` for images, `[d]` for flat
    /// features) and throws a `ParameterError` when the model cannot be built for it (a
    /// convolution on flat features, a kernel larger than the image).
    public init(name: String, summary: String, parameters: [Parameter] = [],
                build: @escaping @Sendable (ParameterValues, _ inputShape: [Int], _ classes: Int) throws -> any Model) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.build = build
    }

    /// Every parameter at its default.
    public var defaults: ParameterValues { ParameterSchema(parameters).defaults }

    /// The model for samples of shape `inputShape` and `classes` classes.
    public func make(_ values: ParameterValues, inputShape: [Int], classes: Int) throws -> any Model {
        try build(values, inputShape, classes)
    }

    /// The model for flat samples of `inputDimension` features.
    public func make(_ values: ParameterValues, inputDimension: Int, classes: Int) throws -> any Model {
        try build(values, [inputDimension], classes)
    }
}
