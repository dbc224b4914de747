import FedCore

extension InversionEvaluation {
    static let methodKinds: [ItemKind] = [
        ItemKind("analytic", doc: "x = dW_o / db_o of a dense first layer with bias, batch 1 (Phong et al. 2017)"),
        ItemKind("dlg", doc: "L2 gradient matching with Adam (Zhu et al. 2019), labels by iDLG"),
        ItemKind("inverting-gradients", doc: "cosine matching + total variation, signed Adam, clamped (Geiping et al. 2020)"),
    ]

    /// The methods in `values` (`method: [...]`), in the order given; all three for `[]`.
    static func methods(_ values: ParameterValues) -> [Method] {
        let listed = values.items("method").compactMap { Method(rawValue: $0.kind) }
        return listed.isEmpty ? Method.allCases : listed
    }

    /// Whether the scenario named the methods (then one that cannot run is an error, not an
    /// empty column). The default is the empty list rather than the three names so that a
    /// resolved scenario, which writes every parameter out, reads back the same way.
    static func explicit(_ values: ParameterValues) -> Bool { !values.items("method").isEmpty }

    public init(_ values: ParameterValues) {
        self.init(client: values.int("client"), batch: values.int("batch"), localSteps: values.int("local_steps"),
                  methods: InversionEvaluation.methods(values), iterations: values.int("iterations"),
                  learningRate: values.double("lr"), tv: values.double("tv"),
                  observes: Observes(rawValue: values.word("observes")) ?? .update, restarts: values.int("restarts"),
                  optimizer: GradientInversion.Optimizer(rawValue: values.word("optimizer")) ?? .lbfgs)
    }

    public static let descriptor = EvaluationDescriptor(
        name: "inversion",
        summary: "gradient inversion of one client's update by an honest-but-curious server: analytic (Phong et al. 2017), "
            + "DLG (Zhu et al. 2019) with iDLG labels (Zhao et al. 2020), Inverting Gradients (Geiping et al. 2020)",
        parameters: [
            Parameter("client", .integer(.atLeast(0)), default: .int(0), doc: "the victim client"),
            Parameter("batch", .integer(.closed(1, 64)), default: .int(1),
                      doc: "samples in the victim's batch (the first of a seeded order of its data)"),
            Parameter("local_steps", .integer(.closed(1, 100)), default: .int(1),
                      doc: "SGD steps the victim takes on the batch: 1 is a FedSGD gradient, more a FedAvg update"),
            Parameter("method", .items(methodKinds, count: 0...3), default: .items([]),
                      doc: "the attacks; [] runs each where it applies (analytic: dense first layer with bias, batch 1), "
                          + "a method named here that cannot run is an error"),
            Parameter("iterations", .integer(.closed(0, 100_000)), default: .int(300),
                      doc: "L-BFGS iterations (DLG) or Adam steps of the optimisation attacks (3 backward passes per local step each)"),
            Parameter("lr", .number(.greaterThan(0)), default: .number(0.1),
                      doc: "Adam's learning rate, cut by 10 at 3/8, 5/8 and 7/8 of the iterations"),
            Parameter("tv", .number(.atLeast(0)), default: .number(defaultTV),
                      doc: "Inverting Gradients' total-variation weight (on the model's input scale)"),
            Parameter("observes", .choice(Observes.allCases.map(\.rawValue)), default: .word("update"),
                      doc: "update: the victim's update after clipping and noise; aggregate: its sum with the round's other updates"),
            Parameter("optimizer", .choice(GradientInversion.Optimizer.allCases.map(\.rawValue)), default: .word("lbfgs"),
                      doc: "DLG's optimiser: lbfgs (the paper's; iterations = L-BFGS iterations) or adam"),
            Parameter("restarts", .integer(.closed(1, 32)), default: .int(1),
                      doc: "random starts per optimisation attack; the best final objective is kept"),
        ],
        figures: { values in
            let methods = InversionEvaluation.methods(values)
            var figures = [(name: String, doc: String)]()
            for m in methods {
                let what = m == .analytic ? "the analytic recovery" : m.title
                figures.append(("inv_\(m.infix)_mse", "mean squared error of \(what) on the display scale [0, 1]"))
                figures.append(("inv_\(m.infix)_psnr", "mean PSNR (dB, peak 1) of \(what)"))
                figures.append(("inv_\(m.infix)_ssim", "mean SSIM of \(what)"))
            }
            if methods.contains(where: { $0 != .analytic }) {
                figures.append(("inv_label_accuracy", "share of the batch's labels recovered from the last layer's gradient (iDLG)"))
            }
            return figures
        },
        normalize: { values throws(ParameterError) in
            let kinds = values.items("method").map(\.kind)
            if let repeated = kinds.first(where: { k in kinds.filter { $0 == k }.count > 1 }) {
                throw ParameterError(key: "method", "\(repeated) is listed twice")
            }
            if kinds.contains("analytic"), values.int("batch") > 1 {
                throw ParameterError(key: "method", "analytic recovers one input: it needs batch: 1; got batch: \(values.int("batch"))")
            }
        },
        check: { values, model in
            guard InversionEvaluation.explicit(values) else { return nil }
            let methods = InversionEvaluation.methods(values)
            if methods.contains(.analytic), let why = AnalyticInversion.unsupported(model) {
                return "method: analytic \(why)"
            }
            if methods.contains(where: { $0 != .analytic }), !LabelRecovery.applies(to: model) {
                return "method: dlg and inverting-gradients read the labels off a dense output layer; this model ends with "
                    + (model.parameterBlocks.last.map { "\($0.name) \($0.shape)" } ?? "no parameters")
            }
            return nil
        }
    ) { values, input in
        try InversionEvaluation(values).evaluate(input)
    }
}
