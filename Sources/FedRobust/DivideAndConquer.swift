import FedCore

/// Divide-and-Conquer (DnC; Shejwalkar & Houmansadr, "Manipulating the Byzantine: Optimizing
/// Model Poisoning Attacks and Defenses for Federated Learning", NDSS 2021, Algorithm 2).
///
/// Malicious updates that move the aggregate far must differ from the honest ones along some
/// direction; DnC looks for it with the top singular vector of the centred updates, on a random
/// subset of coordinates so that the SVD stays cheap for large models:
///
///     repeat `iterations` times:
///         r  = b coordinates drawn without replacement (all of them when b >= d)
///         μ  = (1/n) Σ_i x_i[r]
///         A  = the n x b matrix with rows x_i[r] - μ
///         v  = the top right singular vector of A
///         s_i = ⟨x_i[r] - μ, v⟩²                      (outlier score)
///         good = the n - ⌊c f⌋ rows with the lowest scores
///         kept = kept ∩ good
///     agg = (1/|kept|) Σ_{i ∈ kept} x_i               (plain mean, as in the paper)
///
/// The scores come from the n x n Gram matrix G = A Aᵀ: if G = Σ λ_k u_k u_kᵀ, then
/// A v_1 = σ_1 u_1, so s_i = λ_1 u_{1,i}² (no b x b matrix is formed). G is accumulated in
/// Double and decomposed with cyclic Jacobi rotations (n is the number of clients, small).
///
/// Defaults follow the paper's evaluation and its authors' code: b = 10,000, c = 1 and 5
/// iterations (FLPoison uses the same; its `subsample_frac` variant draws a share of d
/// instead). Decisions: the kept rows are selected with weight 1/|kept|; a row's score is its
/// outlier score averaged over the iterations. Needs n > ⌊c f⌋ (something must be kept).
/// The coordinate draws derive from the round's rng, so a run is reproducible.
public struct DivideAndConquer: Aggregator {
    public let f: FSetting
    /// Coordinates drawn per iteration (b).
    public let dimensions: Int
    /// Filtering fraction c: ⌊c f⌋ rows are removed per iteration.
    public let filter: Double
    public let iterations: Int

    public var name: String { "dnc" }

    public init(f: FSetting, dimensions: Int = 10_000, filter: Double = 1, iterations: Int = 5) throws(AggregatorError) {
        try f.validate(rule: "dnc")
        guard dimensions >= 1 else { throw .parameter(rule: "dnc", message: "dimensions must be >= 1; got \(dimensions)") }
        guard iterations >= 1 else { throw .parameter(rule: "dnc", message: "iterations must be >= 1; got \(iterations)") }
        guard filter > 0, filter.isFinite else { throw .parameter(rule: "dnc", message: "filter must be > 0; got \(filter)") }
        self.f = f
        self.dimensions = dimensions
        self.filter = filter
        self.iterations = iterations
    }

    /// The most Byzantine updates DnC can remove and still keep one: ⌊c f⌋ <= n - 1.
    static func fMax(n: Int, filter: Double) -> Int {
        var f = 0
        while Int((filter * Double(f + 1)).rounded(.down)) <= n - 1 { f += 1 }
        return n >= 1 ? f : -1
    }

