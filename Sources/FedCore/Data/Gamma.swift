#if canImport(Glibc)
import Glibc
#endif

// MARK: - Gamma and Dirichlet draws

extension SeededRNG {
    /// A draw from Gamma(shape, 1) (density x^(k-1) e^(-x) / Γ(k), mean k, variance k).
    ///
    /// Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS 26(3),
    /// 2000. For k >= 1, with d = k - 1/3 and c = 1/sqrt(9d): draw x ~ N(0,1) and
    /// v = (1 + c·x)^3 until v > 0, u ~ U(0,1), and accept d·v if
    /// u < 1 - 0.0331·x^4 (squeeze) or log u < x²/2 + d·(1 - v + log v).
    /// For k < 1 the boost trick: Gamma(k) = Gamma(k + 1) · U^(1/k) (same paper, section 6).
    ///
    /// - Precondition: `shape > 0` and finite.
    public mutating func nextGamma(shape: Double) -> Double {
        precondition(shape > 0 && shape.isFinite, "nextGamma needs a positive finite shape; got \(shape)")
        if shape < 1 {
            return exp(nextLogGamma(shape: shape))
        }
        return marsagliaTsang(shape)
    }

    /// log of a Gamma(shape, 1) draw. For shape < 1 this stays finite where the draw itself
    /// underflows to 0 (shape 0.01 gives values like 1e-300 and below), which the Dirichlet
    /// sampler needs for small concentrations.
    mutating func nextLogGamma(shape: Double) -> Double {
        precondition(shape > 0 && shape.isFinite, "nextLogGamma needs a positive finite shape; got \(shape)")
        if shape >= 1 { return log(marsagliaTsang(shape)) }
        let g = marsagliaTsang(shape + 1)
        return log(g) + log(nextOpenUnit()) / shape
    }

    /// A draw from the Dirichlet distribution Dir(concentration · 1_count): independent
    /// g_i ~ Gamma(concentration), p_i = g_i / Σ_j g_j. Computed from log-gammas with the
    /// maximum subtracted, so tiny concentrations (0.01) never divide 0 by 0.
    public mutating func nextDirichlet(concentration: Double, count: Int) -> [Double] {
        precondition(count > 0, "nextDirichlet needs count > 0; got \(count)")
        var logs = [Double](repeating: 0, count: count)
        for i in 0..<count { logs[i] = nextLogGamma(shape: concentration) }
        let top = logs.max() ?? 0
        var p = logs.map { exp($0 - top) }
        let sum = p.reduce(0, +)
        for i in 0..<count { p[i] /= sum }
        return p
    }

    // MARK: - Internals

    /// Uniform in (0, 1): never exactly 0, so its logarithm is finite.
    private mutating func nextOpenUnit() -> Double {
        var u = nextDouble()
        while u <= 0 { u = nextDouble() }
        return u
    }

    /// Marsaglia–Tsang for shape >= 1.
    private mutating func marsagliaTsang(_ shape: Double) -> Double {
        let d = shape - 1.0 / 3.0
        let c = 1.0 / (9.0 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = nextGaussian()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextOpenUnit()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return d * v }
            if log(u) < 0.5 * x2 + d * (1 - v + log(v)) { return d * v }
        }
    }
}
