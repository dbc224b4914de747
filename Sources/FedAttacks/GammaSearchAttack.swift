import FedCore

/// What Min-Max and Min-Sum share (Shejwalkar & Houmansadr, NDSS 2021): all attackers send
/// `μ − γ·p`, with γ found by `GammaSearch` under the attack's own acceptance criterion.
public protocol GammaSearchAttack: ModelAttack {
    var deviation: Deviation { get }
    var gammaSearch: GammaSearch { get }
}

extension GammaSearchAttack {
    public var needsCollusion: Bool { true }

    /// The γ found and the malicious update for benign rows `benign` (at least 2).
    public func search(benign: UpdateMatrix) throws -> (gamma: Double, update: [Float]) {
        guard benign.rows >= 2 else {
            throw AttackError.notEnoughUpdates(attack: name, needed: 2, got: benign.rows)
        }
        let r = gammaSearch.run(benign: benign, deviation: deviation)
        return (r.gamma, r.update)
    }

    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix {
        try input.requireBenign(attack: name, atLeast: 2)
        return repeatedRows(try search(benign: input.benign).update, rows: input.own.rows)
    }
}
