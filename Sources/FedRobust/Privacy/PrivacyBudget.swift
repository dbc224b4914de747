import FedCore
/// A run's privacy ledger: an `RDPAccountant` tied to the run's per-round sampling rate q and
/// noise multiplier z and to a target δ, with the ε reached after every round.
///
/// One `recordRound()` per round in which the DP aggregator released an output (the sampled
/// Gaussian mechanism runs every round, also when the Poisson cohort came out empty). The
/// conversion is named in every `RDPAccountant.Spent`, so reports can say which was used.
/// q is the Poisson sampling rate; for a fixed-size cohort of m out of N clients, q = m/N is
/// the usual approximation and should be labelled approximate.
public struct PrivacyBudget: Sendable, Equatable {
    /// Per-round sampling rate q.
    public let samplingRate: Double
    /// Per-round noise multiplier z.
    public let noiseMultiplier: Double
    /// The δ of every reported (ε, δ).
    public let delta: Double
    public let conversion: RDPAccountant.Conversion
    /// The composed RDP so far (checkpoint it with `history`).
    public private(set) var accountant: RDPAccountant
    /// ε after round 1, 2, ... (at `delta`, by `conversion`).
    public private(set) var history: [Double]

    public init(samplingRate: Double, noiseMultiplier: Double, delta: Double,
                orders: [Double] = RDPAccountant.opacusOrders,
                conversion: RDPAccountant.Conversion = .improved) throws(AccountantError) {
        try self.init(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier, delta: delta,
                      conversion: conversion, accountant: RDPAccountant(orders: orders), history: [])
    }

    /// Restores a budget from a checkpoint (the accountant's orders and RDP vector, and the history).
    public init(samplingRate: Double, noiseMultiplier: Double, delta: Double,
                conversion: RDPAccountant.Conversion = .improved,
                accountant: RDPAccountant, history: [Double]) throws(AccountantError) {
        guard samplingRate >= 0, samplingRate <= 1 else {
            throw .parameter("sampling rate must be in [0, 1]; got \(samplingRate)")
        }
        guard noiseMultiplier >= 0, noiseMultiplier.isFinite else {
            throw .parameter("noise multiplier must be >= 0 and finite; got \(noiseMultiplier)")
        }
        guard delta > 0, delta < 1 else { throw .parameter("delta must be in (0, 1); got \(delta)") }
        self.samplingRate = samplingRate
        self.noiseMultiplier = noiseMultiplier
        self.delta = delta
        self.conversion = conversion
        self.accountant = accountant
        self.history = history
    }

    /// Composes one more round and returns the (ε, δ) spent so far.
    @discardableResult
    public mutating func recordRound() -> RDPAccountant.Spent {
        accountant.step(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
        let s = accountant.spent(delta: delta, conversion: conversion)
        history.append(s.epsilon)
        return s
    }

    /// Rounds recorded so far.
    public var rounds: Int { history.count }

    /// The (ε, δ) spent so far (ε = 0 before any round).
    public var spent: RDPAccountant.Spent {
        guard !history.isEmpty else {
            return RDPAccountant.Spent(epsilon: 0, delta: delta, order: .nan, conversion: conversion, optimumAtEdge: false)
        }
        return accountant.spent(delta: delta, conversion: conversion)
    }
}

extension PrivacyBudget {
    /// The accountant's RDP vector and the per-round epsilons, for the checkpoint.
    public var savedState: SavedState {
        SavedState(numbers: ["rdp": accountant.rdp, "history": history])
    }

    /// Restores `savedState` (the orders and settings stay this budget's; the vector is validated).
    public mutating func restore(_ state: SavedState) throws {
        let rdp = try state.numbers("rdp", of: "privacy"), history = try state.numbers("history", of: "privacy")
        guard !rdp.contains(where: \.isNaN), !history.contains(where: { !($0 >= 0) }) else {
            throw SavedStateError(component: "privacy", message: "the accountant's saved values hold NaN or a negative epsilon")
        }
        self = try PrivacyBudget(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier, delta: delta,
                                 conversion: conversion,
                                 accountant: try RDPAccountant(orders: accountant.orders, rdp: state.numbers("rdp", of: "privacy")),
                                 history: try state.numbers("history", of: "privacy"))
    }
}
