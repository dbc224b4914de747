import FedCore

/// Free rider: a client that takes the global model without training (Lin, Du & Liu,
/// "Free-riders in Federated Learning: Attacks and Defenses", arXiv 1911.12560, 2019).
///
/// - `zeros`: sends the zero update (the plain free rider).
/// - `stale`: sends the last observed global change `w_t − w_{t−1}` ("delta weights"
///   free rider), which looks like a plausible update; zeros when it is unknown (round 1).
///
/// `needsCollusion` is false; `benign` is ignored.
public struct FreeRider: ModelAttack, Equatable {
    public enum Mode: Sendable, Equatable, CaseIterable {
        case zeros, stale
    }

    public let mode: Mode
    public var name: String { "free-rider" }
    public var needsCollusion: Bool { false }

    public init(mode: Mode = .stale) {
        self.mode = mode
    }

    /// Throws `AttackError.shape` when the previous global change does not have `own.columns`
    /// values.
    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix {
        let rows = input.own.rows, d = input.own.columns
        guard mode == .stale, let change = input.previousGlobalChange else {
            return UpdateMatrix(rows: rows, columns: d)
        }
        guard change.count == d else {
            throw AttackError.shape(attack: name, message: "previous global change has \(change.count) values, updates \(d)")
        }
        return repeatedRows(change, rows: rows)
    }
}

extension FreeRider {
    public static let descriptor = AttackDescriptor(
        name: "free-rider", summary: "contribute nothing: zeros, or the last global change replayed (Lin et al., 2019)",
        parameters: [Parameter("mode", .choice(["zeros", "stale"]), default: .word("zeros"),
                               doc: "zeros: an all-zero update; stale: the previous round's global change")],
        role: .model { values in FreeRider(mode: values.word("mode") == "zeros" ? .zeros : .stale) })
}
