import FedCore
#if canImport(Glibc)
import Glibc
#endif

/// The equation-solving extraction of a multinomial logistic regression (Tramèr et al.,
/// "Stealing Machine Learning Models via Prediction APIs", USENIX Security 2016, sec. 4.1).
///
/// For `p = softmax(x W + b)` with `W = [w_0 ... w_{C-1}]` (`d x C`), the log-ratio of two
/// returned probabilities is linear in the input:
///
///     log p_j(x) − log p_0(x) = x · (w_j − w_0) + (b_j − b_0)
///
/// so every query `x_i` gives, for each class `j >= 1`, one linear equation in the `d + 1`
/// unknowns `Δ_j = (w_j − w_0, b_j − b_0)`; `d + 1` queries in general position determine all
/// `Δ_j` exactly (the same queries serve every class: `d + 1` queries in all, each returning
/// `C` probabilities). Tramèr et al. solve the softmax equations directly; the log-ratios are
/// the same information in linear form. With more queries than `d + 1` the system is solved
/// in the least-squares sense (normal equations in Double). An equation whose probabilities
/// were returned as 0 (rounding) has no finite log-ratio and is dropped; a class left with
/// fewer than `d + 1` equations cannot be recovered, and then the attack fails (nil).
///
/// The softmax is invariant to adding one vector to every `w_j` (and one number to every
/// `b_j`), so only the parameters centred over the classes are identifiable: the recovered
/// `Δ` are centred (`θ̂_j = Δ_j − mean_k Δ_k`, with `Δ_0 = 0`), which equals the true
/// centred `θ_j − mean_k θ_k` exactly, and the error is measured there (`relativeError`).
public enum EquationSolving {
    /// The recovered parameters in the target's layout (`W` as `[d x C]` row-major, then `b`),
    /// centred over the classes; nil when some class has fewer than `d + 1` usable equations
    /// or its system is singular.
    ///
    /// - Parameters:
    ///   - inputs: the queries, `count x d`.
    ///   - responses: the oracle's rows for them, `count x classes`.
    public static func recover(inputs: [Float], responses: [Float], count: Int, dimension d: Int, classes c: Int) -> [Float]? {
        precondition(inputs.count >= count * d && responses.count >= count * c,
                     "EquationSolving: \(inputs.count) inputs and \(responses.count) responses for \(count) queries")
        let n = d + 1
        // The usable equations of each class j >= 1 (both probabilities positive and finite);
        // classes with the same usable rows (all of them, without rounding) share one system
        // matrix, factorised once for all their right-hand sides.
        func usable(_ i: Int, _ j: Int) -> Bool {
            let p0 = responses[i * c], pj = responses[i * c + j]
            return p0 > 0 && pj > 0 && p0.isFinite && pj.isFinite
        }
        var groups = [[Bool]: [Int]]()
        var order = [[Bool]]()
        for j in 1..<c {
            let mask = (0..<count).map { usable($0, j) }
            if groups[mask] == nil { order.append(mask) }
            groups[mask, default: []].append(j)
        }
        var delta = [[Double]](repeating: [Double](repeating: 0, count: n), count: c)
        var a = [Double](repeating: 1, count: n)
        for mask in order {
            let classes = groups[mask] ?? []
            let rows = mask.filter { $0 }.count
            guard rows >= n else { return nil }
            var ata = [Double](repeating: 0, count: n * n)
            var atr = [[Double]](repeating: [Double](repeating: 0, count: n), count: classes.count)
            for i in 0..<count where mask[i] {
                for k in 0..<d { a[k] = Double(inputs[i * d + k]) }
                a[d] = 1
                for u in 0..<n {
                    let au = a[u]
                    for v in u..<n { ata[u * n + v] += au * a[v] }
                }
                let logP0 = log(Double(responses[i * c]))
                for (g, j) in classes.enumerated() {
                    let r = log(Double(responses[i * c + j])) - logP0
                    for u in 0..<n { atr[g][u] += a[u] * r }
                }
            }
            for u in 0..<n { for v in 0..<u { ata[u * n + v] = ata[v * n + u] } }
            guard let solutions = solve(ata, atr, n: n) else { return nil }
            for (g, j) in classes.enumerated() { delta[j] = solutions[g] }
        }
        // Centre over the classes: θ̂_j = Δ_j - mean_k Δ_k.
        var theta = [Float](repeating: 0, count: (d + 1) * c)
        for u in 0..<n {
            let mean = delta.reduce(0) { $0 + $1[u] } / Double(c)
            for j in 0..<c {
                let v = Float(delta[j][u] - mean)
                if u < d { theta[u * c + j] = v } else { theta[d * c + j] = v }
            }
        }
        return theta
    }

