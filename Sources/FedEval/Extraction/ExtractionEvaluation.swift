import FedCore

/// Model extraction against the global model (issue 13, part 5): with query access to its
/// probabilities, an attacker (1) trains a surrogate on its queries and is scored by test
/// agreement with the target per query budget (Tramèr et al., USENIX Security 2016; Papernot
/// et al., AsiaCCS 2017), (2) recovers a logistic regression's parameters by equation solving
/// (Tramèr et al., sec. 4.1), and (3) steals the L2 regularisation strength from the learned
/// parameters and the training data (Wang & Gong, S&P 2018). The API's defence is rounding
/// or labels only (`PredictionOracle.Response`). See docs/THREATS.md.
public struct ExtractionEvaluation: Sendable {
    /// Where the surrogate's queries come from.
    public enum Source: String, CaseIterable, Sendable {
        /// Held-out inputs (the part of the held-out set not used for agreement).
        case heldout
        /// Uniform noise in the input domain.
        case uniform
        /// Papernot's Jacobian-based augmentation from a seed set of held-out inputs.
        case jacobian
    }

    public var budgets: [Int]
    public var source: Source
    public var surrogate: SurrogateKind
    public var hidden: [Int]
    public var softLabels: Bool
    public var training: SurrogateTraining
    public var seedSize: Int
    public var augmentationStep: Float
    public var equationSolving: Bool
    public var equationQueries: Int?
    public var hyperparameterStealing: Bool
    public var response: PredictionOracle.Response

    public init(budgets: [Int], source: Source = .jacobian, surrogate: SurrogateKind = .same, hidden: [Int] = [64],
                softLabels: Bool = true, training: SurrogateTraining, seedSize: Int = 50, augmentationStep: Float = 0.1,
                equationSolving: Bool = false, equationQueries: Int? = nil, hyperparameterStealing: Bool = true,
                response: PredictionOracle.Response = .probabilities) {
        precondition(!budgets.isEmpty && budgets.allSatisfy { $0 >= 1 }, "ExtractionEvaluation: budgets must be >= 1")
        self.budgets = Array(Set(budgets)).sorted()
        self.source = source
        self.surrogate = surrogate
        self.hidden = hidden
        self.softLabels = softLabels
        self.training = training
        self.seedSize = seedSize
        self.augmentationStep = augmentationStep
        self.equationSolving = equationSolving
        self.equationQueries = equationQueries
        self.hyperparameterStealing = hyperparameterStealing
        self.response = response
    }

    // MARK: - Figures

    public static func agreementFigure(_ q: Int) -> String { "ext_agreement_q\(q)" }
    public static func accuracyFigure(_ q: Int) -> String { "ext_accuracy_q\(q)" }

    /// The held-out set split in a seeded order: the agreement test set (the first
    /// `min(samples, count / 2)`; at least 1) and the attacker's pool (the rest).
    public static func split(heldOut: Dataset, samples: Int, rng: SeededRNG) -> (test: [Int], pool: [Int]) {
        var order = Array(0..<heldOut.count)
        var r = rng.derive("split")
        r.shuffle(&order)
        let testCount = min(max(1, min(samples, heldOut.count / 2)), heldOut.count)
        return (Array(order[0..<testCount]), Array(order[testCount...]))
    }

    // MARK: - Run

    public func evaluate(_ input: EvaluationInput) throws -> EvaluationOutcome {
        var figures = [String: Double]()
        let (testIndices, pool) = Self.split(heldOut: input.heldOut, samples: input.samples, rng: input.rng)
        let test = input.heldOut.subset(testIndices)
        let targetPredictions = predict(model: input.model, parameters: input.parameters, data: test)
        var oracle = PredictionOracle(model: input.model, parameters: input.parameters, response: response)

        // (1) Surrogates per budget.
        let queries = try surrogateQueries(input, pool: pool, oracle: &oracle)
        let surrogateModel = try surrogate.model(for: input.model, shape: input.train.shape, hidden: hidden)
        let d = input.model.inputDimension, c = input.model.classes
        for q in budgets where q <= queries.count && test.count > 0 {
            var rng = input.rng.derive("surrogate", q)
            let start = surrogateModel.initialParameters(rng: &rng)
            let theta = training.train(surrogateModel, from: start, inputs: queries.inputs, targets: queries.targets,
                                       count: q, rng: &rng)
            let predicted = predict(model: surrogateModel, parameters: theta, data: test)
            let agree = zip(predicted, targetPredictions).filter { $0 == $1 }.count
            let correct = zip(predicted, test.labels).filter { $0 == $1 }.count
            figures[Self.agreementFigure(q)] = Double(agree) / Double(test.count)
            figures[Self.accuracyFigure(q)] = Double(correct) / Double(test.count)
        }

        // (2) Equation solving on a logistic-regression target.
        if equationSolving, EquationSolving.isLinearSoftmax(input.model) {
            let n = equationQueries ?? d + 1
            var rng = input.rng.derive("equations")
            let x = Self.widenedUniform(n, domain: input.domain, rng: &rng)
            var solver = PredictionOracle(model: input.model, parameters: input.parameters, response: response)
            let answers = solver.answer(x)
            figures["ext_equation_queries"] = Double(solver.queries)
            if let theta = EquationSolving.recover(inputs: x, responses: answers, count: n, dimension: d, classes: c) {
                figures["ext_equation_error"] = EquationSolving.relativeError(recovered: theta, target: input.parameters,
                                                                             dimension: d, classes: c)
            }
        }

        // (3) Hyperparameter stealing.
        if hyperparameterStealing {
            let g = HyperparameterStealing.dataGradient(model: input.model, parameters: input.parameters, data: input.train)
            if let lambda = HyperparameterStealing.estimate(parameters: input.parameters, dataGradient: g) {
                figures["ext_lambda"] = lambda
                let wd = Double(input.training.sgd.weightDecay)
                if wd > 0 { figures["ext_lambda_error"] = abs(lambda - wd) / wd }
            }
        }
        return EvaluationOutcome(figures: figures)
    }

