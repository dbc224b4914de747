/// Limited-memory BFGS (Nocedal, "Updating quasi-Newton matrices with limited storage",
/// Math. Comp. 1980; Liu & Nocedal 1989) with a backtracking Armijo line search: the
/// optimiser of DLG (Zhu et al. 2019 use PyTorch's `LBFGS`).
///
/// Each iteration takes the two-loop direction `d = −H g` from the last `memory` pairs
/// `(s, y)`, with `H0 = (s·y / y·y) I`; the first step (and any step after a direction that
/// does not descend, which clears the memory) is steepest descent of length
/// `min(1, 1 / ||g||₁)` as PyTorch's first step. The step t starts at 1 and halves until
/// `f(x + t d) <= f(x) + 1e-4 t g·d` (at most 30 halvings). When no step holds, the memory
/// is cleared and the next iteration tries steepest descent; when that fails too, the run
/// stops. A pair enters the memory only when `s·y > 1e-10` (curvature), so the
/// inverse Hessian estimate stays positive definite.
public struct LBFGS: Sendable {
    public let memory: Int
    public let iterations: Int

    public init(memory: Int = 20, iterations: Int) {
        precondition(memory >= 1 && iterations >= 0, "LBFGS: memory \(memory), iterations \(iterations)")
        self.memory = memory
        self.iterations = iterations
    }

    /// Minimises f from `start`. `valueAndGradient(x)` gives f and ∇f; `value(x)` f alone
    /// (the line search's trials). Returns the last accepted point and its value.
    public func minimize(start: [Float], value: ([Float]) -> Double,
                         valueAndGradient: ([Float]) -> (Double, [Float])) -> (x: [Float], value: Double) {
        var x = start
        var (f, g) = valueAndGradient(x)
        var s = [[Float]](), y = [[Float]](), rho = [Double]()
        let n = x.count
        for _ in 0..<iterations {
            var d = direction(g, s, y, rho)
            var slope = dot(g, d)
            var t = 1.0
            if s.isEmpty || slope >= 0 {
                s.removeAll(); y.removeAll(); rho.removeAll()
                d = g.map { -$0 }
                slope = dot(g, d)
                let l1 = g.reduce(0.0) { $0 + Double(abs($1)) }
                t = min(1, 1 / max(l1, 1e-30))
            }
            guard slope < 0 else { break }
            var trial = x
            var accepted = false
            for _ in 0..<30 {
                for j in 0..<n { trial[j] = x[j] + Float(t) * d[j] }
                let ft = value(trial)
                if ft.isFinite && ft <= f + 1e-4 * t * slope { accepted = true; break }
                t *= 0.5
            }
            if !accepted {
                // A quasi-Newton direction that does not descend in practice (a kink of ReLU or
                // max-pooling, or the curvature pairs gone stale): forget them and retry along
                // the gradient; stop only when even that finds no decrease.
                if s.isEmpty { break }
                s.removeAll(); y.removeAll(); rho.removeAll()
                continue
            }
            let (fNew, gNew) = valueAndGradient(trial)
            var sk = [Float](repeating: 0, count: n), yk = sk
            for j in 0..<n { sk[j] = trial[j] - x[j]; yk[j] = gNew[j] - g[j] }
            let sy = dot(sk, yk)
            if sy > 1e-10 {
                s.append(sk); y.append(yk); rho.append(1 / sy)
                if s.count > memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
            }
            x = trial
            let change = abs(fNew - f)
            f = fNew
            g = gNew
            if change <= 1e-12 * max(abs(f), 1) { break }
        }
        return (x, f)
    }

    /// The two-loop recursion: `−H g`.
    func direction(_ g: [Float], _ s: [[Float]], _ y: [[Float]], _ rho: [Double]) -> [Float] {
        var q = g.map(Double.init)
        let k = s.count
        var alpha = [Double](repeating: 0, count: k)
        for i in stride(from: k - 1, through: 0, by: -1) {
            var a = 0.0
            for j in q.indices { a += Double(s[i][j]) * q[j] }
            a *= rho[i]
            alpha[i] = a
            for j in q.indices { q[j] -= a * Double(y[i][j]) }
        }
        if let last = s.indices.last {
            let gamma = 1 / (rho[last] * dot(y[last], y[last]))
            for j in q.indices { q[j] *= gamma }
        }
        for i in 0..<k {
            var b = 0.0
            for j in q.indices { b += Double(y[i][j]) * q[j] }
            b *= rho[i]
            for j in q.indices { q[j] += Double(s[i][j]) * (alpha[i] - b) }
        }
        return q.map { Float(-$0) }
    }

    private func dot(_ a: [Float], _ b: [Float]) -> Double {
        var s = 0.0
        for j in a.indices { s += Double(a[j]) * Double(b[j]) }
        return s
    }
}
