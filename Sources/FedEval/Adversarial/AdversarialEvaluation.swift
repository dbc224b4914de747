import FedCore

/// Adversarial examples against the global model, white-box: FGSM, PGD and Carlini–Wagner L2
/// on `samples` held-out inputs (the first of a seeded order), each attack batched through
/// the model's input gradients with one reused workspace.
///
/// For each L∞ attack (FGSM, PGD) and budget ε it reports, over the n attacked inputs:
///
///     accuracy = #{i : f(x'_i) = y_i} / n                        (robust accuracy)
///     success  = #{i : f(x_i) = y_i, f(x'_i) ≠ y_i} / #{i : f(x_i) = y_i}
///     l2, linf = mean_i ‖(x'_i − x_i) / w‖₂, mean_i ‖(x'_i − x_i) / w‖∞   (display units)
///
/// and for Carlini–Wagner, which is unbounded and attacks only the inputs the model gets
/// right, the success rate on those, the robust accuracy (the share still right at the end)
/// and the mean L2 and L∞ of the successful perturbations. `clean accuracy` is on the same
/// inputs. Display units divide each feature's change by its range's width, so ε = 0.1 gives
/// an L∞ of at most 0.1.
public struct AdversarialEvaluation: Sendable, Equatable {
    public enum Attack: String, CaseIterable, Sendable { case fgsm, pgd, cw }

    public var attacks: [Attack]
    /// L∞ budgets of FGSM and PGD, as fractions of each feature's width.
    public var epsilons: [Double]
    /// PGD steps and step size (nil: `PGD.autoStepSize`).
    public var steps: Int
    public var stepSize: Double?
    public var carliniWagner: CarliniWagnerL2
    /// Inputs per forward/backward pass.
    public var batchSize: Int

    public init(attacks: [Attack] = Attack.allCases, epsilons: [Double] = [0.1], steps: Int = 20, stepSize: Double? = 0.01,
                carliniWagner: CarliniWagnerL2 = CarliniWagnerL2(), batchSize: Int = 128) {
        self.attacks = attacks
        self.epsilons = epsilons
        self.steps = steps
        self.stepSize = stepSize
        self.carliniWagner = carliniWagner
        self.batchSize = batchSize
    }

    /// The figure of `metric` for `attack` at budget index `e` (`adv_pgd_accuracy`, or
    /// `adv_pgd_accuracy_e0.1` when several budgets are given).
    public func figure(_ attack: Attack, _ metric: String, epsilon e: Int? = nil) -> String {
        let suffix = e.map { epsilons.count > 1 ? "_e\(epsilons[$0])" : "" } ?? ""
        return "adv_\(attack.rawValue)_\(metric)\(suffix)"
    }

    public static let cleanFigure = "adv_clean_accuracy"

    /// Every figure this configuration reports, with its doc line.
    public var figures: [(name: String, doc: String)] {
        var list: [(name: String, doc: String)] = [(Self.cleanFigure, "accuracy on the attacked held-out inputs, unperturbed")]
        for attack in attacks where attack != .cw {
            let name = attack == .fgsm ? "FGSM" : "PGD"
            for e in epsilons.indices {
                let at = "\(name) at epsilon \(epsilons[e])"
                list += [(figure(attack, "accuracy", epsilon: e), "robust accuracy under \(at)"),
                         (figure(attack, "success", epsilon: e), "share of the correctly classified inputs \(at) misclassifies"),
                         (figure(attack, "l2", epsilon: e), "mean L2 of the \(at) perturbation, in display units"),
                         (figure(attack, "linf", epsilon: e), "mean L-inf of the \(at) perturbation, in display units")]
            }
        }
        if attacks.contains(.cw) {
            list += [(figure(.cw, "accuracy"), "share still correct after Carlini-Wagner L2 (unbounded)"),
                     (figure(.cw, "success"), "share of the correctly classified inputs Carlini-Wagner L2 misclassifies"),
                     (figure(.cw, "l2"), "mean L2 of the successful Carlini-Wagner perturbations, in display units"),
                     (figure(.cw, "linf"), "mean L-inf of the successful Carlini-Wagner perturbations, in display units")]
        }
        return list
    }

    // MARK: - Measuring

