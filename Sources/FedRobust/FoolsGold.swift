import FedCore
import Foundation

/// FoolsGold (Fung, Yoon & Beschastnikh, RAID 2020; arXiv 1808.04866): down-weight clients
/// whose accumulated updates point the same way as another client's — sybils pursuing one
/// poisoning goal do, honest clients with different (non-IID) data drift apart. No f needed.
///
/// State: one history `H_c` per client id c (zero at first sight), kept in this value across
/// rounds; `histories` exposes it for checkpoints and `init(histories:)` restores it. Each
/// round, for the n participants (docs/ALGORITHMS.md section 8):
///
///     H_c ← H_c + Δ_c
///     1. cs_ij = cos(H_i, H_j) for i ≠ j, cs_ii = 0       (zero history → cosine 0)
///     2. v_i = max_j cs_ij
///     3. pardoning: cs_ij ← cs_ij · v_i / v_j  when v_i < v_j   (v from step 2)
///     4. α_i = clip(1 − max_j cs_ij, 0, 1)   (below 1e-6 → 0, see `parallelTolerance`)
///     5. α ← α / max α;  α_i = 0.99 where α_i = 1
///     6. α_i ← clip(κ (ln(α_i / (1 − α_i)) + 0.5), 0, 1)      (ln 0 = −∞)
///     7. agg = Σ α_i Δ_i / n   (default; = FedAvg when every α_i = 1)
///        or  Σ α_i Δ_i / Σ α_i (option)
///
/// Defaults: κ = 1 (the reference code hard-codes it); with κ = 1 a normalised α below
/// σ(−0.5) = 0.377541 gets weight 0 and above σ(0.5) = 0.622459 weight 1.
///
/// No update this round (`applied = false`, zero aggregate) when every α is 0 after step 4
/// (all participants' histories parallel: step 5 would divide by zero, the reference code
/// yields NaN) or when Σ α = 0 after step 6. The histories are still updated.
///
/// Cost: one threaded pass `H += Δ` over the contiguous history store, then the Gram matrix
/// of the participants' histories (blocked `ssyrk`, O(n²d), read in place when the
/// participants are consecutive rows of the store); cosines in Double.
/// Memory: N x d Floats for the N clients ever seen, in one buffer.
///
/// Decisions: score = α_i (step 6), weight = α_i / Σ α (normalised for reporting),
/// selected = α_i > 0. Figures: "alpha_mean".
public struct FoolsGold: Aggregator {
    /// How the α-weighted sum is normalised (step 7).
    public enum Normalization: Sendable, Equatable {
        /// `Σ α_i Δ_i / n`: α acts as a per-client learning rate (paper, deep-learning code).
        case participants
        /// `Σ α_i Δ_i / Σ α_i`: a weighted mean.
        case alphaSum
    }

    /// Confidence parameter κ of the logit (step 6).
    public let kappa: Double
    /// Step 7's normalisation.
    public let normalization: Normalization
    /// Accumulated update of every client seen so far, by client id (checkpoint this).
    /// Built on demand from the contiguous store (a copy of N x d Floats).
    public var histories: [Int: [Float]] {
        var h: [Int: [Float]] = [:]
        for (id, slot) in slots { h[id] = Array(store[(slot * width)..<((slot + 1) * width)]) }
        return h
    }

    /// Every history in one contiguous row-major buffer, one row (`slots[id]`) per client id,
    /// rows in order of first sight: when this round's participants are consecutive rows
    /// (every client, in id order), the Gram matrix reads the histories in place.
    private var store: [Float] = []
    /// Row of `store` per client id.
    private var slots: [Int: Int] = [:]
    /// Length of every history (d); 0 before the first one.
    private var width = 0

    public var name: String { "foolsgold" }

