#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rényi-DP accountant for the sampled Gaussian mechanism (SGM): the privacy loss of T rounds
/// of DP-FedAvg (or DP-SGD), each of which samples every client with probability q and adds
/// Gaussian noise of standard deviation σ·C to a sum whose sensitivity is C.
///
/// Papers: Mironov, "Rényi Differential Privacy", CSF 2017 (RDP, composition, classic
/// conversion); Mironov, Talwar & Zhang, "Rényi Differential Privacy of the Sampled Gaussian
/// Mechanism", arXiv 1908.10530, Sec. 3.3 (the per-step RDP computed in
/// `RDPAccountant+SampledGaussian.swift`); Balle, Barthe, Gaboardi, Hsu & Sato, "Hypothesis
/// Testing Interpretations and Renyi Differential Privacy", AISTATS 2020, Thm 21 (improved
/// conversion). Reference implementations: opacus `accountants/analysis/rdp.py`,
/// tensorflow/privacy, dp_accounting.
///
/// The state is the total RDP `r(α)` at each order α of `orders`. RDP composes by addition, so
/// a step adds `count · ε_α(q, σ)` order by order, phases with different (q, σ) mix freely,
/// and the vector alone (with its orders) is a complete checkpoint: see `init(orders:rdp:)`.
public struct RDPAccountant: Sendable, Equatable {
    /// How an RDP curve becomes an (ε, δ) guarantee.
    public enum Conversion: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Mironov 2017, Prop. 3: `ε = min_α r(α) + log(1/δ)/(α − 1)`. What TF Privacy's
        /// older `compute_rdp` / `get_privacy_spent` returned.
        case classic
        /// Balle et al. 2020, Thm 21: `ε = min_α r(α) + log((α − 1)/α) − (log δ + log α)/(α − 1)`.
        /// What Opacus, current TF Privacy and dp_accounting return; always ≤ classic for α > 1.
        case improved

