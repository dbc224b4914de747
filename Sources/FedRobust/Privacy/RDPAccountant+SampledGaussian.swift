#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Per-step RDP of the sampled Gaussian mechanism

extension RDPAccountant {
    /// RDP of order α of one step of the sampled Gaussian mechanism with sampling rate `q` and
    /// noise multiplier `σ` (sensitivity 1): `ε_α(q, σ) = log A_α / (α − 1)`, where
    /// `A_α = E_{z∼μ0}[(μ(z)/μ0(z))^α]`, `μ0 = N(0, σ²)`, `μ = (1 − q)μ0 + q·N(1, σ²)`
    /// (Mironov, Talwar & Zhang, arXiv 1908.10530, Sec. 3.3).
    ///
    /// - Special cases: q = 0 → 0; σ = 0 → ∞; α = ∞ → ∞; q = 1 → α/(2σ²) (the Gaussian
    ///   mechanism itself).
    /// - Integer α: `A_α = Σ_{i=0}^{α} C(α, i)(1 − q)^{α−i} q^i exp((i² − i)/(2σ²))`, every term in
    ///   log space (log-binomial via lgamma) combined by log-sum-exp.
    /// - Fractional α: the two-series expansion of docs/ALGORITHMS.md section 5 (Opacus
    ///   `_compute_log_a_frac`), stopped after the first i with max(s0, s1) < −30.
    ///
    /// Matches Opacus / TF Privacy; for fractional α < 2 the newest dp_accounting differs
    /// slightly (its own algorithm), see docs/ALGORITHMS.md section 5.
    public static func rdp(q: Double, sigma: Double, order alpha: Double) -> Double {
        if q == 0 { return 0 }
        if sigma == 0 { return .infinity }
        if q == 1 { return alpha / (2 * sigma * sigma) }
        if alpha.isInfinite { return .infinity }
        let logA: Double
        if alpha == alpha.rounded(), alpha < Double(Int32.max) {
            logA = logAInteger(q: q, sigma: sigma, alpha: Int(alpha))
        } else {
            logA = logAFractional(q: q, sigma: sigma, alpha: alpha)
        }
        return logA / (alpha - 1)
    }

    /// `count` steps at every order of `orders`: `count · ε_α(q, σ)` order by order.
    public static func rdp(q: Double, sigma: Double, count: Int, orders: [Double]) -> [Double] {
        orders.map { Double(count) * rdp(q: q, sigma: sigma, order: $0) }
    }

    /// `log A_α` for integer α ≥ 0 by the binomial expansion, summed in log space.
    static func logAInteger(q: Double, sigma: Double, alpha: Int) -> Double {
        let logQ = log(q)
        let log1mQ = log1p(-q)
        let twoSigma2 = 2 * sigma * sigma
        var acc = -Double.infinity
        for i in 0...alpha {
            let di = Double(i)
            let t = LogMath.logBinomial(alpha, i) + di * logQ + Double(alpha - i) * log1mQ
                + (di * di - di) / twoSigma2
            acc = LogMath.logAdd(acc, t)
        }
        return acc
    }

    /// `log A_α` for fractional α by the two series of Mironov, Talwar & Zhang (Sec. 3.3):
    /// split the integral at `z0 = σ² log(1/q − 1) + 1/2`, expand both halves with the
    /// generalised binomial `C(α, i) = Π_{k<i} (α − k)/(k + 1)` (its sign alternates once
    /// i > α), and integrate each Gaussian tail with `erfc`:
    ///
    ///     t0 = log|c| + i log q + j log(1 − q),  t1 = log|c| + j log q + i log(1 − q),  j = α − i
    ///     e0 = log ½ + log erfc((i − z0)/(√2 σ)),  e1 = log ½ + log erfc((z0 − j)/(√2 σ))
    ///     s0 = t0 + (i² − i)/(2σ²) + e0,            s1 = t1 + (j² − j)/(2σ²) + e1
    ///
    /// adding s0, s1 into a0, a1 when c > 0 and subtracting otherwise; `log A = logadd(a0, a1)`.
    static func logAFractional(q: Double, sigma: Double, alpha: Double) -> Double {
        let logQ = log(q)
        let log1mQ = log1p(-q)
        let sigma2 = sigma * sigma
        let z0 = sigma2 * (log1mQ - logQ) + 0.5
        let sqrt2Sigma = 2.0.squareRoot() * sigma
        let logHalf = log(0.5)
        var a0 = -Double.infinity
        var a1 = -Double.infinity
        var logAbsC = 0.0  // log |C(α, 0)| = 0
        var positive = true
        var i = 0
        // The series converge at least linearly in i; the cap only stops a NaN input from
        // looping forever.
        while i < 10_000_000 {
            let di = Double(i)
            let j = alpha - di
            let t0 = logAbsC + di * logQ + j * log1mQ
            let t1 = logAbsC + j * logQ + di * log1mQ
            let e0 = logHalf + LogMath.logErfc((di - z0) / sqrt2Sigma)
            let e1 = logHalf + LogMath.logErfc((z0 - j) / sqrt2Sigma)
            let s0 = t0 + (di * di - di) / (2 * sigma2) + e0
            let s1 = t1 + (j * j - j) / (2 * sigma2) + e1
            if s0.isNaN || s1.isNaN { return .nan }
            if positive {
                a0 = LogMath.logAdd(a0, s0)
                a1 = LogMath.logAdd(a1, s1)
            } else {
                a0 = LogMath.logSub(a0, s0)
                a1 = LogMath.logSub(a1, s1)
            }
            if Swift.max(s0, s1) < -30 { break }
            // C(α, i + 1) = C(α, i) · (α − i)/(i + 1)
            let ratio = alpha - di
            logAbsC += log(abs(ratio)) - log(di + 1)
            if ratio < 0 { positive.toggle() }
            i += 1
        }
        return LogMath.logAdd(a0, a1)
    }
}
