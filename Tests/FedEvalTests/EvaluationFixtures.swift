import FedCore
@testable import FedEval

/// Digits scaled to [0, 1] (pixels / 16), split in a seeded order into 1,437 training samples
/// (20 clients, round-robin) and 360 held-out ones, with the domain [0, 1] per pixel.
struct DigitsSplit {
    let train: Dataset
    let heldOut: Dataset
    let clients: [[Int]]
    let domain: InputDomain

    static func load() throws -> DigitsSplit {
        var all = try DigitsData.load()
        for i in all.features.indices { all.features[i] /= 16 }
        var order = Array(0..<all.count)
        var rng = SeededRNG(seed: 13)
        rng.shuffle(&order)
        let train = all.subset(Array(order[0..<1437]))
        let heldOut = all.subset(Array(order[1437...]))
        let clients = (0..<20).map { k in Array(stride(from: k, to: train.count, by: 20)) }
        let d = all.dimension
        return DigitsSplit(train: train, heldOut: heldOut, clients: clients,
                           domain: InputDomain(lower: [Float](repeating: 0, count: d), upper: [Float](repeating: 1, count: d)))
    }

    /// `model` trained centrally from its initialisation (`epochs` of SGD, batch 32).
    func trained(_ model: any Model, epochs: Int, lr: Float = 0.1, weightDecay: Float = 0, seed: UInt64 = 1) -> [Float] {
        var rng = SeededRNG(seed: seed)
        let start = model.initialParameters(rng: &rng)
        let config = LocalTraining(epochs: epochs, batchSize: 32, sgd: SGDConfig(learningRate: lr, momentum: 0.9, weightDecay: weightDecay))
        return trainLocally(model: model, start: start, data: train, config: config, rng: &rng).parameters
    }

    func input(_ model: any Model, _ parameters: [Float], samples: Int = 180, weightDecay: Float = 0, seed: UInt64 = 7) -> EvaluationInput {
        EvaluationInput(model: model, parameters: parameters, previous: parameters, round: 1, train: train,
                        clientIndices: clients, heldOut: heldOut, samples: samples, domain: domain,
                        training: LocalTraining(epochs: 1, batchSize: 32, sgd: SGDConfig(learningRate: 0.1, weightDecay: weightDecay)),
                        rng: SeededRNG(seed: seed))
    }
}

/// `values` of `descriptor` with `changes` set.
func values(_ descriptor: EvaluationDescriptor, _ changes: [String: ParameterValue]) -> ParameterValues {
    var v = descriptor.defaults
    for (k, x) in changes { v.set(k, x) }
    return v
}
