import FedCore

/// FLDetector (Zhang, Cao, Jia & Gong, "FLDetector: Defending Federated Learning Against Model
/// Poisoning Attacks via Detecting Malicious Clients", KDD 2022, Algorithm 1): a client whose
/// updates are not consistent with the model's own dynamics is flagged and removed for the
/// rest of the run.
///
/// With gradients g (fedsim's update is a descent step, so g_i = −Δ_i and the global g = −the
/// aggregate) and the global models w:
///
/// 1. The last N pairs s = w_t − w_{t−1}, y = g^t − g^{t−1} give an L-BFGS Hessian H_t
///    (`LBFGSProduct`). Each client seen in the previous round is predicted to send
///    ĝ_i^t = g_i^{t−1} + H_t (w_t − w_{t−1}); its suspicion this round is
///    ‖ĝ_i^t − g_i^t‖ divided by the sum over the scored clients.
/// 2. Once a client has N suspicions, its score is their mean. When the gap statistic
///    (`GapStatistic`, 20 uniform references, k ≤ 10) finds more than one group among the
///    unflagged clients' scores, 1-D k-means with k = 2 splits them and the group with the
///    higher mean is flagged, for good. There is one detection: the paper stops training
///    when it detects (and restarts without the flagged clients); fedsim removes them and goes
///    on without detecting again (the honest clients' scores alone would otherwise be split
///    into two groups by their noise).
/// 3. The aggregate is the sample-weighted mean of the unflagged clients' updates (FedAvg's,
///    the paper's base rule), or of all when every one is flagged.
///
/// Departures: the paper stops training at a detection, removes the clients and restarts from
/// scratch; fedsim removes them and goes on. sklearn's k-means++ is replaced by the exact 1-D
/// optimum, and the reference spread is the gap statistic's standard one (Tibshirani et al.).
/// Scores need a client in consecutive rounds, so with client sampling (`fraction` < 1) fewer
/// clients are scored. State (kept across rounds, checkpointed): the N pairs, the previous
/// global model and aggregate, each client's previous update and suspicions, the flagged set.
///
/// Decisions: selected = not flagged; score = the client's mean suspicion when it has one.
/// Figures: `flagged` (clients flagged so far), `groups` (the gap statistic's count, when run).
public struct FLDetector: Aggregator {
    /// N: the window of L-BFGS pairs and of suspicions averaged.
    public let window: Int
    public let name = "fldetector"

    private var pairs: [(s: [Float], y: [Float])] = []
    private var previousGlobal: [Float]?
    private var previousGradient: [Float]?
    private var lastGradient: [Int: [Float]] = [:]
    private var suspicions: [Int: [Double]] = [:]
    public private(set) var flagged: Set<Int> = []

