import FedCore
import FedTestSupport
import FedRobust
import XCTest

final class FoolsGoldTests: XCTestCase {
    private func cosines(_ rows: [[Float]]) -> [Double] {
        let n = rows.count
        var c = Gram(matrix(rows)).cosines
        for i in 0..<n { c[i * n + i] = 0 }
        return c
    }

    /// Section 8: clients 0 and 1 are sybils; weights (0, 0, 1, 0.086205), κ changes the last.
    func testSectionEightHandComputed() throws {
        let h: [[Float]] = [[1, 0, 0], [1, 0.1, 0], [0, 0, 1], [1, 1, 0]]
        let c = cosines(h)
        XCTAssertEqual(c[1], 0.995037, accuracy: 1e-6)
        XCTAssertEqual(c[3], 0.707107, accuracy: 1e-6)
        XCTAssertEqual(c[7], 0.773957, accuracy: 1e-6)
        let alpha = try XCTUnwrap(FoolsGold.alphas(cosines: c, n: 4))
        for (a, e) in zip(alpha, [0, 0, 1, 0.086205]) { XCTAssertEqual(a, e, accuracy: 1e-6) }
        XCTAssertEqual(try XCTUnwrap(FoolsGold.alphas(cosines: c, n: 4, kappa: 2))[3], 0.172410, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(FoolsGold.alphas(cosines: c, n: 4, kappa: 0.5))[3], 0.043102, accuracy: 1e-6)

        // The same through aggregate, from empty histories: agg = Σ α Δ / n.
        var fg = try FoolsGold()
        let r = try fg.aggregate(matrix(h), context: RobustFixtures.context(4, ids: [10, 11, 12, 13]))
        XCTAssertTrue(r.applied)
        XCTAssertEqual(r.decisions.map(\.selected), [false, false, true, true])
        XCTAssertEqual(r.decisions[3].score ?? 0, 0.086205, accuracy: 1e-6)
        XCTAssertEqual(r.decisions[2].weight, 1 / 1.086205, accuracy: 1e-6)
        let expected: [Double] = [0.086205 / 4, 0.086205 / 4, 1.0 / 4]
        for (a, e) in zip(r.aggregate, expected) { XCTAssertEqual(Double(a), e, accuracy: 1e-6) }
        XCTAssertEqual(r.figures["alpha_mean"] ?? 0, 1.086205 / 4, accuracy: 1e-6)
    }

    func testIdenticalSybilsGetZeroHonestGetsOne() throws {
        var fg = try FoolsGold()
        let r = try fg.aggregate(matrix([[1, 0], [1, 0], [0, 1]]), context: RobustFixtures.context(3))
        XCTAssertEqual(r.decisions.map(\.score), [0, 0, 1])
        XCTAssertEqual(r.decisions.map(\.weight), [0, 0, 1])
        XCTAssertEqual(r.aggregate, [0, Float(1.0 / 3)])
        var mean = try FoolsGold(normalization: .alphaSum)
        XCTAssertEqual(try mean.aggregate(matrix([[1, 0], [1, 0], [0, 1]]),
                                          context: RobustFixtures.context(3)).aggregate, [0, 1])
    }

    /// With κ = 1 the weight is strictly inside (0, 1) only for normalised α in
    /// (σ(−0.5), σ(0.5)) = (0.377541, 0.622459); the upper edge is σ(1/κ − 0.5).
    func testWeightMapEdges() {
        XCTAssertEqual(FoolsGold.weight(normalized: 0), 0)
        XCTAssertEqual(FoolsGold.weight(normalized: 0.3775407), 0, accuracy: 1e-6)
        XCTAssertEqual(FoolsGold.weight(normalized: 0.37), 0)
        XCTAssertEqual(FoolsGold.weight(normalized: 0.5), 0.5, accuracy: 1e-12)
        XCTAssertEqual(FoolsGold.weight(normalized: 0.6224593), 1, accuracy: 1e-6)
        XCTAssertEqual(FoolsGold.weight(normalized: 0.63), 1)
        XCTAssertEqual(FoolsGold.weight(normalized: 1), 1)
        for kappa in [0.5, 1, 2] { XCTAssertEqual(FoolsGold.weight(normalized: 0.3775407, kappa: kappa), 0, accuracy: 1e-6) }
        XCTAssertEqual(FoolsGold.weight(normalized: 0.8175745, kappa: 0.5), 1, accuracy: 1e-6)
        XCTAssertEqual(FoolsGold.weight(normalized: 0.5, kappa: 2), 1, accuracy: 1e-12)
        XCTAssertEqual(FoolsGold.weight(normalized: 0.45, kappa: 2), 0.598659, accuracy: 1e-6)
    }

