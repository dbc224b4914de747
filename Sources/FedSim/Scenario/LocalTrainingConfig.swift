import FedEval

/// The `local_training:` section: how honest clients change their local training. Today one
/// key, `adversarial` (federated adversarial training, `AdversarialTraining`):
///
///     local_training: {adversarial: {attack: pgd, epsilon: 0.1, steps: 7, step_size: auto, ratio: 0.5}}
///
/// Absent or empty: plain training, and the resolved scenario (so the fingerprint) has no
/// `local_training` key. Malicious clients keep their own training (their attack's).
public struct LocalTrainingConfig: Sendable, Equatable {
    /// Adversarial examples mixed into every honest client's minibatches, or nil.
    public var adversarial: AdversarialTraining?

    public init(adversarial: AdversarialTraining? = nil) {
        self.adversarial = adversarial
    }

    public var isEmpty: Bool { adversarial == nil }
}

extension LocalTrainingConfig: ScenarioSection {
    static let key = "local_training"

    init(reading r: ScenarioReader) throws {
        guard let a = try r.optionalSection("adversarial") else {
            self.init()
            return
        }
        let attack = try a.choice("attack", default: AdversarialTraining.Attack.pgd)
        let epsilon = try a.double("epsilon", default: 0.1, range: .openClosed(0, 1))
        let steps = try a.int("steps", default: 7, range: .closed(1, 1000))
        let stepSize = try a.autoOrNumber("step_size", range: .openClosed(0, 1)) ?? .auto
        let ratio = try a.double("ratio", default: 0.5, range: .openClosed(0, 1))
        try a.finish()
        var size: Double?
        if case let .value(v) = stepSize { size = v }
        self.init(adversarial: AdversarialTraining(attack: attack, epsilon: epsilon, steps: steps, stepSize: size, ratio: ratio))
    }

    var resolvedFields: [(String, ResolvedValue)] {
        guard let a = adversarial else { return [] }
        return [("adversarial", .section([
            ("attack", .choice(a.attack)), ("epsilon", .number(a.epsilon)), ("steps", .int(a.steps)),
            ("step_size", a.stepSize.map { .number($0) } ?? .word("auto")), ("ratio", .number(a.ratio)),
        ]))]
    }
}
