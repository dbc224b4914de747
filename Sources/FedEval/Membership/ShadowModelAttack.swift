import FedCore

#if canImport(Glibc)
import Glibc
#endif

/// The shadow-model membership attack (Shokri, Stronati, Song & Shmatikov, IEEE S&P 2017):
/// train models like the target on data whose membership the attacker knows, and learn from
/// their outputs what a member's output looks like.
///
/// 1. Shadow model s = 0..<S: from the attacker's pool (data disjoint from the target's
///    members and from the evaluation's non-members) draw `size` "in" and `size` "out" samples
///    (disjoint, seeded per shadow); train the target's architecture from a fresh
///    initialisation (`model.initialParameters`) on "in" for `epochs` epochs with the clients'
///    local training (batch size, learning rate, momentum, weight decay): `trainLocally`.
/// 2. Each shadow's outputs on its "in" samples are labelled member, on "out" non-member.
/// 3. The attack classifier, a binary logistic regression, is fitted on these `2·S·size`
///    rows; the target sample's score is the classifier's logit margin `z_member − z_non`.
///
/// Features of a sample with probabilities p and label y (C + 1 values):
///
///     [log p_(1), log p_(2), ..., log p_(C), log p_y]       (p_(1) >= p_(2) >= ... sorted)
///
/// each logarithm floored at log(1e-30), then standardised with the mean and deviation of the
/// attack training rows. Shokri et al. train one attack network per class on the raw
/// probability vector; one model on the sorted vector (Salem et al., NDSS 2019) plus the
/// true-class term keeps the label's information and pools the rows of all classes, which
/// matters with the few hundred rows a digits run has. Logarithms, because a member's and a
/// non-member's top probability differ in the fourth decimal once the model fits its data.
///
/// The classifier is fitted by full-batch gradient descent with momentum (`trainLocally` with
/// one batch per epoch): 300 steps, learning rate 0.5, momentum 0.9, weight decay 1e-3 (which
/// keeps the weights finite when the shadows' rows are separable). Same seed, same bits.
public struct ShadowModelAttack: Sendable {
    /// Shadow models (S >= 1).
    public let shadowModels: Int
    /// Epochs of each shadow's training (>= 1).
    public let epochs: Int

    /// How the attack classifier is fitted (see the type's documentation).
    static let classifierSteps = 300
    static let classifierSGD = SGDConfig(learningRate: 0.5, momentum: 0.9, weightDecay: 1e-3)

    public init(shadowModels: Int, epochs: Int) {
        precondition(shadowModels >= 1 && epochs >= 1,
                     "ShadowModelAttack: needs shadowModels >= 1 and epochs >= 1; got \(shadowModels), \(epochs)")
        self.shadowModels = shadowModels
        self.epochs = epochs
    }

    /// The attack classifier, ready to score a model's outputs.
    public struct Classifier: Sendable {
        let normalizer: Normalizer
        let parameters: [Float]
        let model: LogisticRegression

        /// The membership score (logit margin) of each row of `logits` with its label.
        public func scores(logits: [Float], labels: [Int32], classes: Int) -> [Double] {
            var features = Dataset(features: ShadowModelAttack.features(logits: logits, labels: labels, classes: classes),
                                   labels: labels, dimension: classes + 1, classes: classes, name: "target outputs")
            normalizer.apply(to: &features)
            var margins = [Float](repeating: 0, count: labels.count * 2)
            parameters.withUnsafeBufferPointer { p in
                features.features.withUnsafeBufferPointer { x in
                    margins.withUnsafeMutableBufferPointer { out in
                        model.logits(parameters: p, inputs: x, batchSize: labels.count, into: out)
                    }
                }
            }
            return (0..<labels.count).map { Double(margins[2 * $0 + 1]) - Double(margins[2 * $0]) }
        }
    }

    /// Trains the shadows on `pool` (each on `size` in-samples, scored on `size` out-samples:
    /// needs `pool.count >= 2 * size`) and fits the attack classifier.
    public func fit(model: any Model, pool: Dataset, size: Int, training: LocalTraining,
                    rng: SeededRNG, workspace: ModelWorkspace) -> Classifier {
        precondition(size >= 1 && pool.count >= 2 * size,
                     "ShadowModelAttack.fit: \(pool.count) pool samples for \(size) in and \(size) out")
        let classes = model.classes
        let shadowTraining = LocalTraining(epochs: epochs, batchSize: training.batchSize, sgd: training.sgd)
        var rows = [Float]()
        rows.reserveCapacity(shadowModels * 2 * size * (classes + 1))
        var isMember = [Int32]()
        isMember.reserveCapacity(shadowModels * 2 * size)
        for s in 0..<shadowModels {
            var split = rng.derive("shadow-split", s)
            let chosen = split.sample(2 * size, from: pool.count)
            let inData = pool.subset(Array(chosen[0..<size]))
            let outData = pool.subset(Array(chosen[size...]))
            var initRNG = rng.derive("shadow-init", s)
            var trainRNG = rng.derive("shadow-train", s)
            let start = model.initialParameters(rng: &initRNG)
            let shadow = trainLocally(model: model, start: start, data: inData, config: shadowTraining, rng: &trainRNG)
            for (data, label) in [(inData, Int32(1)), (outData, Int32(0))] {
                let logits = MembershipEvaluation.logits(model: model, parameters: shadow.parameters, data: data,
                                                         workspace: workspace)
                rows += Self.features(logits: logits, labels: data.labels, classes: classes)
                isMember += [Int32](repeating: label, count: data.count)
            }
        }
        var attackData = Dataset(features: rows, labels: isMember, dimension: classes + 1, classes: 2, name: "shadow outputs")
        let normalizer = Normalizer.fit(.standard, on: attackData)
        normalizer.apply(to: &attackData)
        let classifier = LogisticRegression(inputDimension: classes + 1, classes: 2)
        var initRNG = rng.derive("attack-init")
        var fitRNG = rng.derive("attack-fit")
        let fitted = trainLocally(
            model: classifier, start: classifier.initialParameters(rng: &initRNG),
            data: attackData,
            config: LocalTraining(epochs: Self.classifierSteps, batchSize: isMember.count, sgd: Self.classifierSGD),
            rng: &fitRNG)
        return Classifier(normalizer: normalizer, parameters: fitted.parameters, model: classifier)
    }

    /// The attack features of each row of `logits` (see the type's documentation), row-major.
    static func features(logits: [Float], labels: [Int32], classes: Int) -> [Float] {
        let floor = log(1e-30)
        var out = [Float](repeating: 0, count: labels.count * (classes + 1))
        var logP = [Double](repeating: 0, count: classes)
        for r in 0..<labels.count {
            let row = r * classes
            var m = -Double.infinity
            for j in 0..<classes { m = max(m, Double(logits[row + j])) }
            var sum = 0.0
            for j in 0..<classes { sum += exp(Double(logits[row + j]) - m) }
            let logSum = log(sum)
            for j in 0..<classes { logP[j] = max(Double(logits[row + j]) - m - logSum, floor) }
            let y = Int(labels[r])
            let base = r * (classes + 1)
            out[base + classes] = Float(logP[y])
            logP.sort(by: >)
            for j in 0..<classes { out[base + j] = Float(logP[j]) }
        }
        return out
    }
}
