import FedCore
import FedRobust
import FedTestSupport
import XCTest

/// Bucketing against hand-computed buckets with a fixed permutation, the seeded permutation,
/// the row count the rule sees, and the mapping of the rule's decisions back to the clients.
final class BucketingTests: XCTestCase {
    private let x = matrix([[1, 2], [3, 4], [5, 6]])

    /// ByzFL's docstring case: s = 2, π = [2, 0, 1]: means of {x_2, x_0} and {x_1}.
    func testBucketMeansForAFixedPermutation() throws {
        let out = try Bucketing(bucketSize: 2).apply(x, permutation: [2, 0, 1])
        XCTAssertEqual(out.updates, matrix([[3, 4], [3, 4]]))
        XCTAssertEqual(out.mixing?.terms, [[.init(0, 0.5), .init(2, 0.5)], [.init(1, 1)]])
        XCTAssertEqual(out.mixing?.representative, [0, 1, 0])
        XCTAssertEqual(out.clipped, [false, false, false])
        XCTAssertEqual(out.figures["buckets"], 2)
    }

    /// Table: n, s, permutation, 1-d rows 0, 10, 20, ... → bucket means.
    func testBucketTable() throws {
        let cases: [(s: Int, perm: [Int], expected: [Float])] = [
            (2, [3, 1, 0, 2], [20, 10]),             // {30, 10}, {0, 20}
            (2, [0, 1, 2, 3, 4], [5, 25, 40]),       // last bucket holds one update
            (3, [4, 3, 2, 1, 0], [30, 5]),           // {40, 30, 20}, {10, 0}
            (1, [2, 0, 1], [20, 0, 10]),             // s = 1 only permutes
            (8, [1, 0, 2], [10]),                    // s > n: one bucket, the plain mean
        ]
        for c in cases {
            let n = c.perm.count
            let m = UpdateMatrix(rows: n, columns: 1, values: (0..<n).map { Float($0 * 10) })
            let step = try Bucketing(bucketSize: c.s)
            let out = step.apply(m, permutation: c.perm)
            XCTAssertEqual(out.updates.values, c.expected, "s = \(c.s), π = \(c.perm)")
            XCTAssertEqual(step.outputRows(n: n), c.expected.count, "s = \(c.s), n = \(n)")
        }
        XCTAssertEqual(try Bucketing(bucketSize: 2).outputRows(n: 10), 5)
        XCTAssertEqual(try Bucketing(bucketSize: 3).outputRows(n: 10), 4)
        XCTAssertEqual(thrownMessage { _ = try Bucketing(bucketSize: 0) }, "bucketing: s must be >= 1; got 0")
    }

    /// The permutation is a Fisher–Yates shuffle of the step's generator: same generator, same
    /// buckets; `apply(context:)` uses exactly that permutation.
    func testPermutationIsSeeded() throws {
        let step = try Bucketing(bucketSize: 2)
        let rng = SeededRNG(seed: 7).derive("preaggregate", 3).derive("bucketing")
        let p = Bucketing.permutation(n: 9, rng: rng)
        XCTAssertEqual(p.sorted(), Array(0..<9))
        XCTAssertEqual(Bucketing.permutation(n: 9, rng: rng), p)
        var manual = Array(0..<9)
        var g = rng
        g.shuffle(&manual)
        XCTAssertEqual(manual, p)
        let m = gaussianMatrix(rows: 9, columns: 4, seed: 2)
        let viaContext = try step.apply(m, context: PreAggregationContext(round: 3, rng: rng))
        XCTAssertEqual(viaContext.updates, step.apply(m, permutation: p).updates)
        // Another round draws other buckets (for this seed).
        XCTAssertNotEqual(Bucketing.permutation(n: 9, rng: SeededRNG(seed: 7).derive("preaggregate", 4).derive("bucketing")), p)
    }

    /// Krum-like decisions (only bucket 0 chosen) and a mean (0.5 each) over the buckets of
    /// π = [2, 0, 1]: a client is selected when its bucket is; weight = bucket weight / size.
    func testDecisionsMapBackToTheBucketsMembers() throws {
        let mixing = try XCTUnwrap(Bucketing(bucketSize: 2).apply(x, permutation: [2, 0, 1]).mixing)
        let krum = mixing.inputDecisions([ClientDecision(selected: true, weight: 1, score: 4),
                                          ClientDecision(selected: false, weight: 0, score: 9, clipped: true)])
        XCTAssertEqual(krum, [ClientDecision(selected: true, weight: 0.5, score: 4),
                              ClientDecision(selected: false, weight: 0, score: 9, clipped: true),
                              ClientDecision(selected: true, weight: 0.5, score: 4)])
        let mean = mixing.inputDecisions([ClientDecision(selected: true, weight: 0.5), ClientDecision(selected: true, weight: 0.5)])
        XCTAssertEqual(mean.map(\.weight), [0.25, 0.5, 0.25])
        // Σ weight_i x_i is the mean of the bucket means, [3, 4].
        let combined = (0..<2).map { j in (0..<3).reduce(0.0) { $0 + mean[$1].weight * Double(x.values[$1 * 2 + j]) } }
        assertClose(combined, [3, 4], accuracy: 1e-12)
        // A bucket weighs its members' sample counts; its id is its smallest member id.
        XCTAssertEqual(mixing.outputWeights([10, 20, 30]), [40, 20])
        XCTAssertEqual(mixing.outputIds([5, 6, 7]), [5, 6])
    }
}
