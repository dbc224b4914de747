import CBLAS
import FedCore

/// FLTrust (Cao, Fang, Liu & Gong, NDSS 2021): trust each update by its direction relative
/// to the server's own update g0, computed on a small clean root dataset.
///
///     c_i  = ⟨g_i, g0⟩ / (||g_i|| ||g0||)       cosine similarity
///     TS_i = max(0, c_i)                        trust score (ReLU)
///     ĝ_i  = g_i · ||g0|| / ||g_i||             rescaled to the server's norm
///     agg  = Σ_i TS_i ĝ_i / Σ_i TS_i
///
/// Edge cases (docs/ALGORITHMS.md 2.8): `||g_i|| = 0` → TS_i = 0; `Σ TS_i = 0` (every update
/// points away from g0, or g0 = 0) → no update this round (`applied = false`, zero
/// aggregate). FLPoison silently falls back to uniform weights there; we do not, since that
/// hands the round to the attackers exactly when all of them disagree with the server.
///
/// Needs `context.serverUpdate` (g0, the same length as the updates). No f: robustness
/// comes from the root dataset. Cost O(nd): dot products and norms accumulated in Double
/// (`RowNormKernels.normsAndDots`, one threaded pass), then one `RowCombination` pass
/// over the trusted rows.
///
/// Decisions: selected = TS_i > 0, weight = TS_i / Σ TS, score = TS_i, clipped = the update
/// was selected and scaled down (||g_i|| > ||g0||).
public struct FLTrust: Aggregator {
    public var name: String { "fltrust" }

    public init() {}

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw AggregatorError.tooFewUpdates(rule: name, needed: 1, got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        try check(n: updates.rows)
        guard let g0 = context.serverUpdate else {
            throw AggregatorError.missingInput(rule: name, what: "the server's root-dataset update")
        }
        let n = updates.rows, d = updates.columns
        guard g0.count == d else {
            throw AggregatorError.parameter(
                rule: name, message: "the server update has \(g0.count) values; the updates have \(d)")
        }
        let serverNorm = FLTrust.dot(g0, g0).squareRoot()
        let (norms, dots) = RowNormKernels.normsAndDots(updates, with: g0)
        let trust = (0..<n).map { i -> Double in
            guard norms[i] > 0, serverNorm > 0 else { return 0 }
            return max(0, min(1, dots[i] / (norms[i] * serverNorm)))
        }
        let total = trust.reduce(0, +)
        guard total > 0 else {
            return AggregationResult(
                aggregate: [Float](repeating: 0, count: d),
                decisions: trust.map { ClientDecision(selected: false, weight: 0, score: $0) },
                applied: false)
        }
        let coefficients = (0..<n).map { i in
            trust[i] > 0 ? trust[i] * serverNorm / (norms[i] * total) : 0
        }
        let decisions = (0..<n).map { i in
            ClientDecision(selected: trust[i] > 0, weight: trust[i] / total, score: trust[i],
                           clipped: trust[i] > 0 && norms[i] > serverNorm)
        }
        return AggregationResult(aggregate: RowCombination.combine(updates, coefficients: coefficients),
                                 decisions: decisions)
    }

    // MARK: - Double-accumulated dot products

    /// `⟨a, b⟩` of Float vectors accumulated in Double (`cblas_dsdot`), in chunks that keep
    /// BLAS's 32-bit length in range.
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        var s = 0.0, c0 = 0
        let chunk = 1 << 30
        while c0 < count {
            let k = min(chunk, count - c0)
            s += cblas_dsdot(blasint(k), a + c0, 1, b + c0, 1)
            c0 += k
        }
        return s
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                guard let x = pa.baseAddress, let y = pb.baseAddress else { return 0 }
                return dot(x, y, count: min(pa.count, pb.count))
            }
        }
    }
}

extension FLTrust {
    public static let descriptor = AggregatorDescriptor(
        name: "fltrust", summary: "updates weighted by ReLU cosine trust against the server's root-dataset update (Cao et al., NDSS 2021)",
        parameters: [Parameter("root_size", .integer(Interval(1...)), default: .int(100),
                               doc: "samples of the server's clean root dataset (taken from the training set)")],
        rootDatasetSize: { values in values.int("root_size") }
    ) { _, _ in
        FLTrust()
    }
}
