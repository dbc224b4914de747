/// The L-BFGS approximation of a Hessian-vector product in compact form (Byrd, Nocedal &
/// Schnabel, "Representations of quasi-Newton matrices and their use in limited memory
/// methods", Math. Programming 1994, eq. 2.25), as FLDetector uses it (Zhang, Cao, Jia & Gong,
/// KDD 2022, their `lbfgs`):
///
///     S = [s_1 … s_m], Y = [y_1 … y_m] (d × m; s model differences, y gradient differences)
///     σ = ⟨y_m, s_m⟩ / ⟨s_m, s_m⟩,  SᵀY = L + D + R (strictly lower, diagonal, strictly upper)
///     M = [[σ SᵀS, L], [Lᵀ, −D]]            (2m × 2m)
///     B v = σ v − [σS, Y] · M⁻¹ · [σ Sᵀv; Yᵀv]
///
/// B is the BFGS matrix built from the m pairs, so B s_m ≈ y_m (it holds exactly for the last
/// pair). Inner products in Double; M⁻¹ applied by Gaussian elimination with partial
/// pivoting. nil when the pairs carry no curvature (⟨s_m, s_m⟩ = 0) or M is singular.
public enum LBFGSProduct {
    public static func product(s: [[Float]], y: [[Float]], v: [Float]) -> [Float]? {
        let m = s.count
        precondition(m == y.count && m >= 1, "LBFGSProduct: \(s.count) model and \(y.count) gradient differences")
        let d = v.count
        func dot(_ a: [Float], _ b: [Float]) -> Double {
            var t = 0.0
            for j in 0..<d { t += Double(a[j]) * Double(b[j]) }
            return t
        }
        let ss = dot(s[m - 1], s[m - 1])
        guard ss > 0 else { return nil }
        let sigma = dot(y[m - 1], s[m - 1]) / ss
        var sty = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        var sts = sty
        for i in 0..<m {
            for j in 0..<m {
                sty[i][j] = dot(s[i], y[j])
                sts[i][j] = j >= i ? dot(s[i], s[j]) : sts[j][i]
            }
        }
        // M = [[σ SᵀS, L], [Lᵀ, −D]].
        var mat = [[Double]](repeating: [Double](repeating: 0, count: 2 * m), count: 2 * m)
        for i in 0..<m {
            for j in 0..<m {
                mat[i][j] = sigma * sts[i][j]
                let l = i > j ? sty[i][j] : 0
                mat[i][m + j] = l
                mat[m + j][i] = l
            }
            mat[m + i][m + i] = -sty[i][i]
        }
        var rhs = [Double](repeating: 0, count: 2 * m)
        for i in 0..<m {
            rhs[i] = sigma * dot(s[i], v)
            rhs[m + i] = dot(y[i], v)
        }
        guard let q = solve(mat, rhs) else { return nil }
        var out = [Double](repeating: 0, count: d)
        for j in 0..<d { out[j] = sigma * Double(v[j]) }
        for i in 0..<m {
            let a = sigma * q[i], b = q[m + i]
            for j in 0..<d { out[j] -= a * Double(s[i][j]) + b * Double(y[i][j]) }
        }
        return out.map { Float($0) }
    }

    /// x with A x = b, by Gaussian elimination with partial pivoting; nil when A is singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        let n = b.count
        var a = a, b = b
        for c in 0..<n {
            guard let p = (c..<n).max(by: { abs(a[$0][c]) < abs(a[$1][c]) }), abs(a[p][c]) > 1e-300 else { return nil }
            if p != c { a.swapAt(p, c); b.swapAt(p, c) }
            for r in (c + 1)..<max(c + 1, n) {
                let f = a[r][c] / a[c][c]
                guard f != 0 else { continue }
                for k in c..<n { a[r][k] -= f * a[c][k] }
                b[r] -= f * b[c]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var t = b[r]
            for k in (r + 1)..<max(r + 1, n) { t -= a[r][k] * x[k] }
            x[r] = t / a[r][r]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