    /// - Parameter histories: histories restored from a checkpoint (all of one length).
    /// - Throws: `.parameter` for κ not positive and finite, or histories of unequal length.
    public init(kappa: Double = 1, normalization: Normalization = .participants,
                histories: [Int: [Float]] = [:]) throws(AggregatorError) {
        guard kappa > 0, kappa.isFinite else {
            throw AggregatorError.parameter(rule: "foolsgold", message: "kappa must be positive and finite; got \(kappa)")
        }
        if let d = histories.first?.value.count, let bad = histories.first(where: { $0.value.count != d }) {
            throw AggregatorError.parameter(
                rule: "foolsgold", message: "history of client \(bad.key) has \(bad.value.count) values; expected \(d)")
        }
        self.kappa = kappa
        self.normalization = normalization
        // Checkpointed histories get rows in ascending id order (deterministic).
        for id in histories.keys.sorted() {
            guard let h = histories[id] else { continue }
            slots[id] = slots.count
            width = h.count
            store.append(contentsOf: h)
        }
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw AggregatorError.tooFewUpdates(rule: name, needed: 1, got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        let n = updates.rows, d = updates.columns
        try check(n: n)
        let ids = context.clientIds
        guard ids.count == n, Set(ids).count == n else {
            throw AggregatorError.parameter(
                rule: name, message: "needs one distinct client id per update; got \(ids.count) ids for \(n) updates")
        }
        if !slots.isEmpty && width != d {
            let bad = ids.first(where: { slots[$0] != nil }) ?? slots.keys.min() ?? 0
            throw AggregatorError.parameter(
                rule: name, message: "history of client \(bad) has \(width) values; updates have \(d)")
        }
        let gram = updateHistories(updates, ids: ids)
        var cosines = gram.cosines
        for i in 0..<n { cosines[i * n + i] = 0 }
        let zero = [Double](repeating: 0, count: n)
        guard let alpha = FoolsGold.alphas(cosines: cosines, n: n, kappa: kappa) else {
            return FoolsGold.noUpdate(d: d, alpha: zero)
        }
        let total = alpha.reduce(0, +)
        guard total > 0 else { return FoolsGold.noUpdate(d: d, alpha: alpha) }
        let scale = normalization == .participants ? 1 / Double(n) : 1 / total
        let aggregate = RowCombination.combine(updates, coefficients: alpha.map { $0 * scale })
        let decisions = alpha.map { ClientDecision(selected: $0 > 0, weight: $0 / total, score: $0) }
        return AggregationResult(aggregate: aggregate, decisions: decisions,
                                 figures: ["alpha_mean": total / Double(n)])
    }

    // MARK: - Steps 2–6

    /// α below this after step 4 is 0: a cosine within 1e-6 of 1 is parallel up to the
    /// rounding of the Float Gram matrix. Without it, histories that are parallel in exact
    /// arithmetic get α ≈ 1e-16, which step 5 blows up to 1 — every client full weight
    /// instead of no update.
    public static let parallelTolerance = 1e-6

    /// The weights α (step 6) from the participants' cosine matrix (n x n row-major,
    /// diagonal 0); nil when every α is 0 after step 4 (all histories parallel).
    public static func alphas(cosines: [Double], n: Int, kappa: Double = 1) -> [Double]? {
        precondition(cosines.count == n * n, "FoolsGold.alphas: \(cosines.count) cosines for n = \(n)")
        guard n > 0 else { return [] }
        var cs = cosines
        // 2. Largest similarity to any other client (the zero diagonal included, as in the reference).
        let v = (0..<n).map { i in (0..<n).reduce(-Double.infinity) { max($0, cs[i * n + $1]) } }
        // 3. Pardoning: only row i changes, with v from step 2.
        for i in 0..<n {
            for j in 0..<n where i != j && v[i] < v[j] { cs[i * n + j] *= v[i] / v[j] }
        }
        // 4. α_i = 1 − max_j cs_ij, clipped to [0, 1]; rounding-level values count as 0.
        var alpha = (0..<n).map { i in
            let a = min(1, max(0, 1 - (0..<n).reduce(-Double.infinity) { max($0, cs[i * n + $1]) }))
            return a < parallelTolerance ? 0 : a
        }
        // 5. Normalise by the largest.
        let top = alpha.max() ?? 0
        guard top > 0 else { return nil }
        for i in 0..<n { alpha[i] = weight(normalized: alpha[i] / top, kappa: kappa) }
        return alpha
    }

    /// Steps 5 (tail) and 6 for one normalised α in [0, 1]: 1 becomes 0.99, then
    /// `clip(κ (ln(α / (1 − α)) + 0.5), 0, 1)` with ln 0 = −∞.
    public static func weight(normalized a: Double, kappa: Double = 1) -> Double {
        let a = a >= 1 ? 0.99 : a
        guard a > 0 else { return 0 }
        return min(1, max(0, kappa * (log(a / (1 - a)) + 0.5)))
    }

    // MARK: - History

    /// Adds each participant's update to its history (`H_c += Δ_c`) and returns the Gram
    /// matrix of the updated histories, in one pass (`GramKernel.gram(rows:columns:fill:)`):
    /// chunk by chunk, the participants' history columns are updated in the store and copied
    /// into the kernel's scratch rows, whose products are taken while they are in cache. So
    /// each history is read and written once per round, and the result does not depend on
    /// where the participants' rows sit in the store.
    private mutating func updateHistories(_ updates: UpdateMatrix, ids: [Int]) -> Gram {
        let n = updates.rows, d = updates.columns
        width = d
        var rowOf = [Int](repeating: 0, count: n)
        for (i, id) in ids.enumerated() {
            if let slot = slots[id] {
                rowOf[i] = slot
            } else {
                rowOf[i] = slots.count
                slots[id] = slots.count
            }
        }
        if store.count < slots.count * d {
            store.append(contentsOf: repeatElement(0, count: slots.count * d - store.count))
        }
        guard d > 0 else { return Gram(n: n, values: [Double](repeating: 0, count: n * n)) }
        let values = updates.values.withUnsafeBufferPointer { xs in
            store.withUnsafeMutableBufferPointer { hs in
                rowOf.withUnsafeBufferPointer { rs -> [Double] in
                    guard let x = xs.baseAddress, let h = hs.baseAddress, let r = rs.baseAddress else {
                        return [Double](repeating: 0, count: n * n)
                    }
                    return GramKernel.gram(rows: n, columns: d) { columns, rows in
                        let c0 = columns.lowerBound, k = columns.count
                        for i in 0..<n {
                            let src = x + i * d + c0, dst = h + r[i] * d + c0, out = rows + i * k
                            for j in 0..<k {
                                let v = dst[j] + src[j]
                                dst[j] = v
                                out[j] = v
                            }
                        }
                    }
                }
            }
        }
        return Gram(n: n, values: values)
    }

    private static func noUpdate(d: Int, alpha: [Double]) -> AggregationResult {
        AggregationResult(aggregate: [Float](repeating: 0, count: d),
                          decisions: alpha.map { ClientDecision(selected: false, weight: 0, score: $0) },
                          applied: false, figures: ["alpha_mean": alpha.reduce(0, +) / Double(max(alpha.count, 1))])
    }
}

extension FoolsGold {
    public static let descriptor = AggregatorDescriptor(
        name: "foolsgold", summary: "per-client learning rates from the cosine similarity of update histories (Fung et al., RAID 2020)",
        parameters: [
            Parameter("kappa", .number(.greaterThan(0)), default: .number(1), doc: "confidence of the logit"),
            Parameter("normalization", .choice(["n", "sum"]), default: .word("n"),
                      doc: "n: sum of alpha_i x_i / n (the paper); sum: divide by the sum of alpha"),
        ],
        keepsState: true, keysStateByClient: true, figures: [("alpha_mean", "mean learning rate alpha over the round's clients")]
    ) { values, _ in
        try FoolsGold(kappa: values.double("kappa"), normalization: values.word("normalization") == "n" ? .participants : .alphaSum)
    }

    public var savedState: SavedState? { SavedState(perClient: ["histories": histories]) }

    public mutating func restore(_ state: SavedState) throws {
        self = try FoolsGold(kappa: kappa, normalization: normalization, histories: state.perClient("histories", of: name))
    }
}