    /// The queries of the largest budget in order (every budget takes a prefix) and the rows the
    /// oracle returned for them, as training targets (argmax one-hot when `softLabels` is off;
    /// rounded rows renormalised to sum 1).
    private func surrogateQueries(_ input: EvaluationInput, pool: [Int], oracle: inout PredictionOracle) throws
    -> (inputs: [Float], targets: [Float], count: Int) {
        let d = input.model.inputDimension, c = input.model.classes
        let maxBudget = budgets[budgets.count - 1]
        var rng = input.rng.derive("queries")
        var x: [Float]
        switch source {
        case .heldout:
            x = input.heldOut.subset(Array(pool.prefix(maxBudget))).features
        case .uniform:
            x = (0..<(maxBudget * d)).map { i in
                let j = i % d
                return input.domain.lower[j] + Float(rng.nextDouble()) * input.domain.width(j)
            }
        case .jacobian:
            x = input.heldOut.subset(Array(pool.prefix(min(seedSize, maxBudget)))).features
        }
        var targets = targetRows(oracle.answer(x), classes: c)
        if source == .jacobian, x.count / d > 0 {
            // Papernot's substitute epochs: train on S_ρ, augment, query, until the budget.
            let model = try surrogate.model(for: input.model, shape: input.train.shape, hidden: hidden)
            var trainRNG = input.rng.derive("augmentation")
            var theta = model.initialParameters(rng: &trainRNG)
            let workspace = ModelWorkspace()
            while x.count / d < maxBudget {
                let count = x.count / d
                theta = training.train(model, from: theta, inputs: x, targets: targets, count: count, rng: &trainRNG)
                let take = min(count, maxBudget - count)
                let labels = (0..<take).map { i in Int32(Self.argmax(targets, row: i, classes: c)) }
                let fresh = JacobianAugmentation.augment(model: model, parameters: theta, inputs: x, labels: labels,
                                                         count: take, step: augmentationStep, domain: input.domain,
                                                         workspace: workspace)
                targets += targetRows(oracle.answer(fresh), classes: c)
                x += fresh
            }
        }
        return (x, targets, x.count / d)
    }

    /// The oracle's rows as training targets.
    private func targetRows(_ rows: [Float], classes c: Int) -> [Float] {
        var out = rows
        for i in 0..<(rows.count / c) {
            if !softLabels {
                let best = Self.argmax(rows, row: i, classes: c)
                for j in 0..<c { out[i * c + j] = j == best ? 1 : 0 }
                continue
            }
            let s = (0..<c).reduce(Float(0)) { $0 + rows[i * c + $1] }
            for j in 0..<c { out[i * c + j] = s > 0 ? rows[i * c + j] / s : 1 / Float(c) }
        }
        return out
    }

    static func argmax(_ rows: [Float], row i: Int, classes c: Int) -> Int {
        var best = 0
        for j in 1..<c where rows[i * c + j] > rows[i * c + best] { best = j }
        return best
    }

    /// `count` queries uniform in the domain widened to a width of at least 1 around each
    /// feature's centre: an API takes any vector, and a feature of zero width (constant in
    /// training) must still vary or its weight is not identifiable.
    static func widenedUniform(_ count: Int, domain: InputDomain, rng: inout SeededRNG) -> [Float] {
        let d = domain.dimension
        return (0..<(count * d)).map { i in
            let j = i % d
            let centre = (domain.lower[j] + domain.upper[j]) / 2
            let width = max(domain.width(j), 1)
            return centre + (Float(rng.nextDouble()) - 0.5) * width
        }
    }
}
