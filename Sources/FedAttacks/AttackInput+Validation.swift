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
