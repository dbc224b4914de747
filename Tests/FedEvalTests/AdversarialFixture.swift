import FedCore
@testable import FedEval

/// Digits scaled to [0, 1] (pixel / 16, the domain [0, 1] per feature), split 1,200 / 597, and
/// a small MLP trained on the first part: the model the attack tests run against.
enum DigitsFixture {
    struct Trained: Sendable {
        let model: MLP
        let parameters: [Float]
        let train: Dataset
        let test: Dataset
        let domain: InputDomain
    }

    static let trained: Trained = {
        var digits = (try? DigitsData.load()) ?? Dataset(features: [], labels: [], dimension: 64, classes: 10, name: "none")
        for i in digits.features.indices { digits.features[i] /= 16 }
        let train = digits.subset(Array(0..<1200)), test = digits.subset(Array(1200..<digits.count))
        let model = MLP(inputDimension: 64, hidden: [32], classes: 10)
        var rng = SeededRNG(seed: 11)
        let start = model.initialParameters(rng: &rng)
        let config = LocalTraining(epochs: 10, batchSize: 32, sgd: SGDConfig(learningRate: 0.1, momentum: 0.9))
        let result = trainLocally(model: model, start: start, data: train, config: config, rng: &rng)
        return Trained(model: model, parameters: result.parameters, train: train, test: test,
                       domain: InputDomain(lower: [Float](repeating: 0, count: 64), upper: [Float](repeating: 1, count: 64)))
    }()

    static func input(samples: Int, seed: UInt64 = 3) -> EvaluationInput {
        let t = trained
        return EvaluationInput(model: t.model, parameters: t.parameters, previous: t.parameters, round: 1, train: t.train,
                               clientIndices: [Array(0..<t.train.count)], heldOut: t.test, samples: samples, domain: t.domain,
                               training: LocalTraining(epochs: 1, batchSize: 32, sgd: SGDConfig(learningRate: 0.1)),
                               rng: SeededRNG(seed: seed))
    }
}
