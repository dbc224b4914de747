import FedCore

/// Adversarial training of an honest client (Madry et al., ICLR 2018; in federated learning,
/// "FAT", Zizzo, Rawat, Sinn & Buesser, 2020): in every minibatch of local training, the first
/// `round(ratio · B)` samples (the batch is already in shuffled order, so a random share) are
/// replaced by adversarial examples of themselves, made against the client's current local
/// parameters, with their labels kept; the SGD step then minimises
///
///     (1 − ratio) · CE(clean part) + ratio · CE(adversarial part)     (as one batch mean)
///
/// ratio = 1 is Madry's min-max training; ratio = 0.5 is Goodfellow et al.'s (2015) even mix
/// and the FAT default. The examples come from PGD (random start, `steps` steps of `stepSize`,
/// nil: 2.5 ε / steps) or FGSM, in evaluation mode (dropout off), with ε and the step size as
/// fractions of each feature's range (`InputDomain`), like the evaluation's.
public struct AdversarialTraining: Sendable, Equatable {
    public enum Attack: String, CaseIterable, Sendable { case pgd, fgsm }

    public var attack: Attack
    public var epsilon: Double
    public var steps: Int
    /// nil: `PGD.autoStepSize`.
    public var stepSize: Double?
    /// Share of each batch replaced, in (0, 1].
    public var ratio: Double

    public init(attack: Attack = .pgd, epsilon: Double = 0.1, steps: Int = 7, stepSize: Double? = nil, ratio: Double = 0.5) {
        self.attack = attack
        self.epsilon = epsilon
        self.steps = steps
        self.stepSize = stepSize
        self.ratio = ratio
    }

    /// The number of samples replaced in a batch of `size`.
    public func replaced(_ size: Int) -> Int { min(size, Int((ratio * Double(size)).rounded())) }

    /// Replaces the first `replaced(size)` rows of the batch with their adversarial examples
    /// (a `BatchTransform` body: random starts from `rng`, scratch from `workspace`).
    public func perturb(model: any Model, parameters: UnsafeBufferPointer<Float>, inputs: UnsafeMutableBufferPointer<Float>,
                        labels: UnsafeBufferPointer<Int32>, size: Int, domain: InputDomain,
                        rng: inout SeededRNG, workspace: AttackWorkspace) {
        let k = replaced(size)
        guard k > 0 else { return }
        let x = UnsafeMutableBufferPointer(rebasing: inputs[0..<(k * model.inputDimension)])
        let y = UnsafeBufferPointer(rebasing: labels[0..<k])
        switch attack {
        case .fgsm:
            FGSM(epsilon: Float(epsilon)).perturb(model: model, parameters: parameters, inputs: x, labels: y, batchSize: k,
                                                  domain: domain, workspace: workspace)
        case .pgd:
            PGD(epsilon: Float(epsilon), stepSize: stepSize.map(Float.init), steps: steps)
                .perturb(model: model, parameters: parameters, inputs: x, labels: y, batchSize: k, domain: domain,
                         rng: &rng, workspace: workspace)
        }
    }

    /// `trainLocally` with this adversarial training: the examples' random starts come from
    /// `rng.derive("adversarial")`, so the shuffles and dropout masks are those of plain training.
    public func train(model: any Model, start: [Float], data: Dataset, config: LocalTraining, domain: InputDomain,
                      rng: inout SeededRNG) -> TrainingResult {
        var attackRNG = rng.derive("adversarial")
        let workspace = AttackWorkspace()
        return trainLocally(model: model, start: start, data: data, config: config, rng: &rng) { p, x, y, size in
            perturb(model: model, parameters: p, inputs: x, labels: y, size: size, domain: domain, rng: &attackRNG,
                    workspace: workspace)
        }
    }
}
