import FedAttacks
import FedCore

/// One logical client inside a client process: its data, and, when it is malicious, its
/// attack. A malicious client is an honest client composed with an attack: a data attack
/// changes what it trains on, a model attack changes what it sends.
struct LocalClient {
    enum Outcome {
        /// Send this delta to the coordinator.
        case send([Float])
        /// Send this honest delta to the adversary hub and submit what it crafts.
        case collude([Float])
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

    /// Trains `architecture` from the parameters `model` for round `round`; `active` says
    /// whether the attack runs this round.
    func train(round: Int, model: [Float], active: Bool, architecture: any Model, config: LocalTraining,
               seed: UInt64, sampled: Int, attackersSampled: Int, previousChange: [Float]?) throws -> (Outcome, samples: Int, loss: Double) {
        let data = (active ? poisoned : nil) ?? clean
        var rng = SeededRNG(seed: seed).derive("train", round, id)
        let result = trainLocally(model: architecture, start: model, data: data, config: config, rng: &rng)
        var delta = result.parameters
        for j in 0..<delta.count { delta[j] -= model[j] }
        if active && boost != 1 { for j in 0..<delta.count { delta[j] *= boost } }
        guard active, let attack = modelAttack else { return (.send(delta), clean.count, result.meanLoss) }
        if attack.needsCollusion { return (.collude(delta), clean.count, result.meanLoss) }
        let own = UpdateMatrix(rows: 1, columns: delta.count, values: delta)
        var attackRNG = SeededRNG(seed: seed).derive("attack", round, id)
        let crafted = try attack.craft(AttackInput(own: own, benign: own, totalClients: sampled,
                                                   maliciousClients: attackersSampled, round: round,
                                                   previousGlobalChange: previousChange), rng: &attackRNG)
        return (.send(crafted.row(0)), clean.count, result.meanLoss)
    }
}
