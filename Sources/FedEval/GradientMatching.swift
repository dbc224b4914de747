/// How far a dummy's gradient (or update) `g` is from the observed one `t`, with the
/// derivative of that distance with respect to `g` (the direction `v` of the second-order
/// step in `SimulatedUpdate.inputGradient`).
///
/// - `l2` (Zhu, Liu & Han, "Deep Leakage from Gradients", NeurIPS 2019, eq. 4):
///   `D = ||g − t||²`, `dD/dg = 2 (g − t)`.
/// - `cosine` (Geiping, Bauermeister, Dröge & Moeller, "Inverting Gradients", NeurIPS 2020,
///   eq. 4, over the whole parameter vector as their code's default `indices='def'`):
///   `D = 1 − <g, t> / (||g|| ||t||)`,
///   `dD/dg = −t / (||g|| ||t||) + <g, t> g / (||g||³ ||t||)`.
///   A zero `g` or `t` has no direction: `D = 1` and a zero derivative.
public enum GradientMatching: String, Sendable, CaseIterable {
    case l2
    case cosine

    /// `D(g, t)`, and `dD/dg` written into `derivative`.
    public func value(_ g: UnsafeBufferPointer<Float>, target t: UnsafeBufferPointer<Float>,
                      derivative: UnsafeMutableBufferPointer<Float>) -> Double {
        precondition(g.count == t.count && derivative.count == g.count,
                     "GradientMatching: \(g.count) values against \(t.count) (derivative \(derivative.count))")
        switch self {
        case .l2:
            var s = 0.0
            for j in 0..<g.count {
                let d = g[j] - t[j]
                s += Double(d) * Double(d)
                derivative[j] = 2 * d
            }
            return s
        case .cosine:
            var gg = 0.0, tt = 0.0, gt = 0.0
            for j in 0..<g.count {
                let a = Double(g[j]), b = Double(t[j])
                gg += a * a; tt += b * b; gt += a * b
            }
            let ng = gg.squareRoot(), nt = tt.squareRoot()
            guard ng > 0, nt > 0 else {
                for j in 0..<g.count { derivative[j] = 0 }
                return 1
            }
            let a = Float(-1 / (ng * nt)), b = Float(gt / (gg * ng * nt))
            for j in 0..<g.count { derivative[j] = a * t[j] + b * g[j] }
            return 1 - gt / (ng * nt)
        }
    }

    /// Array convenience.
    public func valueAndDerivative(_ g: [Float], target t: [Float]) -> (value: Double, derivative: [Float]) {
        var d = [Float](repeating: 0, count: g.count)
        let v = g.withUnsafeBufferPointer { gp in
            t.withUnsafeBufferPointer { tp in d.withUnsafeMutableBufferPointer { value(gp, target: tp, derivative: $0) } }
        }
        return (v, d)
    }
}
