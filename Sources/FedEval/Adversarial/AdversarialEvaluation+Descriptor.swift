import FedCore

extension AdversarialEvaluation {
    static let attackKinds: [ItemKind] = [
        ItemKind("fgsm", doc: "fast gradient sign method (Goodfellow et al., ICLR 2015)"),
        ItemKind("pgd", doc: "projected gradient descent with random start (Madry et al., ICLR 2018)"),
        ItemKind("cw", doc: "Carlini-Wagner L2 (IEEE S&P 2017)"),
    ]

    /// `evaluate.adversarial`.
    public static let descriptor = EvaluationDescriptor(
        name: "adversarial",
        summary: "white-box adversarial examples against the global model: FGSM (Goodfellow et al., 2015), "
            + "PGD (Madry et al., 2018), Carlini-Wagner L2 (2017); robust accuracy, success rate, perturbation norms",
        parameters: [
            Parameter("attacks", .items(attackKinds, count: 1...3), default: .items(attackKinds.map { ParameterItem($0) }),
                      doc: "the attacks to run, each once"),
            Parameter("epsilon", .numbers(element: .openClosed(0, 1), count: 1...8), default: .numbers([0.1]),
                      doc: "L-inf budget(s) of fgsm and pgd, a fraction of each feature's range; several give one column each"),
            Parameter("steps", .integer(.closed(1, 10_000)), default: .int(20), doc: "PGD steps"),
            Parameter("step_size", .autoOrNumber(.openClosed(0, 1)), default: .number(0.01),
                      doc: "PGD step, a fraction of each feature's range; auto: 2.5 epsilon / steps (Madry et al.)"),
            Parameter("cw_steps", .integer(.closed(1, 100_000)), default: .int(100), doc: "Carlini-Wagner Adam steps per constant c"),
            Parameter("cw_search", .integer(.closed(1, 30)), default: .int(5), doc: "Carlini-Wagner binary search steps over c"),
            Parameter("cw_confidence", .number(.atLeast(0)), default: .number(0),
                      doc: "kappa: the logit margin a Carlini-Wagner example must win by"),
            Parameter("cw_lr", .number(.greaterThan(0)), default: .number(0.1), doc: "Carlini-Wagner Adam learning rate on the tanh-space variables"),
            Parameter("cw_c", .number(.greaterThan(0)), default: .number(0.1), doc: "Carlini-Wagner first constant c"),
        ],
        figures: { values in AdversarialEvaluation(values).figures },
        normalize: { values throws(ParameterError) in
            let names = values.items("attacks").map(\.kind)
            if let twice = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
                throw ParameterError(key: "attacks", "\(twice) is listed twice; list each attack once")
            }
            let eps = values.numbers("epsilon")
            if let twice = eps.first(where: { e in eps.filter { $0 == e }.count > 1 }) {
                throw ParameterError(key: "epsilon", "\(twice) is listed twice; list each budget once")
            }
        }
    ) { values, input in
        AdversarialEvaluation(values).evaluate(input)
    }

    /// The evaluation of checked `values` (the descriptor's parameters).
    public init(_ values: ParameterValues) {
        self.init(attacks: values.items("attacks").compactMap { Attack(rawValue: $0.kind) },
                  epsilons: values.numbers("epsilon"), steps: values.int("steps"),
                  stepSize: values.autoOrDouble("step_size"),
                  carliniWagner: CarliniWagnerL2(steps: values.int("cw_steps"), searchSteps: values.int("cw_search"),
                                                 confidence: Float(values.double("cw_confidence")),
                                                 learningRate: Float(values.double("cw_lr")),
                                                 initialConstant: Float(values.double("cw_c"))))
    }
}
