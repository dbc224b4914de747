/// The assignment of n rows to n columns of a cost matrix with the least total cost (the
/// Hungarian algorithm of Kuhn, 1955, and Munkres, 1957, in the O(n³) shortest-augmenting-
/// path form with row and column potentials of Jonker & Volgenant / Lawler).
///
/// Gradient inversion returns a batch of reconstructions in no particular order; each is
/// scored against the original it resembles most, and no original is used twice:
/// `assignment[i]` is the column (original) given to row i (reconstruction) such that
/// `sum_i cost[i][assignment[i]]` is the least over all permutations.
///
///     cost = [[4, 1, 3],
///             [2, 0, 5],
///             [3, 2, 2]]   ->   [1, 0, 2]   (total 1 + 2 + 2 = 5)
public enum HungarianAssignment {
    /// The least-cost permutation of the square matrix `cost` (rows of equal length n).
    /// Ties are broken towards the lower column index in the search order, deterministically.
    public static func solve(_ cost: [[Double]]) -> [Int] {
        let n = cost.count
        precondition(cost.allSatisfy { $0.count == n }, "HungarianAssignment: the cost matrix must be square; got \(n) rows of \(cost.map(\.count))")
        precondition(cost.allSatisfy { $0.allSatisfy(\.isFinite) }, "HungarianAssignment: every cost must be finite")
        guard n > 0 else { return [] }
        // 1-based arrays with a virtual column 0, as in the classic formulation.
        var u = [Double](repeating: 0, count: n + 1)     // row potentials
        var v = [Double](repeating: 0, count: n + 1)     // column potentials
        var rowOf = [Int](repeating: 0, count: n + 1)    // rowOf[j]: row matched to column j (0 = none)
        var way = [Int](repeating: 0, count: n + 1)
        for i in 1...n {
            rowOf[0] = i
            var j0 = 0
            var minv = [Double](repeating: .infinity, count: n + 1)
            var used = [Bool](repeating: false, count: n + 1)
            repeat {
                used[j0] = true
                let i0 = rowOf[j0]
                var delta = Double.infinity
                var j1 = 0
                for j in 1...n where !used[j] {
                    let reduced = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if reduced < minv[j] { minv[j] = reduced; way[j] = j0 }
                    if minv[j] < delta { delta = minv[j]; j1 = j }
                }
                for j in 0...n {
                    if used[j] { u[rowOf[j]] += delta; v[j] -= delta } else { minv[j] -= delta }
                }
                j0 = j1
            } while rowOf[j0] != 0
            repeat {
                let j1 = way[j0]
                rowOf[j0] = rowOf[j1]
                j0 = j1
            } while j0 != 0
        }
        var assignment = [Int](repeating: 0, count: n)
        for j in 1...n { assignment[rowOf[j] - 1] = j - 1 }
        return assignment
    }

    /// The total cost of `assignment` on `cost`.
    public static func total(_ cost: [[Double]], _ assignment: [Int]) -> Double {
        zip(cost, assignment).reduce(0) { $0 + $1.0[$1.1] }
    }
}
