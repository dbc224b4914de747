import FedCore

/// The architecture an extraction attacker trains to imitate the target (Tramèr et al. 2016,
/// sec. 5; Papernot et al., AsiaCCS 2017, sec. 4.1), as a `Sequential` (whose soft-target
/// entry point trains it on returned probabilities).
public enum SurrogateKind: String, CaseIterable, Sendable {
    /// The target's own architecture, freshly initialised (the attacker knows it: the
    /// white-box-architecture setting of both papers).
    case same
    /// Multinomial logistic regression (one dense layer, zero initialisation).
    case logistic
    /// Dense ReLU layers of the given widths, then the output layer (He initialisation).
    case mlp

    /// The surrogate for a target `model` whose samples have `shape`.
    ///
    /// `same` maps a `LogisticRegression` to `[dense(classes)]` (zero init), an `MLP` to its
    /// dense/ReLU stack (its init scheme) and a `Sequential` to its own layer specs (its init
    /// scheme): the same function class and the same parameter layout.
    public func model(for target: any Model, shape: [Int], hidden: [Int]) throws -> Sequential {
        let classes = target.classes
        let inputShape = shape.reduce(1, *) == target.inputDimension ? shape : [target.inputDimension]
        func dense(_ widths: [Int]) -> [LayerSpec] { widths.flatMap { [LayerSpec.dense(outputs: $0), .relu] } + [.dense(outputs: classes)] }
        switch self {
        case .logistic:
            return try Sequential(inputShape: inputShape, layers: [.dense(outputs: classes)], classes: classes, initScheme: .zeros)
        case .mlp:
            return try Sequential(inputShape: inputShape, layers: dense(hidden), classes: classes, initScheme: .he)
        case .same:
            if let s = target as? Sequential {
                return try Sequential(inputShape: s.inputShape, layers: s.specs, classes: classes, initScheme: s.initScheme)
            }
            if let m = target as? MLP {
                return try Sequential(inputShape: inputShape, layers: dense(m.hidden), classes: classes, initScheme: m.initScheme)
            }
            return try Sequential(inputShape: inputShape, layers: [.dense(outputs: classes)], classes: classes, initScheme: .zeros)
        }
    }
}
