import FedCore

/// Gradient inversion by an honest-but-curious server (issue 13, part 3): how much of one
/// client's training batch the server can rebuild from what it sees of that client's update.
///
/// Threat model. The server follows the protocol and knows the global model θ (after the
/// round being evaluated), the architecture, the clients' learning rate, momentum, weight
/// decay and the number of local steps, and the batch size. The victim, client `client`,
/// takes the first `batch` samples of a seeded order of its own data and runs `local_steps`
/// SGD steps on that batch from θ (evaluation mode). The server sees:
/// - `observes: update`: that update after the defence (`EvaluationInput.observation`: clipped
///   to the DP clip norm, plus N(0, σ²C²) per coordinate, as if it subtracted every other
///   client's contribution from the noisy sum);
/// - `observes: aggregate`: the sum of that observed update and the round's other accepted
///   updates (`EvaluationInput.updates`, each clipped to the same norm), equal weights: what
///   secure aggregation leaves it; it matches its dummy against the whole sum (the mean times
///   the number of updates in it, which the server knows). The other updates were computed
///   from the round's starting model, the simulated one from its end: a simplification that
///   makes the aggregate no easier to invert.
///
/// Attacks, each where it applies: `analytic` (`AnalyticInversion`), `dlg` and
/// `inverting-gradients` (`GradientInversion`, labels by `LabelRecovery`). The figures are
/// the mean MSE, PSNR and SSIM of the matched reconstructions on the display scale
/// (`ReconstructionScore`) and the share of labels recovered.
public struct InversionEvaluation: Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case analytic
        case dlg
        case invertingGradients = "inverting-gradients"

        /// The figures' infix: `inv_<infix>_psnr`.
        public var infix: String {
            switch self {
            case .analytic: "analytic"
            case .dlg: "dlg"
            case .invertingGradients: "ig"
            }
        }

        var title: String {
            switch self {
            case .analytic: "analytic (Phong et al. 2017)"
            case .dlg: "DLG (Zhu et al. 2019)"
            case .invertingGradients: "Inverting Gradients (Geiping et al. 2020)"
            }
        }
    }

    public enum Observes: String, Sendable, CaseIterable {
        case update
        case aggregate
    }

    public let client: Int
    public let batch: Int
    public let localSteps: Int
    public let methods: [Method]
    public let iterations: Int
    public let learningRate: Double
    public let tv: Double
    public let observes: Observes
    public let restarts: Int
    public let optimizer: GradientInversion.Optimizer

    public init(client: Int = 0, batch: Int = 1, localSteps: Int = 1, methods: [Method] = Method.allCases,
                iterations: Int = 300, learningRate: Double = 0.1, tv: Double = InversionEvaluation.defaultTV,
                observes: Observes = .update, restarts: Int = 1, optimizer: GradientInversion.Optimizer = .lbfgs) {
        self.client = client
        self.batch = batch
        self.localSteps = localSteps
        self.methods = methods
        self.iterations = iterations
        self.learningRate = learningRate
        self.tv = tv
        self.observes = observes
        self.restarts = restarts
        self.optimizer = optimizer
    }

    /// IG's total-variation weight on digits (see docs/THREATS.md for how it was chosen).
    public static let defaultTV = 1e-4

    /// The victim's batch: inputs (row-major) and labels.
    public func victimBatch(_ input: EvaluationInput) throws -> (inputs: [Float], labels: [Int32]) {
        guard client < input.clientIndices.count else {
            throw InversionError("client: \(client) is not a client; the federation has \(input.clientIndices.count) (0 to \(input.clientIndices.count - 1))")
        }
        let data = input.clientData(client)
        guard data.count >= batch else {
            throw InversionError("batch: \(batch) samples, but client \(client) holds \(data.count)")
        }
        var order = Array(0..<data.count)
        var rng = input.rng.derive("victim")
        rng.shuffle(&order)
        let picked = data.subset(Array(order.prefix(batch)))
        return (picked.features, picked.labels)
    }

    /// What the server sees, in gradient units (`SimulatedUpdate.gradientUnits`).
    public func observedTarget(_ input: EvaluationInput, victim: SimulatedUpdate, inputs: [Float]) -> [Float] {
        var noise = input.rng.derive("observation")
        var observed = input.observation.observe(victim.delta(inputs), rng: &noise)
        if observes == .aggregate {
            let clipper = UpdateObservation(clip: input.observation.clip)
            for u in input.updates where u.client != client {
                let clipped = clipper.observe(u.delta, rng: &noise)
                for j in observed.indices { observed[j] += clipped[j] }
            }
        }
        return victim.gradientUnits(delta: observed)
    }

    public func evaluate(_ input: EvaluationInput) throws -> EvaluationOutcome {
        let model = input.model
        let (truth, labels) = try victimBatch(input)
        let d = model.inputDimension
        let sgd = input.training.sgd
        let victim = SimulatedUpdate(model: model, start: input.parameters, steps: localSteps, sgd: sgd, labels: labels)
        let target = observedTarget(input, victim: victim, inputs: truth)

        let shape = input.train.shape.count == 3 ? input.train.shape : [1, 1, d]
        let originals = (0..<batch).map { input.domain.display(Array(truth[($0 * d)..<(($0 + 1) * d)])) }
        var outcome = EvaluationOutcome()
        outcome.images.append(ImagePanel(title: "originals (client \(client), round \(input.round))", shape: shape,
                                         images: originals, captions: labels.map { "label \($0)" }))

        func record(_ method: Method, _ reconstruction: [Float], labels recovered: [Int32]?) {
            let images = (0..<batch).map { input.domain.display(Array(reconstruction[($0 * d)..<(($0 + 1) * d)])) }
            let score = ReconstructionScore(originals: originals, reconstructions: images, shape: shape)
            outcome.figures["inv_\(method.infix)_mse"] = score.meanMSE
            outcome.figures["inv_\(method.infix)_psnr"] = score.meanPSNR
            outcome.figures["inv_\(method.infix)_ssim"] = score.meanSSIM
            let captions = (0..<batch).map { j in
                let psnr = "PSNR \(String(format1: score.psnr[j]))"
                return recovered.map { "label \($0[score.matchOf[j]]), \(psnr)" } ?? psnr
            }
            outcome.images.append(ImagePanel(title: method.title, shape: shape,
                                             images: (0..<batch).map { images[score.matchOf[$0]] }, captions: captions))
        }

        if methods.contains(.analytic), batch == 1, let x = AnalyticInversion.recover(gradient: target, model: model) {
            record(.analytic, x, labels: nil)
        }
        let optimised = methods.compactMap { m -> GradientInversion.Method? in
            switch m {
            case .analytic: nil
            case .dlg: .dlg
            case .invertingGradients: .invertingGradients
            }
        }
        if !optimised.isEmpty, let scores = LabelRecovery.classScores(gradient: target, model: model) {
            let recovered = LabelRecovery.labels(scores: scores, batch: batch)
            outcome.figures["inv_label_accuracy"] = LabelRecovery.accuracy(recovered, truth: labels)
            let dummy = SimulatedUpdate(model: model, start: input.parameters, steps: localSteps, sgd: sgd, labels: recovered)
            for m in optimised {
                let attack = GradientInversion(method: m, iterations: iterations, learningRate: learningRate, tv: tv,
                                               restarts: restarts, optimizer: optimizer)
                let x = attack.reconstruct(dummy, target: target, domain: input.domain, shape: shape,
                                           rng: input.rng.derive(m.rawValue))
                record(m == .dlg ? .dlg : .invertingGradients, x.inputs, labels: recovered)
            }
        }
        return outcome
    }
}

/// A gradient-inversion setting that does not fit the federation (one line naming the key).
public struct InversionError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    /// One decimal ("21.3").
    init(format1 value: Double) {
        let r = (value * 10).rounded() / 10
        self = r == r.rounded() ? "\(Int(r)).0" : "\(r)"
    }
}
