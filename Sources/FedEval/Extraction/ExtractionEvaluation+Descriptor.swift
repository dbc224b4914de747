import FedCore

extension ExtractionEvaluation {
    /// The values read from a scenario's `evaluate.extraction` section.
    public init(_ values: ParameterValues) {
        let response: PredictionOracle.Response
        if values.bool("labels_only") {
            response = .labels
        } else if let k = values.optionalInt("rounding") {
            response = .rounded(k)
        } else {
            response = .probabilities
        }
        self.init(budgets: values.ints("queries"), source: Source(rawValue: values.word("source")) ?? .jacobian,
                  surrogate: SurrogateKind(rawValue: values.word("surrogate")) ?? .same, hidden: values.ints("hidden"),
                  softLabels: values.bool("soft_labels"),
                  training: SurrogateTraining(steps: values.int("steps"), batchSize: values.int("batch_size"),
                                              sgd: SGDConfig(learningRate: Float(values.double("lr")),
                                                             momentum: Float(values.double("momentum")))),
                  seedSize: values.int("seed_size"), augmentationStep: Float(values.double("augmentation_step")),
                  equationSolving: values.bool("equation_solving"), equationQueries: values.optionalInt("equation_queries"),
                  hyperparameterStealing: values.bool("hyperparameter_stealing"), response: response)
    }

    public static let descriptor = EvaluationDescriptor(
        name: "extraction",
        summary: "model extraction through the global model's probabilities: a surrogate per query budget "
            + "(Tramèr et al. 2016; Papernot et al. 2017, Jacobian augmentation), equation solving of a logistic "
            + "regression (Tramèr et al. 2016) and hyperparameter stealing of the L2 strength (Wang & Gong 2018)",
        parameters: [
            Parameter("queries", .integers(element: Interval(1...10_000_000), count: 1...16), default: .ints([100, 1000, 5000]),
                      doc: "query budgets; one surrogate per budget (each budget's queries are a prefix of the largest's)"),
            Parameter("source", .choice(Source.allCases.map(\.rawValue)), default: .word(Source.jacobian.rawValue),
                      doc: "the surrogate's queries: heldout inputs (a budget above the pool is left out), uniform noise in "
                          + "the input domain, or jacobian augmentation from seed_size held-out inputs"),
            Parameter("surrogate", .choice(SurrogateKind.allCases.map(\.rawValue)), default: .word(SurrogateKind.same.rawValue),
                      doc: "the surrogate: same (the target's architecture, fresh initialisation), logistic or mlp"),
            Parameter("hidden", .integers(element: Interval(1...1_000_000), count: 0...8), default: .ints([64]),
                      doc: "hidden widths of the mlp surrogate"),
            Parameter("soft_labels", .boolean, default: .bool(true),
                      doc: "train the surrogate on the returned probabilities (false: on their argmax only)"),
            Parameter("steps", .integer(Interval(1...10_000_000)), default: .int(1000),
                      doc: "SGD steps of each surrogate training, whatever the budget"),
            Parameter("batch_size", .integer(Interval(1...100_000)), default: .int(32), doc: "surrogate minibatch size"),
            Parameter("lr", .number(.open(0, 100)), default: .number(0.05), doc: "surrogate learning rate"),
            Parameter("momentum", .number(.closedOpen(0, 1)), default: .number(0.9), doc: "surrogate SGD momentum"),
            Parameter("seed_size", .integer(Interval(1...10_000_000)), default: .int(50),
                      doc: "jacobian: held-out inputs the augmentation starts from (Papernot et al. used 150)"),
            Parameter("augmentation_step", .number(.open(0, 1)), default: .number(0.1),
                      doc: "jacobian: the step lambda in units of each feature's width (Papernot et al.: 0.1)"),
            Parameter("equation_solving", .boolean, default: .bool(false),
                      doc: "recover a logistic-regression target's parameters from its probabilities (needs a linear softmax model)"),
            Parameter("equation_queries", .integer(Interval(2...10_000_000)), default: .null,
                      doc: "queries of the equation-solving attack (default: input dimension + 1, the exact minimum)"),
            Parameter("hyperparameter_stealing", .boolean, default: .bool(true),
                      doc: "estimate the L2 strength from the global model and the clients' data (one gradient pass over them)"),
            Parameter("rounding", .integer(Interval(0...9)), default: .null,
                      doc: "defence: the API rounds its probabilities to this many decimals"),
            Parameter("labels_only", .boolean, default: .bool(false), doc: "defence: the API returns the predicted class only"),
        ],
        figures: { values in
            var f = [(name: String, doc: String)]()
            for q in Array(Set(values.ints("queries"))).sorted() {
                f.append((agreementFigure(q), "share of test inputs where the surrogate from \(q) queries predicts the target's class"))
                f.append((accuracyFigure(q), "test accuracy of the surrogate from \(q) queries"))
            }
            if values.bool("equation_solving") {
                f.append(("ext_equation_error", "relative error of the recovered logistic-regression parameters, centred over "
                          + "the classes (empty: the system could not be solved)"))
                f.append(("ext_equation_queries", "queries the equation-solving attack used"))
            }
            if values.bool("hyperparameter_stealing") {
                f.append(("ext_lambda", "the L2 strength that makes the global model stationary on the clients' data"))
                f.append(("ext_lambda_error", "|ext_lambda - weight_decay| / weight_decay (empty without weight decay)"))
            }
            return f
        },
        normalize: { values throws(ParameterError) in
            if values.bool("labels_only") && values.optionalInt("rounding") != nil {
                throw ParameterError(key: "rounding", "give rounding or labels_only, not both")
            }
            let budgets = values.ints("queries")
            if Set(budgets).count != budgets.count {
                throw ParameterError(key: "queries", "budgets must differ; got \(budgets)")
            }
        },
        check: { values, model in
            guard values.bool("equation_solving"), !EquationSolving.isLinearSoftmax(model) else { return nil }
            return "extraction.equation_solving needs a multinomial logistic-regression model (kind logistic, mlp with "
                + "hidden: [], or layers: []); this model is \(EquationSolving.describe(model))"
        }
    ) { values, input in
        try ExtractionEvaluation(values).evaluate(input)
    }
}