    /// `parameters` (`W` `[d x C]`, then `b`) centred over the classes: each row of `W` and
    /// `b` minus its mean over the classes (the identifiable part of a softmax model).
    public static func centred(_ parameters: [Float], dimension d: Int, classes c: Int) -> [Float] {
        precondition(parameters.count == (d + 1) * c, "EquationSolving.centred: \(parameters.count) values for \(d + 1) x \(c)")
        var out = parameters
        for u in 0...d {
            let row = u * c
            let mean = (0..<c).reduce(0.0) { $0 + Double(parameters[row + $1]) } / Double(c)
            for j in 0..<c { out[row + j] = Float(Double(parameters[row + j]) - mean) }
        }
        return out
    }

    /// `||θ̂ − centred(θ)|| / ||centred(θ)||` (Euclidean norms over all of `W` and `b`).
    public static func relativeError(recovered: [Float], target: [Float], dimension d: Int, classes c: Int) -> Double {
        let t = centred(target, dimension: d, classes: c)
        precondition(recovered.count == t.count, "EquationSolving.relativeError: \(recovered.count) values for \(t.count)")
        var diff = 0.0, norm = 0.0
        for (a, b) in zip(recovered, t) {
            diff += (Double(a) - Double(b)) * (Double(a) - Double(b))
            norm += Double(b) * Double(b)
        }
        return norm > 0 ? (diff / norm).squareRoot() : diff.squareRoot()
    }

    /// Gaussian elimination with partial pivoting on the `n x n` system `A x = b` (Double) for
    /// every right-hand side `b` of `rhs`; nil when a pivot is negligible (relative to the
    /// largest entry of `A`).
    static func solve(_ matrix: [Double], _ rhs: [[Double]], n: Int) -> [[Double]]? {
        var a = matrix, b = rhs
        let scale = a.reduce(0) { max($0, abs($1)) }
        guard scale > 0 else { return nil }
        for col in 0..<n {
            var pivot = col
            for r in (col + 1)..<max(col + 1, n) where abs(a[r * n + col]) > abs(a[pivot * n + col]) { pivot = r }
            guard abs(a[pivot * n + col]) > 1e-13 * scale else { return nil }
            if pivot != col {
                for k in 0..<n { a.swapAt(col * n + k, pivot * n + k) }
                for q in b.indices { b[q].swapAt(col, pivot) }
            }
            let inv = 1 / a[col * n + col]
            for r in (col + 1)..<max(col + 1, n) {
                let f = a[r * n + col] * inv
                guard f != 0 else { continue }
                for k in col..<n { a[r * n + k] -= f * a[col * n + k] }
                for q in b.indices { b[q][r] -= f * b[q][col] }
            }
        }
        return b.map { column in
            var x = [Double](repeating: 0, count: n)
            for r in stride(from: n - 1, through: 0, by: -1) {
                var s = column[r]
                for k in (r + 1)..<max(r + 1, n) { s -= a[r * n + k] * x[k] }
                x[r] = s / a[r * n + r]
            }
            return x
        }
    }

    /// One right-hand side.
    static func solve(_ matrix: [Double], _ rhs: [Double], n: Int) -> [Double]? {
        solve(matrix, [rhs], n: n)?.first
    }

    /// Whether `model` is a multinomial logistic regression with the layout `W` `[d x C]`
    /// then `b` `[C]`: `LogisticRegression`, an `MLP` without hidden layers, or a `Sequential`
    /// of one dense layer (with flatten layers only).
    public static func isLinearSoftmax(_ model: any Model) -> Bool {
        if model is LogisticRegression { return true }
        if let m = model as? MLP { return m.hidden.isEmpty }
        if let s = model as? Sequential {
            return s.layers.filter { $0.kind == "dense" }.count == 1 && s.layers.allSatisfy { ["dense", "flatten"].contains($0.kind) }
        }
        return false
    }

    /// The model as a phrase for error messages.
    public static func describe(_ model: any Model) -> String {
        if let m = model as? MLP { return "an mlp with hidden \(m.hidden)" }
        if let s = model as? Sequential { return "a network of layers [" + s.specs.map(\.description).joined(separator: ", ") + "]" }
        return "a \(type(of: model)) model"
    }
}
