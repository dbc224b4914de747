import FedEval

extension Registry {
    /// The threat evaluations a scenario's `evaluate:` section may enable, each under its own
    /// key (`adversarial: {...}`), run in this order after the rounds `evaluate.every` picks.
    public static let evaluations: [EvaluationDescriptor] = [
        AdversarialEvaluation.descriptor,
        MembershipEvaluation.descriptor,
        InversionEvaluation.descriptor,
        ModelInversionEvaluation.descriptor,
        ExtractionEvaluation.descriptor,
    ]

    public static func evaluation(_ name: String) -> EvaluationDescriptor? {
        evaluations.first { $0.name == name }
    }
}
