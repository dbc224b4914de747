import FedCore

/// The `model:` section: a registered model kind (`Registry.models`) and the values of the
/// parameters it declares (`hidden` for the MLP).
public struct ModelConfig: Sendable, Equatable {
    public let kind: String
    public let values: ParameterValues

    /// Model `kind` with its parameters at their defaults (the name must be registered).
    public init(_ kind: String = "mlp") {
        self.init(kind: kind, values: ModelConfig.descriptor(kind).defaults)
    }

    init(kind: String, values: ParameterValues) {
        self.kind = kind
        self.values = values
    }

    public var descriptor: ModelDescriptor { ModelConfig.descriptor(kind) }

    /// The model for the data's sample shape and classes; throws when the model cannot take
    /// that shape (a convolution on flat features).
    public func make(inputShape: [Int], classes: Int) throws -> any Model {
        try descriptor.make(values, inputShape: inputShape, classes: classes)
    }

    static func descriptor(_ kind: String) -> ModelDescriptor {
        guard let d = Registry.model(kind) else { preconditionFailure("no registered model \(kind)") }
        return d
    }
}

extension ModelConfig: ScenarioSection {
    static let key = "model"

    init(reading reader: ScenarioReader) throws {
        let kind = try reader.name("kind", allowed: Registry.models.map(\.name), default: "mlp")
        self.init(kind: kind, values: try reader.parameters(ModelConfig.descriptor(kind).parameters) { $0 })
    }

    var resolvedFields: [(String, ResolvedValue)] {
        [("kind", .word(kind))] + ResolvedValue.parameters(values)
    }
}
