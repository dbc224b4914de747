import FedCore

/// Centered clipping, CC (Karimireddy, He & Jaggi, "Learning from History for Byzantine Robust
/// Optimization", ICML 2021). State: the centre v, the previous round's aggregate (zero at
/// round 0). Each round, L times:
///
///     v ← v + (1/n) Σ_i clip_τ(x_i − v),        clip_τ(z) = z · min(1, τ / ||z||₂),  clip_τ(0) = 0
///
/// and the output is v, kept for the next round. Each update moves the aggregate by at most
/// τ/n, however large it is. Meant for worker momentum (clients send m ← β m + g, β = 0.9);
/// without momentum it is much weaker.
///
/// τ is in units of update norm. The published defaults (τ = 10 or 100, L = 1–3) were set for
/// FedSGD gradients of large CNNs; FedAvg deltas of a small model have norms around 0.1–1, so
/// τ = 10 never clips and CC is then exactly the mean (docs/ALGORITHMS.md 2.7). Hence the default
/// here is `.relativeToMedianNorm(1)`: τ = 1 × median_i ||x_i − v|| at the start of the round,
/// the typical honest distance to the centre. The median is robust while fewer than half the
/// updates are Byzantine, so attackers cannot inflate τ beyond an honest distance; with one
/// median, honest updates are clipped only slightly (the far half, down to the median
/// distance) while a far attacker moves v by at most τ/n. `.absolute(τ)` gives the paper's
/// fixed radius. L: 1 for the type (ICML 2021 code, byzfl), 3 in a scenario (ICLR 2022 code).
/// Each iteration after the first takes its distances to the new centre in the same read of
/// the rows as the step that made it (`RowCombination.combineWithDistancesToResult`): L + 1
/// reads of the updates per round, not 2L.
///
/// Decisions: `clipped` when ||x_i − v|| > τ in the last iteration; `weight` = 1/n (CC is
/// unweighted); `score` = ||x_i − v|| in the last iteration. Figures: "clipped_fraction"
/// (of updates clipped in the last iteration) and "tau".
///
/// The centre must survive process restarts: read `center` when checkpointing and pass it to
/// `init(tau:iterations:center:)` when restoring.
public struct CenteredClipping: Aggregator {
    /// The clipping radius τ.
    public enum Tau: Sendable, Equatable {
        /// A fixed radius.
        case absolute(Double)
        /// τ = multiple × median_i ||x_i − v||, recomputed every round.
        case relativeToMedianNorm(Double)
    }

    public let name = "centered-clipping"
    public let tau: Tau
    /// Clipping iterations per round (L).
    public let iterations: Int
    /// The centre v (the last aggregate, in Float); empty = zeros of the updates' size.
    public var center: [Float]

    /// - Parameter center: a centre restored from a checkpoint (empty: start from zero).
    /// - Throws: `.parameter` unless τ (or its multiple) is positive and finite and L ≥ 1.
    public init(tau: Tau = .relativeToMedianNorm(1), iterations: Int = 1, center: [Float] = []) throws(AggregatorError) {
        switch tau {
        case let .absolute(t) where !(t > 0 && t.isFinite):
            throw .parameter(rule: "centered-clipping", message: "tau must be positive and finite; got \(t)")
        case let .relativeToMedianNorm(k) where !(k > 0 && k.isFinite):
            throw .parameter(rule: "centered-clipping", message: "tau multiple must be positive and finite; got \(k)")
        default:
            break
        }
        guard iterations >= 1 else {
            throw .parameter(rule: "centered-clipping", message: "iterations must be >= 1; got \(iterations)")
        }
        guard center.allSatisfy(\.isFinite) else {
            throw .parameter(rule: "centered-clipping", message: "the restored center must be finite")
        }
        self.tau = tau
        self.iterations = iterations
        self.center = center
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        let n = updates.rows, d = updates.columns
        try check(n: n)
        guard center.isEmpty || center.count == d else {
            throw AggregatorError.parameter(rule: name, message: "center has \(center.count) values; updates have \(d)")
        }
        // The centre stays in Float (it is stored as Float between rounds); zero = no offset.
        var v: [Float]? = center.isEmpty ? nil : center
        var dist = v.map { RowNormKernels.distances(updates, to: $0) } ?? RowNormKernels.norms(updates)
        let radius: Double
        switch tau {
        case let .absolute(t): radius = t
        case let .relativeToMedianNorm(k): radius = k * FEstimator.medianOf(dist)
        }
        var clipped = [Bool](repeating: false, count: n)
        for l in 0..<iterations {
            // v + (1/n) Σ s_i (x_i − v) = v · (1 − Σ s_i / n) + (1/n) Σ s_i x_i
            let s = dist.map { StaticClipping.scale(norm: $0, bound: radius) }
            clipped = dist.map { $0 > radius }
            let keep = 1 - s.reduce(0, +) / Double(n)
            let coefficients = s.map { $0 / Double(n) }
            if l + 1 < iterations {
                // The next iteration's distances to the new centre, in the same read of the rows.
                let r = RowCombination.combineWithDistancesToResult(updates, coefficients: coefficients,
                                                                     offset: v, offsetScale: keep)
                v = r.values
                dist = r.squaredDistances.map { $0.squareRoot() }
            } else {
                v = RowCombination.combine(updates, coefficients: coefficients, offset: v, offsetScale: keep)
            }
        }
        center = v ?? [Float](repeating: 0, count: d)
        let decisions = (0..<n).map { i in
            ClientDecision(selected: true, weight: 1 / Double(n), score: dist[i], clipped: clipped[i])
        }
        let fraction = Double(clipped.filter { $0 }.count) / Double(n)
        return AggregationResult(aggregate: center, decisions: decisions,
                                 figures: ["clipped_fraction": fraction, "tau": radius])
    }
}

extension CenteredClipping {
    public static let descriptor = AggregatorDescriptor(
        name: "centered-clipping", summary: "clipped steps around the last aggregate (Karimireddy et al., ICML 2021)",
        parameters: [
            Parameter("tau", .number(.greaterThan(0)), default: .null, doc: "fixed clipping radius (the paper's tau)"),
            Parameter("tau_multiple", .number(.greaterThan(0)), default: .number(1),
                      doc: "radius as a multiple of the round's median distance to the centre (when tau is not given)"),
            Parameter("iterations", .integer(.closed(1, 100)), default: .int(3), doc: "clipping iterations per round (L)"),
        ],
        keepsState: true,
        figures: [("clipped_fraction", "share of updates clipped in the last iteration"), ("tau", "the radius used this round")],
        normalize: { (values: inout ParameterValues) throws(ParameterError) in
            if values.given.contains("tau") && values.given.contains("tau_multiple") {
                throw ParameterError(key: "tau", "give either tau or tau_multiple, not both")
            }
            if values["tau"] != .null { values.set("tau_multiple", .null, given: false) }
        }
    ) { values, _ in
        let tau: Tau = values.optionalDouble("tau").map { .absolute($0) }
            ?? .relativeToMedianNorm(values.double("tau_multiple"))
        return try CenteredClipping(tau: tau, iterations: values.int("iterations"))
    }

    public var savedState: SavedState? { SavedState(vectors: ["center": center]) }

    public mutating func restore(_ state: SavedState) throws {
        self = try CenteredClipping(tau: tau, iterations: iterations, center: state.vector("center", of: name))
    }
}