    public init(window: Int = 10) throws(AggregatorError) {
        guard window >= 1 else { throw .parameter(rule: "fldetector", message: "window must be at least 1; got \(window)") }
        self.window = window
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        let n = updates.rows, d = updates.columns
        try check(n: n)
        let ids = context.clientIds
        let w = context.global ?? [Float](repeating: 0, count: d)
        let gradients = (0..<n).map { i in updates.row(i).map { -$0 } }
        var figures: [String: Double] = [:]

        // 1. This round's suspicions.
        if let pw = previousGlobal, pw.count == d, !pairs.isEmpty {
            let v = zip(w, pw).map { $0 - $1 }
            if let hvp = LBFGSProduct.product(s: pairs.map(\.s), y: pairs.map(\.y), v: v) {
                var distance: [(Int, Double)] = []
                for (i, id) in ids.enumerated() {
                    guard let last = lastGradient[id], last.count == d else { continue }
                    var t = 0.0
                    for j in 0..<d { let e = Double(last[j] + hvp[j] - gradients[i][j]); t += e * e }
                    distance.append((id, t.squareRoot()))
                }
                let total = distance.reduce(0) { $0 + $1.1 }
                if total > 0 {
                    for (id, e) in distance { suspicions[id, default: []].append(e / total) }
                    for id in suspicions.keys where suspicions[id]!.count > window { suspicions[id]!.removeFirst(suspicions[id]!.count - window) }
                }
            }
        }
        // 2. Detection among the clients with a full window, until the first detection.
        let scored = ids.filter { (suspicions[$0]?.count ?? 0) >= window }
        if flagged.isEmpty && scored.count >= 2 {
            let scores = scored.map { id in suspicions[id]!.reduce(0, +) / Double(window) }
            var rng = context.rng.derive("gap")
            let groups = GapStatistic.clusters(scores, rng: &rng)
            figures["groups"] = Double(groups)
            if groups > 1 {
                let (labels, centers) = GapStatistic.kMeans(scores, k: 2)
                let high = centers.count > 1 && centers[1] > centers[0] ? 1 : 0
                for (k, id) in scored.enumerated() where labels[k] == high { flagged.insert(id) }
            }
        }
        // 3. The mean of the unflagged.
        var keep = ids.map { !flagged.contains($0) }
        if !keep.contains(true) { keep = [Bool](repeating: true, count: n) }
        let raw = (0..<n).map { keep[$0] ? context.weights[$0] : 0 }
        let total = raw.reduce(0, +)
        let coefficients = total > 0 ? raw.map { $0 / total }
            : keep.map { $0 ? 1 / Double(keep.filter { $0 }.count) : 0 }
        let aggregate = RowCombination.combine(updates, coefficients: coefficients)

        // Remember for the next round.
        let g = aggregate.map { -$0 }
        if let pw = previousGlobal, let pg = previousGradient, pw.count == d, pg.count == d {
            pairs.append((zip(w, pw).map { $0 - $1 }, zip(g, pg).map { $0 - $1 }))
            if pairs.count > window { pairs.removeFirst(pairs.count - window) }
        }
        previousGlobal = w
        previousGradient = g
        for (i, id) in ids.enumerated() { lastGradient[id] = gradients[i] }

        figures["flagged"] = Double(flagged.count)
        let decisions = (0..<n).map { i in
            ClientDecision(selected: !flagged.contains(ids[i]), weight: coefficients[i],
                           score: suspicions[ids[i]].map { $0.reduce(0, +) / Double($0.count) })
        }
        return AggregationResult(aggregate: aggregate, decisions: decisions, figures: figures)
    }
}

extension FLDetector {
    public static let descriptor = AggregatorDescriptor(
        name: "fldetector", summary: "flags clients whose updates an L-BFGS model of the training dynamics does not predict, removed for the rest of the run (Zhang et al., KDD 2022)",
        parameters: [Parameter("window", .integer(.closed(1, 100)), default: .int(10), doc: "rounds of history: L-BFGS pairs and suspicion scores averaged (N)")],
        keepsState: true, keysStateByClient: true,
        figures: [("flagged", "clients flagged so far (removed for the rest of the run)"),
                  ("groups", "groups the gap statistic found among the suspicion scores, when it ran")]
    ) { values, _ in
        try FLDetector(window: values.int("window"))
    }

    public var savedState: SavedState? {
        var vectors: [String: [Float]] = [:]
        for (k, p) in pairs.enumerated() { vectors["s\(k)"] = p.s; vectors["y\(k)"] = p.y }
        if let previousGlobal { vectors["previous_global"] = previousGlobal }
        if let previousGradient { vectors["previous_gradient"] = previousGradient }
        var numbers: [String: [Double]] = ["flagged": flagged.sorted().map(Double.init), "pairs": [Double(pairs.count)]]
        for (id, s) in suspicions { numbers["suspicion_\(id)"] = s }
        return SavedState(vectors: vectors, perClient: ["last_gradient": lastGradient], numbers: numbers)
    }

    public mutating func restore(_ state: SavedState) throws {
        var fresh = try FLDetector(window: window)
        let count = try state.numbers("pairs", of: name).first.map(Int.init) ?? 0
        guard count >= 0 && count <= window else {
            throw SavedStateError(component: name, message: "\(count) L-BFGS pairs for a window of \(window)")
        }
        for k in 0..<count {
            let s = try state.vector("s\(k)", of: name), y = try state.vector("y\(k)", of: name)
            guard s.count == y.count else { throw SavedStateError(component: name, message: "pair \(k) has \(s.count) and \(y.count) values") }
            fresh.pairs.append((s, y))
        }
        fresh.previousGlobal = state.vectors["previous_global"]
        fresh.previousGradient = state.vectors["previous_gradient"]
        fresh.lastGradient = try state.perClient("last_gradient", of: name)
        fresh.flagged = Set(try state.numbers("flagged", of: name).map { Int($0) })
        for (key, values) in state.numbers where key.hasPrefix("suspicion_") {
            guard let id = Int(key.dropFirst("suspicion_".count)) else {
                throw SavedStateError(component: name, message: "bad key \(key)")
            }
            fresh.suspicions[id] = values
        }
        self = fresh
    }
}
