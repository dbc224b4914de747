import FedAttacks
import FedCore

/// One logical client inside a client process: its data, and, when it is malicious, its
/// attack. A malicious client is an honest client composed with an attack: a data attack
/// changes what it trains on, a model attack changes what it sends.
struct LocalClient {
    enum Outcome {
        /// Send this update to the coordinator; `state` is the worker's own buffer when the
        /// update is not it (a crafted or boosted update), nil otherwise.
        case send([Float], state: [Float]?)
        /// Send this honest update to the adversary hub and submit what it crafts (with
        /// `state`, the honest buffer, when the scenario keeps worker buffers).
        case collude([Float], state: [Float]?)
    }

    /// How the client works in a round: FedAvg's local training, or one FedSGD gradient with
    /// an optional worker momentum buffer.
    enum Procedure {
        case fedavg(LocalTraining)
        case fedsgd(batchSize: Int, weightDecay: Float, momentum: WorkerMomentum?)

        init(_ f: FederationConfig) {
            switch f.mode {
            case .fedavg: self = .fedavg(FederationData.localTraining(f))
            case .fedsgd: self = .fedsgd(batchSize: f.batchSize, weightDecay: Float(f.weightDecay),
                                         momentum: f.workerMomentum)
            }
        }
    }

    let id: Int
    let clean: Dataset
    /// The poisoned copy of `clean` (data attacks), or nil.
    let poisoned: Dataset?
    /// The attack group, or nil for an honest client.
    let group: Int?
    let modelAttack: (any ModelAttack)?
    /// Factor applied to the delta after training (model-replacement boosting), 1 when none.
    let boost: Float

    /// The honest update of round `round` from `model` on `data`, and the worker's new buffer
    /// when it keeps one.
    ///
    /// FedAvg: the delta `x_local - x` after `trainLocally`. FedSGD: the descent direction
    /// `-g` of one minibatch gradient (`MinibatchSchedule` on the stream ("fedsgd", id), step
    /// `round - 1`, so the batches run through epochs of the local data); with worker momentum
    /// the update is the buffer `WorkerMomentum.accumulate(buffer, -g)`, which is `-m` of the
    /// papers' `m = beta m + g` exactly (negation commutes with rounding). Every update is in
    /// the same convention: the server adds `step * aggregate`.
    /// `adjustment` steers the training of an attacker that shapes its update (nil: honest).
    static func honestUpdate(_ procedure: Procedure, id: Int, round: Int, model: [Float], buffer: [Float]?,
                             data: Dataset, architecture: any Model, seed: UInt64,
                             adjustment: GradientAdjustment? = nil)
        -> (update: [Float], state: [Float]?, loss: Double) {
        switch procedure {
        case let .fedavg(config):
            var rng = SeededRNG(seed: seed).derive("train", round, id)
            let result = trainLocally(model: architecture, start: model, data: data, config: config, rng: &rng,
                                      adjustment: adjustment)
            var delta = result.parameters
            for j in 0..<delta.count { delta[j] -= model[j] }
            return (delta, nil, result.meanLoss)
        case let .fedsgd(batchSize, weightDecay, momentum):
            guard data.count > 0 else { return ([Float](repeating: 0, count: model.count), buffer, 0) }
            let schedule = MinibatchSchedule(count: data.count, batchSize: batchSize)
            let batch = schedule.indices(step: round - 1, rng: SeededRNG(seed: seed).derive("fedsgd", id))
            var (loss, g) = minibatchGradient(model: architecture, parameters: model, data: data, indices: batch,
                                              weightDecay: weightDecay,
                                              dropoutRNG: SeededRNG(seed: seed).derive("dropout", round, id))
            if let adjustment {
                model.withUnsafeBufferPointer { p in g.withUnsafeMutableBufferPointer { adjustment.adjust(p, $0) } }
            }
            let step = g.map { -$0 }
            guard let momentum, momentum.keepsBuffer else { return (step, nil, Double(loss)) }
            let m = momentum.accumulate(buffer, step: step)
            return (m, m, Double(loss))
        }
    }

    /// Trains `architecture` from the parameters `model` for round `round`; `active` says
    /// whether the attack runs this round; `buffer` is the worker's momentum buffer from the
    /// TASK (nil: none yet).
    func train(round: Int, model: [Float], buffer: [Float]?, active: Bool, architecture: any Model,
               procedure: Procedure, seed: UInt64, sampled: Int, attackersSampled: Int,
               previousChange: [Float]?) throws -> (Outcome, samples: Int, loss: Double) {
        let data = (active ? poisoned : nil) ?? clean
        let adjustment = active ? modelAttack?.trainingAdjustment(global: model, previousGlobalChange: previousChange) : nil
        let honest = LocalClient.honestUpdate(procedure, id: id, round: round, model: model, buffer: buffer,
                                              data: data, architecture: architecture, seed: seed, adjustment: adjustment)
        var delta = honest.update
        let boosted = active && boost != 1
        if boosted { for j in 0..<delta.count { delta[j] *= boost } }
        guard active, let attack = modelAttack else {
            return (.send(delta, state: boosted ? honest.state : nil), clean.count, honest.loss)
        }
        if attack.needsCollusion { return (.collude(delta, state: honest.state), clean.count, honest.loss) }
        let own = UpdateMatrix(rows: 1, columns: delta.count, values: delta)
        var attackRNG = SeededRNG(seed: seed).derive("attack", round, id)
        let crafted = try attack.craft(AttackInput(own: own, benign: own, totalClients: sampled,
                                                   maliciousClients: attackersSampled, round: round,
                                                   previousGlobalChange: previousChange), rng: &attackRNG)
        return (.send(crafted.row(0), state: honest.state), clean.count, honest.loss)
    }
}
