/// The ROC curve of a membership score (higher = "member") on a set of members and a set of
/// non-members, and the figures read off it.
///
/// Sort every score descending and group equal scores. Deciding "member" for scores `>= t`, as
/// t sweeps down through the groups, gives the ROC vertices `(FPR_k, TPR_k)` from `(0, 0)` to
/// `(1, 1)`; a group holding both members and non-members is a diagonal segment (a tie is
/// broken at random, which is also why it counts one half in the AUC).
///
///     AUC        = (1 / PN) Σ_i Σ_j ([m_i > u_j] + ½ [m_i = u_j])          (Mann–Whitney U / PN)
///     advantage  = max_k (TPR_k − FPR_k)                      (Yeom et al., CSF 2018)
///     balanced   = max_k ½ (TPR_k + 1 − FPR_k)                (= ½ (1 + advantage))
///     TPR @ α    = the curve, linear between vertices, at FPR = α    (Carlini et al., S&P 2022)
///
/// with P members `m_i` and N non-members `u_j`. The AUC is computed from mid-ranks in
/// O((P + N) log(P + N)).
///
/// TPR at a low FPR α is measurable only when the curve has a vertex at or below α other than
/// 0, that is when `α·N >= 1`: with N = 180 non-members the FPR moves in steps of 1/180, so
/// FPR 1% lies between the first two steps (interpolated) and 0.1% is not measurable (`nil`).
/// Linear interpolation is the ROC of the randomised rule that mixes the two neighbouring
/// thresholds, so every reported point is achievable by an attacker.
///
/// The best-threshold figures (advantage, balanced accuracy) choose the threshold on the very
/// sets they are measured on, so they are an upper bound on what an attacker who must fix the
/// threshold beforehand achieves (the pitfall noted in docs/ALGORITHMS.md 10.2).
///
/// Worked example (docs/ALGORITHMS.md 10.2): member losses {0.1, 0.2, 0.4}, non-member losses
/// {0.3, 0.5, 0.6}, scores = −loss: 8 of the 9 pairs are ordered right, AUC = 8/9; the best
/// threshold (between 0.2 and 0.3) gives TPR 2/3 at FPR 0, advantage 2/3.
public struct MembershipROC: Sendable, Equatable {
    /// The vertices `(fpr, tpr)`, from (0, 0) to (1, 1), one per group of equal scores.
    public let vertices: [(fpr: Double, tpr: Double)]
    public let auc: Double
    public let members: Int
    public let nonMembers: Int

    /// - Precondition: both sets non-empty and every score finite or infinite, never NaN.
    public init(members: [Double], nonMembers: [Double]) {
        precondition(!members.isEmpty && !nonMembers.isEmpty,
                     "MembershipROC: needs members and non-members; got \(members.count) and \(nonMembers.count)")
        precondition(!members.contains(where: \.isNaN) && !nonMembers.contains(where: \.isNaN),
                     "MembershipROC: a score is NaN")
        let p = members.count, n = nonMembers.count
        // (score, isMember), descending by score.
        var all = members.map { ($0, true) } + nonMembers.map { ($0, false) }
        all.sort { $0.0 > $1.0 }
        var vertices: [(fpr: Double, tpr: Double)] = [(0, 0)]
        vertices.reserveCapacity(all.count + 1)
        var tp = 0, fp = 0
        // Mann–Whitney: count the pairs a member wins, ties one half, group by group.
        var wins = 0.0
        var start = 0
        while start < all.count {
            var end = start
            var groupMembers = 0
            while end < all.count && all[end].0 == all[start].0 {
                if all[end].1 { groupMembers += 1 }
                end += 1
            }
            let groupNonMembers = (end - start) - groupMembers
            // Members of this group beat every non-member below it and tie with the group's.
            wins += Double(groupMembers) * (Double(n - fp - groupNonMembers) + 0.5 * Double(groupNonMembers))
            tp += groupMembers
            fp += groupNonMembers
            vertices.append((Double(fp) / Double(n), Double(tp) / Double(p)))
            start = end
        }
        self.vertices = vertices
        self.auc = wins / (Double(p) * Double(n))
        self.members = p
        self.nonMembers = n
    }

    /// Yeom's membership advantage: the largest TPR − FPR over the thresholds (>= 0: the
    /// thresholds above every score and below every score both give 0).
    public var advantage: Double {
        vertices.reduce(0) { max($0, $1.tpr - $1.fpr) }
    }

    /// The balanced accuracy ½(TPR + TNR) at the best threshold.
    public var balancedAccuracy: Double { 0.5 * (1 + advantage) }

    /// TPR at FPR `alpha` on the curve (linear between vertices; the top of a vertical
    /// segment at exactly `alpha`), or nil when `alpha·N < 1` (the curve's first step is wider
    /// than `alpha`, so any value there would be an artefact of the interpolation).
    public func tpr(atFPR alpha: Double) -> Double? {
        precondition(alpha > 0 && alpha <= 1, "MembershipROC.tpr(atFPR:): alpha must be in (0, 1]; got \(alpha)")
        // A tolerance so that 1% of 100 non-members counts as exactly one step.
        guard alpha * Double(nonMembers) >= 1 - 1e-9 else { return nil }
        var best = 0.0
        for k in 1..<vertices.count {
            let (f0, t0) = vertices[k - 1], (f1, t1) = vertices[k]
            if f1 <= alpha + 1e-12 {
                best = max(best, t1)
            } else if f0 <= alpha {
                best = max(best, t0 + (t1 - t0) * (alpha - f0) / (f1 - f0))
                break
            } else {
                break
            }
        }
        return best
    }

    public static func == (a: MembershipROC, b: MembershipROC) -> Bool {
        a.auc == b.auc && a.members == b.members && a.nonMembers == b.nonMembers
            && a.vertices.elementsEqual(b.vertices) { $0.fpr == $1.fpr && $0.tpr == $1.tpr }
    }
}
