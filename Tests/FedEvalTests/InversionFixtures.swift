import FedCore
@testable import FedEval

/// Digits scaled to [0, 1] (pixels / 16), split into 4 clients of 40 samples, with the
/// federation's plain SGD: the setting the inversion tests share.
enum InversionFixtures {
    static let digits: Dataset = {
        guard var data = try? DigitsData.load() else { preconditionFailure("the embedded digits do not load") }
        data.features = data.features.map { $0 / 16 }
        return data
    }()

    static let domain = InputDomain(lower: [Float](repeating: 0, count: 64), upper: [Float](repeating: 1, count: 64))

    static func mlp(hidden: [Int] = [32], seed: UInt64 = 3) -> (MLP, [Float]) {
        let model = MLP(inputDimension: 64, hidden: hidden, classes: 10)
        var rng = SeededRNG(seed: seed)
        return (model, model.initialParameters(rng: &rng))
    }

    static func input(model: any Model, parameters: [Float], observation: UpdateObservation = UpdateObservation(),
                      updates: [ObservedUpdate] = [], seed: UInt64 = 11, learningRate: Float = 0.1,
                      momentum: Float = 0, weightDecay: Float = 0) -> EvaluationInput {
        let train = digits.subset(Array(0..<160))
        let heldOut = digits.subset(Array(1600..<1700))
        return EvaluationInput(model: model, parameters: parameters, previous: parameters, round: 1, train: train,
                               clientIndices: (0..<4).map { k in Array((k * 40)..<((k + 1) * 40)) }, heldOut: heldOut,
                               samples: 100, domain: domain,
                               training: LocalTraining(epochs: 1, batchSize: 8,
                                                       sgd: SGDConfig(learningRate: learningRate, momentum: momentum,
                                                                      weightDecay: weightDecay)),
                               observation: observation, updates: updates, rng: SeededRNG(seed: seed))
    }

    /// The parameter values of `inversion` with `given` set.
    static func values(_ given: [String: ParameterValue]) throws -> ParameterValues {
        var v = InversionEvaluation.descriptor.defaults
        for (k, value) in given { v.set(k, value) }
        return try InversionEvaluation.descriptor.normalized(v)
    }

    static func methods(_ names: String...) -> ParameterValue {
        .items(names.compactMap { n in InversionEvaluation.methodKinds.first { $0.name == n }.map { ParameterItem($0) } })
    }
}
