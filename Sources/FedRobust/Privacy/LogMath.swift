#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log-space arithmetic for the privacy accountant, where terms such as
/// `C(α, i)·q^i·exp((i² − i)/(2σ²))` overflow or underflow a Double long before their sum does.
///
/// Every function takes and returns natural logarithms; `-Double.infinity` stands for log 0.
public enum LogMath {
    // MARK: - Sums and differences

    /// `log(e^a + e^b)`, computed as `max + log1p(exp(min − max))` so that neither term is
    /// ever exponentiated on its own. `logAdd(-∞, b) = b`.
    public static func logAdd(_ a: Double, _ b: Double) -> Double {
        let hi = Swift.max(a, b)
        let lo = Swift.min(a, b)
        if lo == -.infinity { return hi }
        return hi + log1p(exp(lo - hi))
    }

    /// `log(e^a − e^b)` for `a ≥ b`, computed as `b + log(expm1(a − b))`.
    ///
    /// Guard (docs/ALGORITHMS.md section 5): when `a ≤ b` the difference is not positive and has no
    /// logarithm; this happens only through rounding when two nearly equal partial sums are
    /// subtracted, so the result is `-∞` (the difference is taken as 0) rather than a NaN or
    /// a trap. Opacus' `_log_sub` raises in that case; for the inputs it accepts the two agree.
    /// When `expm1` overflows (a − b > ~709) the answer is `a` to double precision.
    public static func logSub(_ a: Double, _ b: Double) -> Double {
        if b == -.infinity { return a }
        if a <= b { return -.infinity }
        let d = a - b
        if d > 700 { return a }
        return b + log(expm1(d))
    }

    // MARK: - Special functions

    /// `log erfc(x)`, accurate for every finite x.
    ///
    /// For `x < 25` glibc's `erfc` keeps full relative accuracy (erfc(25) ≈ 8.3e−274 is still a
    /// normal Double), so the log of it is exact to rounding. Beyond, erfc underflows, and the
    /// asymptotic expansion (Abramowitz & Stegun 7.1.23)
    /// `erfc(x) = exp(−x²)/(x√π) · (1 + Σ_{n≥1} (−1)^n (2n−1)!!/(2x²)^n)`
    /// is used in log form: `−x² − log x − ½ log π + log(series)`; at x = 25 six terms leave a
    /// relative error below 1e−14.
    public static func logErfc(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < 25 { return log(erfc(x)) }
        if x == .infinity { return -.infinity }
        let inv2x2 = 1 / (2 * x * x)
        var term = 1.0
        var series = 1.0
        for n in 1...6 {
            term *= -Double(2 * n - 1) * inv2x2
            series += term
        }
        return -x * x - log(x) - 0.5 * log(Double.pi) + log(series)
    }

    /// `log Γ(x)` through the re-entrant `lgamma_r` (plain `lgamma` writes the global
    /// `signgam`, a data race when several threads account at once).
    public static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// `log C(n, k) = log Γ(n+1) − log Γ(k+1) − log Γ(n−k+1)` for `0 ≤ k ≤ n`.
    public static func logBinomial(_ n: Int, _ k: Int) -> Double {
        precondition(k >= 0 && k <= n, "logBinomial needs 0 <= k <= n; got n = \(n), k = \(k)")
        if k == 0 || k == n { return 0 }
        return logGamma(Double(n) + 1) - logGamma(Double(k) + 1) - logGamma(Double(n - k) + 1)
    }
}