        public var description: String {
            switch self {
            case .classic: return "classic RDP conversion (Mironov 2017)"
            case .improved: return "improved RDP conversion (Balle et al. 2020, Thm 21)"
            }
        }
    }

    /// An (ε, δ) statement with the order that achieved it and how it was derived.
    public struct Spent: Sendable, Equatable {
        public var epsilon: Double
        public var delta: Double
        /// The order α at which the minimum was attained (NaN when every order gave NaN).
        public var order: Double
        public var conversion: Conversion
        /// True when the optimum is the first or the last usable order: the order list is
        /// then too narrow and a wider one may give a smaller ε (Opacus warns in that case).
        public var optimumAtEdge: Bool
    }

    // MARK: - State

    /// The orders α > 1 at which the RDP curve is tracked, in the caller's order.
    public let orders: [Double]
    /// Total RDP `r(α)` at each order (same length as `orders`); public for checkpoints.
    public private(set) var rdp: [Double]

    /// A fresh accountant (no privacy spent) at `orders`.
    public init(orders: [Double] = RDPAccountant.opacusOrders) {
        self.orders = orders
        self.rdp = [Double](repeating: 0, count: orders.count)
    }

    /// Restores an accountant from a checkpointed RDP vector.
    public init(orders: [Double], rdp: [Double]) throws(AccountantError) {
        guard orders.count == rdp.count else {
            throw .mismatchedLengths(orders: orders.count, rdp: rdp.count)
        }
        guard rdp.allSatisfy({ !($0 < 0) }) else { throw .negativeRDP }
        self.orders = orders
        self.rdp = rdp
    }

    // MARK: - Orders

    /// Opacus' `DEFAULT_ALPHAS`: 1 + x/10 for x = 1..99 (1.1 ... 10.9), then 12 ... 63.
    public static let opacusOrders: [Double] =
        (1...99).map { 1 + Double($0) / 10 } + (12...63).map { Double($0) }

    /// TF Privacy `compute_dp_sgd_privacy`: the Opacus list plus 128, 256, 512.
    public static let tfPrivacyOrders: [Double] = opacusOrders + [128, 256, 512]

    // MARK: - Composition

    /// Adds `count` rounds of the sampled Gaussian mechanism with sampling rate `q` (Poisson
    /// sampling of each client) and noise multiplier `sigma` (noise std / sensitivity).
    public mutating func step(samplingRate q: Double, noiseMultiplier sigma: Double, count: Int = 1) {
        precondition(q >= 0 && q <= 1, "sampling rate must be in [0, 1]; got \(q)")
        precondition(sigma >= 0, "noise multiplier must be >= 0; got \(sigma)")
        precondition(count >= 0, "step count must be >= 0; got \(count)")
        guard count > 0 else { return }
        for k in orders.indices {
            rdp[k] += Double(count) * RDPAccountant.rdp(q: q, sigma: sigma, order: orders[k])
        }
    }

    // MARK: - Conversion to (ε, δ)

    /// The smallest ε over the orders such that the mechanism so far is (ε, δ)-DP.
    ///
    /// NaN candidates (α = 1, ∞ − ∞) are skipped; ε is clamped at 0. With no usable order
    /// the answer is (∞, NaN), as in Opacus.
    public func epsilon(delta: Double, conversion: Conversion = .improved) -> (epsilon: Double, order: Double) {
        let s = spent(delta: delta, conversion: conversion)
        return (s.epsilon, s.order)
    }

    /// `epsilon(delta:conversion:)` with the conversion named and the edge warning.
    public func spent(delta: Double, conversion: Conversion = .improved) -> Spent {
        guard delta > 0 else {
            // δ = 0 needs pure DP: only a mechanism that has spent nothing qualifies.
            let eps = rdp.allSatisfy { $0 == 0 } ? 0.0 : Double.infinity
            return Spent(epsilon: eps, delta: delta, order: .nan, conversion: conversion, optimumAtEdge: false)
        }
        let logDelta = log(delta)
        var best = Double.nan
        var bestIndex = -1
        var first = -1
        var last = -1
        for k in orders.indices {
            let a = orders[k]
            let eps: Double
            switch conversion {
            case .classic:
                eps = rdp[k] - logDelta / (a - 1)
            case .improved:
                eps = rdp[k] + log((a - 1) / a) - (logDelta + log(a)) / (a - 1)
            }
            if eps.isNaN { continue }
            if first < 0 { first = k }
            last = k
            if bestIndex < 0 || eps < best {
                best = eps
                bestIndex = k
            }
        }
        guard bestIndex >= 0 else {
            return Spent(epsilon: .infinity, delta: delta, order: .nan, conversion: conversion, optimumAtEdge: false)
        }
        return Spent(epsilon: Swift.max(0, best), delta: delta, order: orders[bestIndex],
                     conversion: conversion, optimumAtEdge: bestIndex == first || bestIndex == last)
    }

    /// The smallest δ over the orders such that the mechanism so far is (ε, δ)-DP, by the
    /// improved conversion solved for δ (Balle et al. 2020, Thm 21):
    /// `log δ = min_α (α − 1)(r(α) − ε + log((α − 1)/α)) − log α`, capped at 1.
    /// Orders α ≤ 1 are skipped.
    public func delta(epsilon: Double) -> (delta: Double, order: Double) {
        precondition(epsilon >= 0, "epsilon must be >= 0; got \(epsilon)")
        var bestLog = Double.infinity
        var bestOrder = Double.nan
        for (a, r) in zip(orders, rdp) where a > 1 {
            let logDelta = (a - 1) * (r - epsilon + log((a - 1) / a)) - log(a)
            if logDelta.isNaN { continue }
            if logDelta < bestLog {
                bestLog = logDelta
                bestOrder = a
            }
        }
        return (Swift.min(1, exp(bestLog)), bestOrder)
    }
}

/// Why an accountant cannot be built or calibrated; every case carries the numbers.
public enum AccountantError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A checkpointed RDP vector does not have one value per order.
    case mismatchedLengths(orders: Int, rdp: Int)
    /// A checkpointed RDP vector holds a negative value (RDP is never negative).
    case negativeRDP
    /// A calibration input is out of range.
    case parameter(String)
    /// No noise multiplier up to `maxSigma` reaches the target ε.
    case budgetTooLow(targetEpsilon: Double, delta: Double, maxSigma: Double)

    public var description: String {
        switch self {
        case let .mismatchedLengths(orders, rdp):
            return "RDP checkpoint needs one value per order; got \(rdp) values for \(orders) orders"
        case .negativeRDP:
            return "RDP checkpoint holds a negative value"
        case let .parameter(message):
            return "accountant: \(message)"
        case let .budgetTooLow(eps, delta, maxSigma):
            return "privacy budget too low: epsilon = \(eps) at delta = \(delta) needs a noise multiplier above \(maxSigma)"
        }
    }
}
