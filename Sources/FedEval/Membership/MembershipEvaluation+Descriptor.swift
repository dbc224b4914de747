import FedCore

extension MembershipEvaluation {
    /// The kinds of the `attacks` list, one bare word each.
    static let attackKinds: [ItemKind] = Attack.allCases.map { ItemKind($0.rawValue, doc: $0.doc) }

    public static let descriptor = EvaluationDescriptor(
        name: "membership",
        summary: "membership inference on the global model and on one client's update: loss (Yeom et al. 2018), "
            + "top confidence (Salem et al. 2019), modified entropy (Song & Mittal 2021) and shadow-model "
            + "(Shokri et al. 2017) attacks; AUC, advantage, TPR at low FPR (Carlini et al. 2022)",
        parameters: [
            Parameter("attacks", .items(attackKinds, count: 1...Attack.allCases.count),
                      default: .items(Attack.allCases.map { ParameterItem(kind: $0.rawValue) }),
                      doc: "the attacks to run, each once; the three threshold attacks share one forward pass"),
            Parameter("shadow_models", .integer(.closed(1, 64)), default: .int(4),
                      doc: "shadow models the shadow attack trains (on half of the held-out set)"),
            Parameter("shadow_epochs", .integer(.closed(1, 10_000)), default: .int(20),
                      doc: "epochs of each shadow model's training, with the clients' batch size and optimiser"),
            Parameter("client", .integer(.atLeast(0)), default: .int(0),
                      doc: "the client whose update this round the per-client view attacks (two forward passes of its samples)"),
        ],
        figures: { values in MembershipEvaluation(values).figures },
        normalize: { values throws(ParameterError) in
            let kinds = values.items("attacks").map(\.kind)
            if let repeated = kinds.first(where: { k in kinds.filter { $0 == k }.count > 1 }) {
                throw ParameterError(key: "attacks", "\(repeated) is listed twice in \(kinds)")
            }
        }
    ) { values, input in
        try MembershipEvaluation(values).evaluate(input)
    }

    /// The settings from checked parameter values.
    public init(_ values: ParameterValues) {
        self.init(attacks: values.items("attacks").compactMap { Attack(rawValue: $0.kind) },
                  shadowModels: values.int("shadow_models"), shadowEpochs: values.int("shadow_epochs"),
                  client: values.optionalInt("client"))
    }
}
