import FedCore

extension ModelInversionEvaluation {
    /// The values read from a scenario's `evaluate.model_inversion` section.
    public init(_ values: ParameterValues) {
        self.init(classes: Self.classes(values),
                  inversion: ModelInversion(iterations: values.int("iterations"), learningRate: Float(values.double("lr")),
                                            tv: Float(values.double("tv")),
                                            cost: ModelInversion.Cost(rawValue: values.word("cost")) ?? .crossEntropy,
                                            start: ModelInversion.Start(rawValue: values.word("start")) ?? .mean))
    }

    /// `classes`: `all` is [] (every class), else the listed classes, sorted, once each.
    static func classes(_ values: ParameterValues) -> [Int] {
        values["classes"] == .word("all") ? [] : Array(Set(values.ints("classes"))).sorted()
    }

    public static let descriptor = EvaluationDescriptor(
        name: "model_inversion",
        summary: "output-driven model inversion (Fredrikson, Jha & Ristenpart 2015, MI-Face): one input per class by "
            + "gradient descent on the model's confidence, with a total-variation prior for images",
        parameters: [
            Parameter("classes", .allOrIntegers(element: Interval(0...1_000_000), count: 1...100_000), default: .word("all"),
                      doc: "the classes to reconstruct: all, or a list such as [0, 3]"),
            Parameter("iterations", .integer(Interval(0...1_000_000)), default: .int(500), doc: "gradient steps on the input"),
            Parameter("lr", .number(.open(0, 1000)), default: .number(0.1), doc: "step size, in input-domain units"),
            Parameter("tv", .number(.atLeast(0)), default: .number(0),
                      doc: "weight of the total-variation prior (images only; 0: none)"),
            Parameter("cost", .choice(ModelInversion.Cost.allCases.map(\.rawValue)),
                      default: .word(ModelInversion.Cost.crossEntropy.rawValue),
                      doc: "what the descent lowers: cross_entropy (-log p_class) or confidence (1 - p_class, the paper's)"),
            Parameter("start", .choice(ModelInversion.Start.allCases.map(\.rawValue)),
                      default: .word(ModelInversion.Start.mean.rawValue),
                      doc: "the neutral start: every feature at the middle of its range, at its lowest value, "
                          + "or the mean of the held-out inputs (the attacker's own data)"),
        ],
        figures: { _ in
            [("minv_accuracy", "share of reconstructions the model classifies as their target class"),
             ("minv_confidence", "mean model confidence in the target class of each reconstruction"),
             ("minv_distance", "mean per-feature RMS distance of a reconstruction to its class's mean training input"),
             ("minv_baseline_distance", "the same distance of each class's mean input to the overall mean input (reference)")]
        },
        check: { values, model in
            guard let bad = classes(values).first(where: { $0 >= model.classes }) else { return nil }
            return "model_inversion.classes: class \(bad) is outside the model's classes 0..<\(model.classes)"
        }
    ) { values, input in
        ModelInversionEvaluation(values).evaluate(input)
    }
}
