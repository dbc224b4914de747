import FedCore
import FedRobust
import FedTestSupport
import XCTest

/// The chain: composed row maps (hand-computed), clipping flags carried to the clients, the
/// rows and weights the rule sees, determinism, and the mapping of decisions.
final class PreAggregationChainTests: XCTestCase {
    private let x = UpdateMatrix(rows: 4, columns: 1, values: [0, 1, 2, 100])

    /// NNM (f = 1) then bucketing with π = [0, 3, 1, 2]: bucket 0 = (y_0 + y_3)/2, bucket 1 =
    /// (y_1 + y_2)/2, in terms of the clients.
    func testMapsCompose() throws {
        let nnm = try XCTUnwrap(NearestNeighborMixing(f: .fixed(1)).apply(x, context: PreAggregationContext(round: 1, rng: SeededRNG(seed: 1))).mixing)
        let buckets = Bucketing.mixing(permutation: [0, 3, 1, 2], bucketSize: 2)
        let both = nnm.then(buckets)
        XCTAssertEqual(both.terms.count, 2)
        let wantRows: [[Int]] = [[0, 1, 2, 3], [0, 1, 2]]
        let wantCoefficients: [[Double]] = [[1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6], [1.0 / 3, 1.0 / 3, 1.0 / 3]]
        for o in 0..<2 {
            XCTAssertEqual(both.terms[o].map { $0.row }, wantRows[o])
            assertClose(both.terms[o].map { $0.coefficient }, wantCoefficients[o], accuracy: 1e-15)
        }
        XCTAssertEqual(both.representative, [0, 1, 1, 0])
        assertClose(both.apply(x).values, [(1 + 103.0 / 3) / 2, 1], accuracy: 1e-5)
        XCTAssertEqual(RowMixing.identity(4).then(nnm), nnm)
    }

    /// Every output value is Σ c·x over the row's terms (summed in Double, rounded once), over
    /// more columns than one kernel block.
    func testBlockedApplyMatchesTheDefinition() {
        let m = gaussianMatrix(rows: 3, columns: 5_000, seed: 12)
        let mixing = RowMixing(inputs: 3, terms: [[.init(0, 0.25), .init(2, 0.75)], [.init(1, 1.0 / 3), .init(0, 2.0 / 3)]],
                               representative: [1, 1, 0])
        let out = mixing.apply(m)
        XCTAssertEqual(out.rows, 2)
        for (o, row) in mixing.terms.enumerated() {
            let expected = (0..<5_000).map { j in
                Float(row.reduce(0.0) { $0 + $1.coefficient * Double(m.values[$1.row * 5_000 + j]) })
            }
            assertClose(out.row(o), expected, accuracy: 1e-6, "row \(o)")
        }
    }

    /// Clip (norm 10) then bucketing: the outlier is clipped (flag on client 3); the rule sees
    /// two bucket means of the clipped rows, weighted by their members' sample counts; the
    /// permutation is the one of `rng.derive("bucketing")`, so the same seed gives the same bits.
    func testClipThenBucketing() throws {
        let chain = PreAggregationChain([try StaticClipping(norm: 10), try Bucketing(bucketSize: 2)])
        XCTAssertEqual(chain.outputRows(n: 4), 2)
        XCTAssertTrue(chain.mixesRows)
        let rng = SeededRNG(seed: 5).derive("preaggregate", 2)
        let p = try chain.apply(x, clientIds: [10, 11, 12, 13], weights: [1, 2, 3, 4], round: 2, rng: rng)
        XCTAssertEqual(p.clipped, [false, false, false, true])
        let perm = Bucketing.permutation(n: 4, rng: rng.derive("bucketing"))
        let clippedRows: [Float] = [0, 1, 2, 10]
        let expected = [Float((Double(clippedRows[perm[0]]) + Double(clippedRows[perm[1]])) / 2),
                        Float((Double(clippedRows[perm[2]]) + Double(clippedRows[perm[3]])) / 2)]
        XCTAssertEqual(p.updates.values, expected, "π = \(perm)")
        XCTAssertEqual(p.weights, [Double(perm[0] + perm[1] + 2), Double(perm[2] + perm[3] + 2)])
        XCTAssertEqual(p.clientIds, [10 + min(perm[0], perm[1]), 10 + min(perm[2], perm[3])])
        let again = try chain.apply(x, clientIds: [10, 11, 12, 13], weights: [1, 2, 3, 4], round: 2, rng: rng)
        XCTAssertEqual(again.updates, p.updates)
        // The rule keeps bucket 1 only: its two members are selected at 1/2 each.
        let d = p.clientDecisions([ClientDecision(selected: false, weight: 0), ClientDecision(selected: true, weight: 1)])
        for (k, i) in perm.enumerated() {
            XCTAssertEqual(d[i].selected, k >= 2, "client \(i) in bucket \(k / 2)")
            XCTAssertEqual(d[i].weight, k >= 2 ? 0.5 : 0, "client \(i)")
        }
    }

