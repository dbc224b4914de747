import FedCore

// MARK: - Shared checks for model attacks

extension AttackInput {
    /// Throws `AttackError.shape` unless `benign` has as many columns as `own`.
    func checkShapes(attack: String) throws {
        guard benign.columns == own.columns else {
            throw AttackError.shape(attack: attack,
                                    message: "benign updates have \(benign.columns) columns, own updates \(own.columns)")
        }
    }

    /// For the attacks tailored to the server's rule: the rule as a black box (which only the
    /// adversary hub has) and at least one known honest row, or the error naming what is missing.
    func requireOracle(attack: String) throws -> AggregationOracle {
        try requireBenign(attack: attack, atLeast: 1)
        guard let oracle else {
            throw AttackError.parameter(attack: attack, message: "needs the server's rule (runs in the adversary hub)")
        }
        return oracle
    }

    /// The attackers' rows, every one of them `update` (colluding attackers send one update).
    func everyAttackerSends(_ update: [Float]) -> UpdateMatrix {
        var out = UpdateMatrix(rows: own.rows, columns: own.columns)
        for i in 0..<own.rows { out.setRow(i, update) }
        return out
    }

    /// Checks shapes and that at least `needed` benign rows are known.
    func requireBenign(attack: String, atLeast needed: Int) throws {
        try checkShapes(attack: attack)
        guard benign.rows >= needed else {
            throw AttackError.notEnoughUpdates(attack: attack, needed: needed, got: benign.rows)
        }
    }
}

/// Throws `AttackError.parameter` unless `value` is finite (and positive when asked).
func requireFinite(_ value: Double, _ what: String, attack: String, positive: Bool = false) throws {
    guard value.isFinite else {
        throw AttackError.parameter(attack: attack, message: "\(what) must be finite; got \(value)")
    }
    if positive && !(value > 0) {
        throw AttackError.parameter(attack: attack, message: "\(what) must be positive; got \(value)")
    }
}
