// MARK: - Calibrating the noise multiplier for a target ε

extension RDPAccountant {
    /// The largest σ beyond which Opacus gives up (its `MAX_SIGMA`).
    public static let maxNoiseMultiplier = 1e6

    /// The noise multiplier σ that keeps `steps` rounds at sampling rate `q` within
    /// (`targetEpsilon`, `delta`), following Opacus `get_noise_multiplier` step for step so that
    /// the answers agree to the last digit:
    ///
    /// 1. σ_lo = 0, σ_hi = 10; double σ_hi (first evaluation at 20) while ε(σ_hi) > target;
    /// 2. bisect: σ = (σ_lo + σ_hi)/2, move σ_hi there when ε(σ) < target, else σ_lo;
    ///    stop once target − ε(σ_hi) ≤ `tolerance`;
    /// 3. return σ_hi, whose ε is within (target − tolerance, target].
    ///
    /// Example (Opacus tests): ε = 8, δ = 1e−5, q = 0.04, 2250 steps → σ = 1.416015625.
    public static func noiseMultiplier(
        targetEpsilon: Double, delta: Double, samplingRate q: Double, steps: Int,
        orders: [Double] = RDPAccountant.opacusOrders,
        conversion: Conversion = .improved, tolerance: Double = 0.01
    ) throws(AccountantError) -> Double {
        guard targetEpsilon > 0, targetEpsilon.isFinite else {
            throw .parameter("target epsilon must be positive and finite; got \(targetEpsilon)")
        }
        guard delta > 0, delta < 1 else { throw .parameter("delta must be in (0, 1); got \(delta)") }
        guard q > 0, q <= 1 else { throw .parameter("sampling rate must be in (0, 1]; got \(q)") }
        guard steps > 0 else { throw .parameter("steps must be positive; got \(steps)") }
        guard tolerance > 0 else { throw .parameter("tolerance must be positive; got \(tolerance)") }

        func epsilon(_ sigma: Double) -> Double {
            var accountant = RDPAccountant(orders: orders)
            accountant.step(samplingRate: q, noiseMultiplier: sigma, count: steps)
            return accountant.epsilon(delta: delta, conversion: conversion).epsilon
        }
        var sigmaLow = 0.0
        var sigmaHigh = 10.0
        var epsHigh = Double.infinity
        while epsHigh > targetEpsilon {
            sigmaHigh *= 2
            if sigmaHigh > maxNoiseMultiplier {
                throw .budgetTooLow(targetEpsilon: targetEpsilon, delta: delta, maxSigma: maxNoiseMultiplier)
            }
            epsHigh = epsilon(sigmaHigh)
        }
        while targetEpsilon - epsHigh > tolerance {
            let sigma = (sigmaLow + sigmaHigh) / 2
            let eps = epsilon(sigma)
            if eps < targetEpsilon {
                sigmaHigh = sigma
                epsHigh = eps
            } else {
                sigmaLow = sigma
            }
        }
        return sigmaHigh
    }
}
