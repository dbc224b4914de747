import Dispatch
import FedCore
import Foundation

/// The synthetic round a benchmark aggregates: one contiguous n x d Float32 update matrix
/// (honest rows N(0, 1), the last `outliers` rows N(0, scale²)), the sample-count weights,
/// the client ids and FLTrust's server update (an independent N(0, 1) vector).
///
/// Filled once, before any timing, from `SeededRNG` streams derived per row
/// (`derive("bench-row", i)`), so the matrix is the same whatever the number of threads that
/// fill it. Gaussians come from Box–Muller, both values of each pair used.
public struct BenchMatrix: Sendable {
    public let updates: UpdateMatrix
    /// Local sample counts, `50 + (7919 · i) mod 100` for row i (non-uniform, so the weighted
    /// rules really weigh; the numpy reference uses the same formula).
    public let weights: [Double]
    public let clientIds: [Int]
    /// FLTrust's g0.
    public let serverUpdate: [Float]
    /// Number of outlier rows (the last rows of the matrix).
    public let outliers: Int
    /// Standard deviation of the outlier rows.
    public let outlierScale: Float

    /// Generates the matrix; the work is split over the active cores.
    /// - Precondition: n ≥ 1, d ≥ 1, 0 ≤ outliers ≤ n.
    public init(n: Int, d: Int, outliers: Int, outlierScale: Float = 10, seed: UInt64) {
        precondition(n >= 1 && d >= 1, "BenchMatrix needs n >= 1 and d >= 1; got n = \(n), d = \(d)")
        precondition(outliers >= 0 && outliers <= n, "BenchMatrix: \(outliers) outliers for n = \(n)")
        let root = SeededRNG(seed: seed)
        let values = LargeBuffer.floats(count: n * d) { buffer in
            if let base = buffer.baseAddress {
                let fill = RowFill(base: base, d: d, root: root, firstOutlier: n - outliers, scale: outlierScale)
                let workers = max(1, min(n, ProcessInfo.processInfo.activeProcessorCount))
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var i = w
                    while i < n { fill.row(i); i += workers }
                }
            }
        }
        updates = UpdateMatrix(rows: n, columns: d, values: values)
        weights = (0..<n).map { Double(50 + (7919 * $0) % 100) }
        clientIds = Array(0..<n)
        var g = root.derive("bench-server")
        serverUpdate = [Float](unsafeUninitializedCapacity: d) { buffer, count in
            if let base = buffer.baseAddress { BenchMatrix.gaussians(base, count: d, scale: 1, rng: &g) }
            count = d
        }
        self.outliers = outliers
        self.outlierScale = outlierScale
    }

    /// Writes `count` draws of N(0, scale²) to `p` (Box–Muller, both values of a pair).
    static func gaussians(_ p: UnsafeMutablePointer<Float>, count: Int, scale: Float, rng: inout SeededRNG) {
        var j = 0
        let s = Double(scale)
        while j < count {
            var u1 = rng.nextDouble()
            while u1 <= 0 { u1 = rng.nextDouble() }
            let r = (-2 * log(u1)).squareRoot() * s
            let t = 2 * Double.pi * rng.nextDouble()
            p[j] = Float(r * cos(t))
            if j + 1 < count { p[j + 1] = Float(r * sin(t)) }
            j += 2
        }
    }
}

/// One worker's view of the matrix being filled: each row is written by exactly one worker.
private struct RowFill: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let d: Int
    let root: SeededRNG
    let firstOutlier: Int
    let scale: Float

    func row(_ i: Int) {
        var rng = root.derive("bench-row", i)
        BenchMatrix.gaussians(base + i * d, count: d, scale: i >= firstOutlier ? scale : 1, rng: &rng)
    }
}
