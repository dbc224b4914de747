/// How a model kind declares itself to the registry: its scenario name (`model.kind`), its
/// parameters (`hidden`), and how to build it for the data's input size and class count.
/// One per model, next to the model's code.
public struct ModelDescriptor: Sendable {
    public let name: String
    /// One line for the docs.
    public let summary: String
    public let parameters: [Parameter]
    private let build: @Sendable (ParameterValues, _ inputDimension: Int, _ classes: Int) -> any Model

    public init(name: String, summary: String, parameters: [Parameter] = [],
                build: @escaping @Sendable (ParameterValues, _ inputDimension: Int, _ classes: Int) -> any Model) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.build = build
    }

    /// Every parameter at its default.
    public var defaults: ParameterValues { ParameterSchema(parameters).defaults }

    /// The model for inputs of `inputDimension` features and `classes` classes.
    public func make(_ values: ParameterValues, inputDimension: Int, classes: Int) -> any Model {
        build(values, inputDimension, classes)
    }
}
