import FedCore

/// Constrain-and-scale model replacement (Bagdasaryan, Veit, Hua, Estrin & Shmatikov, "How To
/// Backdoor Federated Learning", AISTATS 2020, section 4): the attacker trains its backdoor on
///
///     L = α · L_task(θ) + (1 − α) · ‖θ − G‖²
///
/// (G the global model it received; the paper's anomaly term, here the L2 distance to G that
/// a distance-based defence would see), then scales its update by γ (`boost`, default
/// auto = n / (f·η), the model-replacement factor split among the attackers). α = 1 is the
/// plain boosted backdoor; smaller α keeps the update closer to the global model before
/// scaling, so that norm- and distance-based rules see less of it. The data side is
/// `Backdoor` with the same parameters. The authors' code also offers a cosine anomaly term;
/// fedsim implements the L2 one (docs/ALGORITHMS.md).
public struct ConstrainAndScale: ModelAttack, Equatable {
    /// Weight of the task loss, in (0, 1].
    public let alpha: Double
    public var name: String { "constrain-and-scale" }
    public var needsCollusion: Bool { false }

    public init(alpha: Double = 0.7) throws {
        guard alpha > 0, alpha <= 1 else {
            throw AttackError.parameter(attack: "constrain-and-scale", message: "alpha must be in (0, 1]; got \(alpha)")
        }
        self.alpha = alpha
    }

    public func trainingAdjustment(global: [Float], previousGlobalChange: [Float]?) -> GradientAdjustment? {
        alpha == 1 ? nil : .proximal(center: global, alpha: Float(alpha))
    }

    /// The update as trained; the boost (γ) is applied by the client like every boosted attack.
    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix { input.own }
}

extension ConstrainAndScale {
    public static let descriptor = AttackDescriptor(
        name: "constrain-and-scale",
        summary: "a backdoor trained with a pull toward the global model, then scaled to replace it (Bagdasaryan et al., AISTATS 2020)",
        parameters: Backdoor.descriptor.parameters.map { p in
            // Model replacement is the point: boost defaults to auto here.
            p.key == "boost" ? Parameter("boost", p.type, default: .word("auto"), doc: p.doc) : p
        } + [
            Parameter("alpha", .number(.openClosed(0, 1)), default: .number(0.7),
                      doc: "weight of the task loss; 1 - alpha weighs the squared distance to the global model"),
        ],
        role: .dataAndModel(data: Backdoor.poisoning, model: { values in try ConstrainAndScale(alpha: values.double("alpha")) }),
        successMetric: Backdoor.descriptor.successMetric,
        boost: Backdoor.descriptor.boost)
}
