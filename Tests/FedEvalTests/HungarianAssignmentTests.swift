@testable import FedEval
import FedCore
import XCTest

final class HungarianAssignmentTests: XCTestCase {
    func testHandComputedCases() {
        let cases: [(cost: [[Double]], assignment: [Int], total: Double)] = [
            ([[4, 1, 3], [2, 0, 5], [3, 2, 2]], [1, 0, 2], 5),
            ([[1, 2], [3, 4]], [0, 1], 5),            // both permutations cost 5: the first found is kept
            ([[10, 1], [1, 10]], [1, 0], 2),
            ([[7]], [0], 7),
            ([], [], 0),
        ]
        for c in cases {
            let a = HungarianAssignment.solve(c.cost)
            XCTAssertEqual(HungarianAssignment.total(c.cost, a), c.total, "\(c.cost)")
            if c.cost.count != 2 || c.cost[0][0] != 1 { XCTAssertEqual(a, c.assignment, "\(c.cost)") }
        }
    }

    /// Against every permutation on seeded random 6x6 matrices (negative costs included).
    func testMatchesBruteForce() {
        var rng = SeededRNG(seed: 5)
        func permutations(_ n: Int) -> [[Int]] {
            guard n > 0 else { return [[]] }
            return permutations(n - 1).flatMap { p in (0...p.count).map { i in var q = p; q.insert(n - 1, at: i); return q } }
        }
        let all = permutations(6)
        for _ in 0..<20 {
            let cost = (0..<6).map { _ in (0..<6).map { _ in (rng.nextDouble() - 0.3) * 10 } }
            let best = all.map { HungarianAssignment.total(cost, $0) }.min() ?? .nan
            let a = HungarianAssignment.solve(cost)
            XCTAssertEqual(Set(a).count, 6)
            XCTAssertEqual(HungarianAssignment.total(cost, a), best, accuracy: 1e-9)
        }
    }

    /// Reconstructions that are the originals permuted (plus a little noise) are matched back,
    /// so the scores are those of each image against its own original.
    func testScoreMatchesAPermutedBatch() {
        let originals: [[Float]] = [[0, 0, 0, 0], [1, 1, 1, 1], [0, 1, 0, 1]]
        let reconstructions: [[Float]] = [[0.1, 1, 0, 1], [0, 0, 0, 0.2], [1, 1, 0.9, 1]]
        let score = ReconstructionScore(originals: originals, reconstructions: reconstructions, shape: [1, 2, 2])
        XCTAssertEqual(score.matchOf, [1, 2, 0])
        XCTAssertEqual(score.mse[0], 0.04 / 4, accuracy: 1e-7)
        XCTAssertEqual(score.mse[1], 0.01 / 4, accuracy: 1e-7)
        XCTAssertEqual(score.mse[2], 0.01 / 4, accuracy: 1e-7)
        XCTAssertEqual(score.meanPSNR, (10 * log10(100.0) + 2 * 10 * log10(400.0)) / 3, accuracy: 1e-4)
    }
}