    public func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
        if case let .fixed(f) = f, Int((filter * Double(f)).rounded(.down)) >= n {
            throw .precondition(rule: name, requirement: "n > ⌊c f⌋ (c = \(filter))", n: n, f: f)
        }
    }

    public mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        let n = updates.rows, d = updates.columns
        try check(n: n)
        let filter = self.filter
        let (f, estimate) = try self.f.resolve(updates, fMax: Self.fMax(n: n, filter: filter)) { f in
            .precondition(rule: "dnc", requirement: "n > ⌊c f⌋ (c = \(filter))", n: n, f: f)
        }
        let removed = Int((filter * Double(f)).rounded(.down))
        let b = min(dimensions, d)
        var rng = context.rng
        var kept = Set(0..<n)
        var scoreSums = [Double](repeating: 0, count: n)
        for _ in 0..<iterations {
            let coordinates = b == d ? Array(0..<d) : rng.sample(b, from: d).sorted()
            let scores = Self.outlierScores(updates, coordinates: coordinates)
            for i in 0..<n { scoreSums[i] += scores[i] }
            // The n - removed lowest scores; ties go to the smaller index.
            let order = (0..<n).sorted { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 }
            kept.formIntersection(order.prefix(n - removed))
        }
        let chosen = kept.sorted()
        var aggregate = [Float](repeating: 0, count: d)
        var sum = [Double](repeating: 0, count: d)
        updates.values.withUnsafeBufferPointer { x in
            for i in chosen {
                let row = i * d
                for j in 0..<d { sum[j] += Double(x[row + j]) }
            }
        }
        let scale = 1 / Double(max(chosen.count, 1))
        for j in 0..<d { aggregate[j] = Float(sum[j] * scale) }
        let decisions = (0..<n).map { i in
            ClientDecision(selected: kept.contains(i), weight: kept.contains(i) ? scale : 0,
                           score: scoreSums[i] / Double(iterations))
        }
        var figures = FSetting.figures(f: f, estimate: estimate)
        figures["kept"] = Double(chosen.count)
        return AggregationResult(aggregate: aggregate, decisions: decisions, applied: !chosen.isEmpty, figures: figures)
    }

    /// s_i = ⟨x_i[r] − μ, v⟩² for the top right singular vector v of the centred sub-matrix.
    static func outlierScores(_ updates: UpdateMatrix, coordinates: [Int]) -> [Double] {
        let n = updates.rows, d = updates.columns, b = coordinates.count
        var a = [Double](repeating: 0, count: n * b)
        updates.values.withUnsafeBufferPointer { x in
            for i in 0..<n {
                for (k, j) in coordinates.enumerated() { a[i * b + k] = Double(x[i * d + j]) }
            }
        }
        for k in 0..<b {
            var mean = 0.0
            for i in 0..<n { mean += a[i * b + k] }
            mean /= Double(n)
            for i in 0..<n { a[i * b + k] -= mean }
        }
        var gram = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var s = 0.0
                for k in 0..<b { s += a[i * b + k] * a[j * b + k] }
                gram[i * n + j] = s
                gram[j * n + i] = s
            }
        }
        let (value, vector) = SymmetricEigen.top(gram, n: n)
        return vector.map { value * $0 * $0 }
    }
}

/// The largest eigenvalue of a symmetric matrix and its unit eigenvector, by cyclic Jacobi
/// rotations (Golub & Van Loan, "Matrix Computations", section 8.5): exact to rounding for the
/// small matrices (n x n, n = clients) the rules decompose, and deterministic.
enum SymmetricEigen {
    static func top(_ matrix: [Double], n: Int, sweeps: Int = 100) -> (value: Double, vector: [Double]) {
        precondition(matrix.count == n * n, "SymmetricEigen: \(matrix.count) values for \(n) x \(n)")
        guard n > 0 else { return (0, []) }
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        let total = a.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<sweeps {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += a[p * n + q] * a[p * n + q] } }
            if off <= 1e-30 * max(total, 1e-300) { break }
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n {
                    let apq = a[p * n + q]
                    guard apq != 0 else { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        var best = 0
        for i in 1..<n where a[i * n + i] > a[best * n + best] { best = i }
        return (a[best * n + best], (0..<n).map { v[$0 * n + best] })
    }
}

extension DivideAndConquer {
    public static let descriptor = AggregatorDescriptor(
        name: "dnc", summary: "mean after removing the top-singular-direction outliers on random coordinates (Shejwalkar & Houmansadr, NDSS 2021)",
        parameters: [
            .f,
            Parameter("dimensions", .integer(Interval(1...)), default: .int(10_000),
                      doc: "coordinates drawn per iteration (b; all of them when b >= d)"),
            Parameter("filter", .number(.greaterThan(0)), default: .number(1),
                      doc: "filtering fraction c: floor(c f) updates removed per iteration"),
            Parameter("iterations", .integer(Interval(1...)), default: .int(5), doc: "draws of coordinates (niters)"),
        ],
        figures: FSetting.figureDocs + [("kept", "updates averaged after filtering")],
        maxF: { n in DivideAndConquer.fMax(n: n, filter: 1) }
    ) { values, _ in
        try DivideAndConquer(f: values.fSetting("f"), dimensions: values.int("dimensions"),
                             filter: values.double("filter"), iterations: values.int("iterations"))
    }
}
