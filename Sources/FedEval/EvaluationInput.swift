import FedCore

/// Everything a threat evaluation may look at after a round: the global model, the data on
/// both sides of the membership line, how the clients train, what an observer of one update
/// sees, and the round's updates as the server received them. The coordinator builds it; the
/// evaluations are pure functions of it (and of their `rng`).
public struct EvaluationInput: Sendable {
    /// The model's architecture and the global parameters after the round.
    public let model: any Model
    public let parameters: [Float]
    /// The global parameters before the round (what the round's updates are relative to).
    public let previous: [Float]
    /// The round just finished, from 1.
    public let round: Int
    /// The clients' training data (every client's samples: the members).
    public let train: Dataset
    /// Client k's samples are `train.subset(clientIndices[k])`.
    public let clientIndices: [[Int]]
    /// Held-out data of the same distribution, never trained on (the test set): non-members,
    /// the attacker's own data, query pools, the reference for agreement.
    public let heldOut: Dataset
    /// `evaluate.samples`: how many samples the costly evaluations use (they take the first
    /// `min(samples, available)` of a seeded order).
    public let samples: Int
    /// The valid inputs (epsilon, clamping and image metrics are in its units).
    public let domain: InputDomain
    /// How an honest client trains locally (learning rate, batch size, epochs).
    public let training: LocalTraining
    /// What an observer of one client's update sees of it (the defence's clipping and noise).
    public let observation: UpdateObservation
    /// The updates the server accepted this round (client id, delta, sample count), in client order.
    public let updates: [ObservedUpdate]
    /// Seeded from the scenario seed, the evaluation's name and the round: same seed, same bits.
    public let rng: SeededRNG

    public init(model: any Model, parameters: [Float], previous: [Float], round: Int, train: Dataset,
                clientIndices: [[Int]], heldOut: Dataset, samples: Int, domain: InputDomain, training: LocalTraining,
                observation: UpdateObservation = UpdateObservation(), updates: [ObservedUpdate] = [], rng: SeededRNG) {
        precondition(parameters.count == model.parameterCount && previous.count == model.parameterCount,
                     "EvaluationInput: the model has \(model.parameterCount) parameters; got \(parameters.count) and \(previous.count)")
        precondition(domain.dimension == model.inputDimension,
                     "EvaluationInput: input domain of \(domain.dimension) features for a model of \(model.inputDimension)")
        self.model = model
        self.parameters = parameters
        self.previous = previous
        self.round = round
        self.train = train
        self.clientIndices = clientIndices
        self.heldOut = heldOut
        self.samples = samples
        self.domain = domain
        self.training = training
        self.observation = observation
        self.updates = updates
        self.rng = rng
    }

    /// Client k's local data.
    public func clientData(_ k: Int) -> Dataset { train.subset(clientIndices[k]) }
}

/// One update the server accepted.
public struct ObservedUpdate: Sendable {
    public let client: Int
    public let delta: [Float]
    public let samples: Int

    public init(client: Int, delta: [Float], samples: Int) {
        self.client = client
        self.delta = delta
        self.samples = samples
    }
}

/// What an observer sees of one client's update u after the defence: u scaled to L2 norm at
/// most `clip` (when set), plus Gaussian noise of standard deviation `noiseStd` per coordinate.
///
/// For DP-FedAvg (McMahan et al., ICLR 2018) with clip C and noise multiplier σ this is
/// `clip = C`, `noiseStd = σ·C`: the server adds N(0, σ²C²) to the sum of clipped updates, so
/// an attacker who knows (or subtracts) every other update is left with clip(u) + N(0, σ²C²).
/// Without DP, `noiseStd = 0`; with a fixed norm bound, `clip` is the bound.
public struct UpdateObservation: Sendable, Equatable {
    public let clip: Double?
    public let noiseStd: Double

    public init(clip: Double? = nil, noiseStd: Double = 0) {
        precondition(clip.map { $0 > 0 } ?? true && noiseStd >= 0, "UpdateObservation: clip must be > 0 and noise >= 0")
        self.clip = clip
        self.noiseStd = noiseStd
    }

    /// The observed copy of `update` (noise drawn from `rng`).
    public func observe(_ update: [Float], rng: inout SeededRNG) -> [Float] {
        var u = update
        if let clip {
            let norm = u.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            if norm > clip {
                let s = Float(clip / norm)
                for j in u.indices { u[j] *= s }
            }
        }
        if noiseStd > 0 {
            for j in u.indices { u[j] += Float(noiseStd * rng.nextGaussian()) }
        }
        return u
    }
}