    /// Orthogonal updates each round, but the accumulated histories become parallel:
    /// round 2 is refused, which per-round cosines would not do.
    func testHistoryPersistsAcrossRoundsAndCheckpoints() throws {
        var fg = try FoolsGold()
        let r1 = try fg.aggregate(matrix([[1, 0], [0, 1]]), context: RobustFixtures.context(2, ids: [3, 8]))
        XCTAssertTrue(r1.applied)
        XCTAssertEqual(r1.decisions.map(\.score), [1, 1])
        let saved = fg.histories
        XCTAssertEqual(saved, [3: [1, 0], 8: [0, 1]])

        let round2 = matrix([[0, 1], [1, 0]])
        let r2 = try fg.aggregate(round2, context: RobustFixtures.context(2, ids: [3, 8]))
        XCTAssertFalse(r2.applied)
        XCTAssertEqual(r2.aggregate, [0, 0])
        XCTAssertEqual(fg.histories, [3: [1, 1], 8: [1, 1]])

        // Restored from the checkpoint, a fresh value decides the same.
        var restored = try FoolsGold(histories: saved)
        let r2b = try restored.aggregate(round2, context: RobustFixtures.context(2, ids: [3, 8]))
        XCTAssertFalse(r2b.applied)
        XCTAssertEqual(restored.histories, fg.histories)

        // A client absent this round keeps its history untouched.
        _ = try fg.aggregate(matrix([[2, 0], [0, 5]]), context: RobustFixtures.context(2, ids: [3, 9]))
        XCTAssertEqual(fg.histories, [3: [3, 1], 8: [1, 1], 9: [0, 5]])
    }

    /// Where the participants' histories sit in the store (first seen in another order, so
    /// their rows are not consecutive) does not change a bit of the round: the histories'
    /// Gram is taken by the same kernel, chunk by chunk, either way.
    func testStoreLayoutDoesNotChangeTheResult() throws {
        let n = 6, d = 3_000
        let first = gaussianMatrix(rows: n, columns: d, seed: 21), second = gaussianMatrix(rows: n, columns: d, seed: 22)
        let ids = Array(0..<n)
        var natural = try FoolsGold(), shuffled = try FoolsGold()
        _ = try natural.aggregate(first, context: RobustFixtures.context(n, ids: ids))
        // Round 1 in reverse order: client i gets slot n - 1 - i.
        let reversed = UpdateMatrix(rows: n, columns: d,
                                    values: (0..<n).reversed().flatMap { first.values[($0 * d)..<(($0 + 1) * d)] })
        _ = try shuffled.aggregate(reversed, context: RobustFixtures.context(n, ids: ids.reversed()))
        XCTAssertEqual(natural.histories, shuffled.histories)
        let a = try natural.aggregate(second, context: RobustFixtures.context(n, ids: ids))
        let b = try shuffled.aggregate(second, context: RobustFixtures.context(n, ids: ids))
        XCTAssertEqual(a.aggregate.map(\.bitPattern), b.aggregate.map(\.bitPattern))
        XCTAssertEqual(a.decisions.map(\.score), b.decisions.map(\.score))
        XCTAssertEqual(natural.histories, shuffled.histories)
    }

    func testAllParallelMeansNoUpdate() throws {
        var fg = try FoolsGold()
        let r = try fg.aggregate(matrix([[1, 2], [2, 4], [0.5, 1]]), context: RobustFixtures.context(3))
        XCTAssertFalse(r.applied)
        XCTAssertEqual(r.aggregate, [0, 0])
        XCTAssertTrue(r.decisions.allSatisfy { !$0.selected && $0.weight == 0 && $0.score == 0 })
        XCTAssertEqual(fg.histories.count, 3)
    }

    func testSingleClientAndBadInput() throws {
        var fg = try FoolsGold()
        let r = try fg.aggregate(matrix([[2, -1]]), context: RobustFixtures.context(1))
        XCTAssertEqual(r.aggregate, [2, -1])
        XCTAssertThrowsError(try fg.aggregate(matrix([[1, 0], [0, 1]]),
                                              context: RobustFixtures.context(2, ids: [4, 4])))
        XCTAssertThrowsError(try fg.aggregate(matrix([[1, 0, 0]]), context: RobustFixtures.context(1))) { error in
            XCTAssertEqual("\(error)", "foolsgold: history of client 0 has 2 values; updates have 3")
        }
        XCTAssertEqual(fg.histories, [0: [2, -1]])
        XCTAssertThrowsError(try FoolsGold(kappa: 0))
        XCTAssertThrowsError(try FoolsGold(histories: [1: [0], 2: [0, 0]]))
    }
}