    public func evaluate(_ input: EvaluationInput) -> EvaluationOutcome {
        let model = input.model, d = model.inputDimension
        var rng = input.rng
        var order = Array(0..<input.heldOut.count)
        rng.shuffle(&order)
        let data = input.heldOut.subset(Array(order.prefix(min(input.samples, order.count))))
        let n = data.count
        guard n > 0 else { return EvaluationOutcome() }
        let workspace = AttackWorkspace()
        let clean = predictions(model, input.parameters, data.features, n, workspace)
        let correct = (0..<n).map { clean[$0] == data.labels[$0] }
        let correctCount = correct.filter { $0 }.count
        var figures = [Self.cleanFigure: Double(correctCount) / Double(n)]

        for attack in attacks where attack != .cw {
            for (e, epsilon) in epsilons.enumerated() {
                var attackRNG = input.rng.derive(attack.rawValue, e)
                var adversarial = data.features
                forEachBatch(n) { first, size in
                    adversarial.withUnsafeMutableBufferPointer { all in
                        let x = UnsafeMutableBufferPointer(rebasing: all[(first * d)..<((first + size) * d)])
                        perturb(attack, epsilon: Float(epsilon), model, input.parameters, x,
                                labels: Array(data.labels[first..<(first + size)]), size, input.domain, &attackRNG, workspace)
                    }
                }
                let after = predictions(model, input.parameters, adversarial, n, workspace)
                let norms = perturbationNorms(adversarial, data.features, rows: Array(0..<n), domain: input.domain)
                figures[figure(attack, "accuracy", epsilon: e)] = Double((0..<n).filter { after[$0] == data.labels[$0] }.count) / Double(n)
                if correctCount > 0 {
                    let broken = (0..<n).filter { correct[$0] && after[$0] != data.labels[$0] }.count
                    figures[figure(attack, "success", epsilon: e)] = Double(broken) / Double(correctCount)
                }
                figures[figure(attack, "l2", epsilon: e)] = norms.l2
                figures[figure(attack, "linf", epsilon: e)] = norms.linf
            }
        }

        if attacks.contains(.cw) {
            let targets = (0..<n).filter { correct[$0] }
            var successes: [Int] = []
            var found = [Float](repeating: 0, count: targets.count * d)
            var start = 0
            while start < targets.count {
                let rows = Array(targets[start..<min(start + batchSize, targets.count)])
                let chunk = data.subset(rows)
                let r = carliniWagner.attack(model: model, parameters: input.parameters, inputs: chunk.features,
                                             labels: chunk.labels, domain: input.domain, workspace: workspace)
                for (k, ok) in r.success.enumerated() where ok { successes.append(start + k) }
                found.replaceSubrange((start * d)..<((start + rows.count) * d), with: r.adversarial)
                start += rows.count
            }
            figures[figure(.cw, "accuracy")] = Double(correctCount - successes.count) / Double(n)
            if correctCount > 0 { figures[figure(.cw, "success")] = Double(successes.count) / Double(correctCount) }
            if !successes.isEmpty {
                let originals = data.subset(targets).features
                let norms = perturbationNorms(found, originals, rows: successes, domain: input.domain)
                figures[figure(.cw, "l2")] = norms.l2
                figures[figure(.cw, "linf")] = norms.linf
            }
        }
        return EvaluationOutcome(figures: figures)
    }

    private func perturb(_ attack: Attack, epsilon: Float, _ model: any Model, _ parameters: [Float],
                         _ x: UnsafeMutableBufferPointer<Float>, labels: [Int32], _ size: Int, _ domain: InputDomain,
                         _ rng: inout SeededRNG, _ workspace: AttackWorkspace) {
        parameters.withUnsafeBufferPointer { p in
            labels.withUnsafeBufferPointer { y in
                switch attack {
                case .fgsm:
                    FGSM(epsilon: epsilon).perturb(model: model, parameters: p, inputs: x, labels: y, batchSize: size,
                                                   domain: domain, workspace: workspace)
                case .pgd:
                    PGD(epsilon: epsilon, stepSize: stepSize.map(Float.init), steps: steps)
                        .perturb(model: model, parameters: p, inputs: x, labels: y, batchSize: size, domain: domain,
                                 rng: &rng, workspace: workspace)
                case .cw:
                    preconditionFailure("Carlini-Wagner is not an L-infinity attack")
                }
            }
        }
    }

    private func forEachBatch(_ n: Int, _ body: (Int, Int) -> Void) {
        var first = 0
        while first < n {
            let size = min(batchSize, n - first)
            body(first, size)
            first += size
        }
    }

    private func predictions(_ model: any Model, _ parameters: [Float], _ features: [Float], _ n: Int,
                             _ workspace: AttackWorkspace) -> [Int32] {
        let d = model.inputDimension
        var out = [Int32](repeating: 0, count: n)
        parameters.withUnsafeBufferPointer { p in
            features.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { o in
                    forEachBatch(n) { first, size in
                        WhiteBox.predict(model: model, parameters: p, inputs: UnsafeBufferPointer(rebasing: x[(first * d)..<((first + size) * d)]),
                                         batchSize: size, into: UnsafeMutableBufferPointer(rebasing: o[first..<(first + size)]),
                                         workspace: workspace)
                    }
                }
            }
        }
        return out
    }

    /// Mean L2 and L∞ over `rows` of `(a − b) / w` (features of zero width left out).
    func perturbationNorms(_ a: [Float], _ b: [Float], rows: [Int], domain: InputDomain) -> (l2: Double, linf: Double) {
        let d = domain.dimension
        guard !rows.isEmpty else { return (0, 0) }
        var l2 = 0.0, linf = 0.0
        for r in rows {
            var s = 0.0, m = 0.0
            for j in 0..<d where domain.width(j) > 0 {
                let delta = abs(Double(a[r * d + j] - b[r * d + j])) / Double(domain.width(j))
                s += delta * delta
                m = max(m, delta)
            }
            l2 += s.squareRoot()
            linf += m
        }
        return (l2 / Double(rows.count), linf / Double(rows.count))
    }
}
