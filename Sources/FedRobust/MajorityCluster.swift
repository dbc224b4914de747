/// The one cluster HDBSCAN (Campello, Moulavi & Sander, PAKDD 2013; McInnes, Healy & Astels'
/// `hdbscan` library) finds among n points when `min_cluster_size` m is more than n/2,
/// `min_samples` is 1 and `allow_single_cluster` is on: FLAME's setting (m = ⌊n/2⌋ + 1).
///
/// With m > n/2 no split can leave two parts of m points, so the condensed tree has the root
/// as its only cluster, and the library labels a point as belonging to it exactly when the
/// point leaves the root at the largest λ = 1/distance of any of the root's children. Top down,
/// that is:
///
/// 1. Mutual reachability: core_i = the distance from i to its nearest other point (min_samples
///    1), d'_ij = max(core_i, core_j, d_ij).
/// 2. A minimum spanning tree of d' (Prim). Cut its edges from the heaviest down, one weight
///    level at a time (all edges of that weight at once): the component keeps its largest
///    piece while that piece has at least m points (the others fall out as noise);
/// 3. at the first level where no piece has m points, every point still in the component falls
///    out at that same, largest, λ: they are the cluster.
///
/// Cutting a whole weight level at once makes the result independent of the order in which the
/// library's unstable sort puts equal edges (a piece that falls out at the final level has the
/// final λ and is in the cluster either way). The cluster always has at least m points.
public enum MajorityCluster {
    /// The members (ascending) of the cluster among `n` points with symmetric distances
    /// `distances` (n × n, row-major; the diagonal is ignored), for `minClusterSize` > n/2.
    public static func members(distances: [Double], n: Int, minClusterSize m: Int) -> [Int] {
        precondition(distances.count == n * n, "MajorityCluster: \(distances.count) distances for \(n) points")
        precondition(m * 2 > n && m <= n, "MajorityCluster: min cluster size \(m) must be above n/2 = \(Double(n) / 2) and at most n")
        guard n > 1 else { return Array(0..<n) }
        // 1. Mutual reachability with min_samples = 1.
        var core = [Double](repeating: .infinity, count: n)
        for i in 0..<n {
            for j in 0..<n where j != i { core[i] = min(core[i], distances[i * n + j]) }
        }
        func reach(_ i: Int, _ j: Int) -> Double { max(core[i], core[j], distances[i * n + j]) }
        // 2. Prim's minimum spanning tree from point 0.
        var inTree = [Bool](repeating: false, count: n)
        var best = [Double](repeating: .infinity, count: n)
        var parent = [Int](repeating: -1, count: n)
        var edges: [(a: Int, b: Int, w: Double)] = []
        var current = 0
        inTree[0] = true
        for _ in 1..<n {
            var next = -1
            for j in 0..<n where !inTree[j] {
                let w = reach(current, j)
                if w < best[j] { best[j] = w; parent[j] = current }
                if next < 0 || best[j] < best[next] { next = j }
            }
            edges.append((parent[next], next, best[next]))
            inTree[next] = true
            current = next
        }
        // 3. Cut from the heaviest weight level down.
        var component = Array(0..<n)
        var remaining = edges
        while true {
            let inside = Set(component)
            remaining = remaining.filter { inside.contains($0.a) && inside.contains($0.b) }
            guard let top = remaining.map(\.w).max() else { return component.sorted() }
            remaining = remaining.filter { $0.w < top }
            let pieces = components(of: component, edges: remaining)
            guard let largest = pieces.max(by: { $0.count < $1.count }), largest.count >= m else {
                return component.sorted()
            }
            component = largest
        }
    }

    /// The connected components of `points` under `edges` (union-find).
    private static func components(of points: [Int], edges: [(a: Int, b: Int, w: Double)]) -> [[Int]] {
        var root = [Int: Int]()
        for p in points { root[p] = p }
        func find(_ x: Int) -> Int {
            var x = x
            while let r = root[x], r != x { root[x] = root[r]; x = root[x] ?? r }
            return x
        }
        for e in edges {
            let (ra, rb) = (find(e.a), find(e.b))
            if ra != rb { root[max(ra, rb)] = min(ra, rb) }
        }
        var groups = [Int: [Int]]()
        for p in points { groups[find(p), default: []].append(p) }
        return groups.keys.sorted().map { groups[$0] ?? [] }
    }
}
