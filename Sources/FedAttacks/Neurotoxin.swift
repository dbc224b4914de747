import FedCore

/// Neurotoxin (Zhang, Panda, Song, Yang, Mahoney, Mittal, Ramchandran & Gonzalez, "Neurotoxin:
/// Durable Backdoors in Federated Learning", ICML 2022): a backdoor trained only on the
/// coordinates the benign clients change least, so that their later updates do not overwrite
/// it and it outlives the attack.
///
/// The attacker estimates the benign direction by the last change of the global model,
/// Δ = w_t − w_{t−1} (the paper's Algorithm 1), keeps the `1 − maskFraction` coordinates of
/// smallest |Δ_j| (ties: the lower index is kept first) and masks the rest: every minibatch
/// gradient of its backdoor training is multiplied by the mask before the optimizer step
/// (the authors' `p.grad *= mask`; weight decay still acts on every coordinate, as there).
/// Until it has seen two consecutive global models (its first round, or after a round it was
/// not sampled in) it trains as a plain backdoor. The data side is `Backdoor` with the same
/// parameters. BackFed's default mask ratio 0.99 (projection onto the bottom 99%) is
/// `mask_fraction: 0.01`. Durability is read off rounds.csv after `end_round`
/// (docs/ALGORITHMS.md).
public struct Neurotoxin: ModelAttack, Equatable {
    /// Share of the coordinates, those of largest |Δ|, the attacker does not touch (in [0, 1)).
    public let maskFraction: Double
    public var name: String { "neurotoxin" }
    public var needsCollusion: Bool { false }

    public init(maskFraction: Double = 0.01) throws {
        guard maskFraction >= 0, maskFraction < 1 else {
            throw AttackError.parameter(attack: "neurotoxin", message: "mask_fraction must be in [0, 1); got \(maskFraction)")
        }
        self.maskFraction = maskFraction
    }

    /// The coordinates kept trainable: all but the ⌈maskFraction · d⌉ of largest |Δ_j|.
    public func keep(previousGlobalChange delta: [Float]) -> [Bool] {
        let d = delta.count
        let masked = min(d, Int((maskFraction * Double(d)).rounded(.up)))
        var keep = [Bool](repeating: true, count: d)
        guard masked > 0 else { return keep }
        // Largest |Δ| first; equal magnitudes: the higher index is masked first, so the lower is kept.
        let order = (0..<d).sorted { a, b in
            let (x, y) = (abs(delta[a]), abs(delta[b]))
            return x != y ? x > y : a > b
        }
        for j in order.prefix(masked) { keep[j] = false }
        return keep
    }

    public func trainingAdjustment(global: [Float], previousGlobalChange: [Float]?) -> GradientAdjustment? {
        guard let delta = previousGlobalChange, delta.count == global.count else { return nil }
        return .mask(keep(previousGlobalChange: delta))
    }

    /// The update as trained (the mask already acted during training).
    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix { input.own }
}

extension Neurotoxin {
    public static let descriptor = AttackDescriptor(
        name: "neurotoxin",
        summary: "a backdoor trained only on the coordinates the last global change moved least, for durability (Zhang et al., ICML 2022)",
        parameters: Backdoor.descriptor.parameters + [
            Parameter("mask_fraction", .number(.closedOpen(0, 1)), default: .number(0.01),
                      doc: "share of coordinates (largest last global change) the attacker leaves untouched; BackFed's ratio 0.99 is 0.01"),
        ],
        role: .dataAndModel(data: Backdoor.poisoning, model: { values in try Neurotoxin(maskFraction: values.double("mask_fraction")) }),
        successMetric: Backdoor.descriptor.successMetric,
        boost: Backdoor.descriptor.boost)
}
