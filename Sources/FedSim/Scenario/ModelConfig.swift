/// The model every client trains.
public enum ModelKind: String, CaseIterable, Sendable, Equatable {
    /// Multinomial logistic regression (softmax over a linear layer); `hidden` is ignored.
    case logistic
    /// Multi-layer perceptron with ReLU hidden layers of widths `hidden`.
    case mlp
}

/// The `model:` section.
public struct ModelConfig: Sendable, Equatable {
    public var kind: ModelKind
    /// Hidden layer widths, input to output (each >= 1, at most 8 layers). `[]` is allowed and
    /// means no hidden layer (the MLP is then a linear softmax model, like `logistic`).
    public var hidden: [Int]

    public init(kind: ModelKind = .mlp, hidden: [Int] = [64]) {
        self.kind = kind
        self.hidden = hidden
    }
}

extension ModelConfig: ScenarioSection {
    static let key = "model"

    init(reading reader: ScenarioReader) throws {
        self.init(
            kind: try reader.choice("kind", default: .mlp),
            hidden: try reader.intList("hidden", default: [64], element: Interval(1...1_000_000), count: 0...8))
    }

    var resolvedFields: [(String, ResolvedValue)] {
        [("kind", .choice(kind)), ("hidden", .integers(hidden))]
    }
}
