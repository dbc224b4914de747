import FedCore
import FedTestSupport
@testable import FedRobust
import XCTest

/// HDBSCAN's single cluster in FLAME's setting, against the `hdbscan` library (0.8.44,
/// `HDBSCAN(metric="precomputed", algorithm="generic", min_cluster_size=n//2+1,
/// min_samples=1, allow_single_cluster=True)` on Euclidean distances of these points: the
/// members are the points it labelled 0), and FLAME on hand-computed cases.
final class FLAMETests: XCTestCase {
    private func euclidean(_ points: [[Double]]) -> [Double] {
        let n = points.count
        var d = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { d[i * n + j] = zip(points[i], points[j]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
        }
        return d
    }

    func testMajorityClusterMatchesTheHDBSCANLibrary() {
        let cases: [([[Double]], [Int])] = [
            ([[1, 0.09, -0.08], [0.73, -0.14, -0.3], [1.02, 0.4, -0.15], [0.81, 0.15, 0.11], [0.03, -0.28, -0.01]],
             [0, 2, 3]),
            ([[1.21, -0.4, -0.14], [0.43, -0.39, -0.55], [0.93, -0.38, 0.08], [1.05, -0.06, -0.76], [0.84, -0.01, 0.03], [0.54, -0.14, -0.29], [-1.24, 1.32, -0.24]],
             [0, 1, 2, 4, 5]),
            ([[0.99, 0.27, -0.18], [0.97, 0.03, 0.02], [0.63, 0.02, 0.41], [0.54, 0.26, 0.04], [0.81, 0.6, 0.23], [0.64, 0.02, 0.17], [0.94, 0.2, -0.02], [1.2, 0.43, -0.2], [-1.94, 1.86, 0.04], [-2.36, 1.83, -0.06]],
             [0, 1, 2, 3, 5, 6, 7]),
            ([[1.27, 0.34, -0.4], [0.76, 0.19, -0.6], [0.86, -0.03, 0.38], [1.21, -0.1, -0.11], [0.92, 0.46, -0.13], [0.91, 0.11, -0.04], [0.94, -0.33, -0], [0.87, 0.35, 0.2], [0.99, 0.2, -0.1], [0.32, -0, 0.18], [-0.39, 0.1, -0.51], [-0.61, -0.09, -0.27]],
             [2, 3, 4, 5, 6, 7, 8]),
            ([[1.05, 0.67, -0.25], [0.81, 0.06, 0.15], [0.95, -0.06, 0.21], [1.16, -0.31, -0.02], [1.01, -0.32, 0.08], [0.74, 0.29, 0.06], [1.03, -0.18, -0.04], [0.4, -0.34, 0.11], [0.36, 0.25, -0.52], [1.23, -0.25, 0.23], [1.04, -0.46, 0.37], [1.43, -0.02, -0.08], [0.95, -0.29, 0.33], [0.84, -0.02, -0.24], [0.81, -0.38, 0.38], [-1.05, 1.29, 0], [-1.21, 0.9, -0.17], [-1, 0.89, -0.09], [-1.41, 0.76, 0.5], [-1.2, 0.68, 0.1]],
             [1, 2, 3, 4, 5, 6, 9, 10, 12, 13, 14]),
            ([[1.42, -0.44, -0.06], [0.81, -0.53, 0.22], [0.99, 0.02, -0.23], [1.14, -0.16, -0.04], [0.67, -0.36, 0.4], [0.85, 0.09, -0.01], [0.87, -0.15, 0.19], [-2.09, 1.95, 0.01], [-1.65, 2.2, 0.11]],
             [1, 2, 3, 4, 5, 6]),
            ([[0.83, -0.41, 0.28], [1.29, -0.04, 0.16], [1.23, 0.25, 0.28], [0.86, 0.45, -0.37], [1.26, 0.15, 0.26], [0.56, 0.45, -0.34]],
             [0, 1, 2, 4]),
            ([[0.49, 0.25, -0.3], [1, 0.25, -0.49], [0.37, 0.08, 0.01], [0.93, 0.01, -0.26], [0.55, -0.05, -0.29], [0.51, 0.15, -0.02], [1.12, -0.3, -0.2], [0.7, -0.27, 0.06], [0.77, 0.11, 0.1], [1.61, -0.42, 0.27], [0.97, -0, -0.43], [0.86, 0.22, -0.02], [-0.98, 0.91, 0.35], [-1.01, 0.34, -0.21], [-1.59, 0.02, -0.16]],
             [0, 1, 2, 3, 4, 5, 8, 10, 11]),

        ]
        for (points, expected) in cases {
            let n = points.count
            XCTAssertEqual(MajorityCluster.members(distances: euclidean(points), n: n, minClusterSize: n / 2 + 1), expected, "n = \(n)")
        }
    }

    /// Hand-computed: on a line at 0, 1, 2, 3, 10 (m = 3), core distances 1, 1, 1, 1, 7; the
    /// spanning tree's edges weigh 1, 1, 1, 7. Cutting 7 drops the far point; cutting the three
    /// 1s at once leaves four single points (< 3): the cluster is {0, 1, 2, 3}.
    func testHandComputedLineAndTies() {
        XCTAssertEqual(MajorityCluster.members(distances: euclidean([[0], [1], [2], [3], [10]]), n: 5, minClusterSize: 3), [0, 1, 2, 3])
        // 0, 1, 3, 4, 9, 10, 11 (m = 4): edges 1, 2, 1, 5, 1, 1 after core distances; cutting 5
        // leaves {0,1,3,4} and {9,10,11}; the first has 4 points; cutting 2 leaves two pairs (< 4).
        XCTAssertEqual(MajorityCluster.members(distances: euclidean([[0], [1], [3], [4], [9], [10], [11]]), n: 7, minClusterSize: 4),
                       [0, 1, 2, 3])
        // Everything equally spaced: one level cuts every edge at once; all points are the cluster.
        XCTAssertEqual(MajorityCluster.members(distances: euclidean([[0], [1], [2], [3]]), n: 4, minClusterSize: 3), [0, 1, 2, 3])
        XCTAssertEqual(MajorityCluster.members(distances: [0], n: 1, minClusterSize: 1), [0])
        XCTAssertEqual(MajorityCluster.members(distances: [0, 2, 2, 0], n: 2, minClusterSize: 2), [0, 1])
    }

    /// Three updates along (1, 0) and one opposite: the opposite one is noise. Norms 1, 2, 3, 1:
    /// median (1 + 2) / 2 = 1.5; the kept 2 and 3 are clipped to 1.5: mean of 1, 1.5, 1.5 = 4/3.
    func testKeepsTheMajorityClipsToTheMedianNorm() throws {
        var rule = try FLAME(lambda: 0, clusterOn: .updates)
        let r = try rule.aggregate(matrix([[1, 0], [2, 0.01], [3, 0], [-1, 0]]), context: RobustFixtures.context(4))
        XCTAssertEqual(r.decisions.map(\.selected), [true, true, true, false])
        XCTAssertEqual(r.decisions.map(\.clipped), [false, true, true, false])
        XCTAssertEqual(Double(r.aggregate[0]), 4.0 / 3, accuracy: 1e-5)
        XCTAssertEqual(r.figures["clip_norm"] ?? 0, (1 + 2.0000249998) / 2, accuracy: 1e-6)
        XCTAssertEqual(r.figures["cluster_size"], 3)
        XCTAssertEqual(r.decisions.map(\.weight).reduce(0, +), 1, accuracy: 1e-12)
    }

    /// On the models G + Δ_i with G = (0, 10): the cosine distances are those of the models, not
    /// of the updates (the far update still stands out, at a different distance).
    func testModelsAreClusteredWithTheGlobalModel() throws {
        let rows: [[Float]] = [[1, 0], [1.1, 0], [1.2, 0], [-30, 0], [1.05, 0]]
        var onUpdates = try FLAME(lambda: 0, clusterOn: .updates)
        var onModels = try FLAME(lambda: 0, clusterOn: .models)
        var context = RobustFixtures.context(5)
        context.global = [0, 10]
        let u = try onUpdates.aggregate(matrix(rows), context: context)
        let m = try onModels.aggregate(matrix(rows), context: context)
        // Same majority here, but the model distances differ from the update distances.
        XCTAssertFalse(u.decisions[3].selected)
        XCTAssertFalse(m.decisions[3].selected)
        XCTAssertNotEqual(u.decisions[0].score, m.decisions[0].score)
        // Without a global model, clustering the models is clustering the updates.
        var noGlobal = RobustFixtures.context(5)
        noGlobal.global = nil
        XCTAssertEqual(try onModels.aggregate(matrix(rows), context: noGlobal).decisions, u.decisions)
    }

    /// The noise: std lambda x S, seeded by the context, the same bits twice.
    func testNoiseIsSeededAndScaledByTheMedianNorm() throws {
        let rows: [[Float]] = (0..<6).map { i in [1 + Float(i) * 0.01, 0, 0, 0] }
        func run() throws -> AggregationResult {
            var rule = try FLAME(lambda: 0.5, clusterOn: .updates)
            return try rule.aggregate(matrix(rows), context: RobustFixtures.context(6))
        }
        let a = try run(), b = try run()
        XCTAssertEqual(a.aggregate, b.aggregate)
        XCTAssertEqual(a.figures["noise_std"] ?? 0, 0.5 * (a.figures["clip_norm"] ?? 0), accuracy: 1e-12)
        XCTAssertNotEqual(a.aggregate[1], 0)
    }
}