    /// Clipping alone keeps rows, ids and weights as they were, and decisions pass unchanged.
    func testRowPreservingChainIsTransparent() throws {
        let chain = PreAggregationChain([try StaticClipping(norm: 10)])
        let p = try chain.apply(x, clientIds: [0, 1, 2, 3], weights: [1, 2, 3, 4], round: 1, rng: SeededRNG(seed: 1))
        XCTAssertNil(p.mixing)
        XCTAssertEqual(p.updates.values, [0, 1, 2, 10])
        XCTAssertEqual(p.weights, [1, 2, 3, 4])
        let decisions = (0..<4).map { ClientDecision(selected: $0 != 3, weight: $0 == 3 ? 0 : 1.0 / 3) }
        XCTAssertEqual(p.clientDecisions(decisions), decisions)
        XCTAssertFalse(chain.mixesRows)
        XCTAssertEqual(PreAggregationChain([]).outputRows(n: 7), 7)
    }

    /// The chain checks each step on the rows it gets: NNM after bucketing sees ⌈n/s⌉ rows.
    func testCheckUsesEachStepsRowCount() throws {
        let chain = PreAggregationChain([try Bucketing(bucketSize: 2), try NearestNeighborMixing(f: .fixed(2))])
        XCTAssertEqual(thrownMessage { try chain.check(n: 8) }, "nnm needs n > 2f; got n = 4, f = 2")
        XCTAssertNoThrow(try chain.check(n: 10))
    }

    /// A robust rule after bucketing: Krum with f = 1 on 10 updates sees 5 bucket means and
    /// its bound is checked there; its one chosen bucket selects exactly that bucket's two
    /// clients, each at weight 1/2.
    func testKrumOnBucketMeans() throws {
        let chain = PreAggregationChain([try Bucketing(bucketSize: 2)])
        let m = gaussianMatrix(rows: 10, columns: 6, seed: 3)
        let p = try chain.apply(m, clientIds: Array(0..<10), weights: Array(repeating: 1, count: 10), round: 1,
                                rng: SeededRNG(seed: 1))
        var krum = try Krum(f: .fixed(1))
        XCTAssertNoThrow(try krum.check(n: p.updates.rows))
        XCTAssertEqual(thrownMessage { try Krum(f: .fixed(2)).check(n: p.updates.rows) }, "krum needs n > 2f + 2; got n = 5, f = 2")
        let result = try krum.aggregate(p.updates, context: AggregationContext(round: 1, clientIds: p.clientIds, weights: p.weights, rng: SeededRNG(seed: 1)))
        let d = p.clientDecisions(result.decisions)
        XCTAssertEqual(d.filter(\.selected).count, 2)
        XCTAssertEqual(d.filter(\.selected).map(\.weight), [0.5, 0.5])
        // The aggregate is the mean of the two selected clients' updates.
        let chosen = d.indices.filter { d[$0].selected }
        let mean = (0..<6).map { j in (Double(m.values[chosen[0] * 6 + j]) + Double(m.values[chosen[1] * 6 + j])) / 2 }
        assertClose(result.aggregate, mean, accuracy: 1e-6)
    }
}
