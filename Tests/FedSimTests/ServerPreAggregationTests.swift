import FedCore
import FedRobust
import FedTestSupport
@testable import FedSim
import XCTest

/// The pre-aggregation chain inside the server: the rule's bound on the rows it sees, per-client
/// decisions mapped back, the round's seeded buckets, f shared between NNM and the rule, and
/// the composition with DP.
final class ServerPreAggregationTests: XCTestCase {
    private func parse(_ yaml: String) throws -> Scenario {
        try Scenario.parse(yaml: "model: {kind: logistic}\n" + yaml, file: "p.yaml", baseDirectory: NSTemporaryDirectory())
    }

    private func setup(_ yaml: String) throws -> (ServerAggregation, FederationData, Scenario) {
        let s = try parse(yaml)
        let data = try FederationData.prepare(s)
        return (try ServerAggregation(scenario: s, data: data), data, s)
    }

    /// Krum with f = 2 fits 10 updates but not the 5 bucket means the rule would see.
    func testTheRulesBoundIsCheckedOnTheRowsItSees() throws {
        XCTAssertNoThrow(try parse("federation: {clients: 10}\ndefense: {aggregator: {kind: krum, f: 2}}\n"))
        let message = thrownMessage {
            _ = try parse("federation: {clients: 10}\ndefense: {aggregator: {kind: krum, f: 2}, bucketing: {s: 2}}\n")
        }
        XCTAssertTrue(message.hasSuffix("defense: krum needs n > 2f + 2; got n = 5, f = 2 (federation: 10 updates per round; the rule sees 5 after bucketing)"),
                      message)
        XCTAssertNoThrow(try parse("federation: {clients: 14}\ndefense: {aggregator: {kind: krum, f: 2}, bucketing: {s: 2}}\n"))
        let nnm = thrownMessage { _ = try parse("federation: {clients: 6}\ndefense: {aggregator: median, nnm: {f: 3}}\n") }
        XCTAssertTrue(nnm.hasSuffix("defense: nnm needs n > 2f; got n = 6, f = 3 (federation: 6 updates per round)"), nnm)
    }

    func testFoolsGoldRefusesRowMixingSteps() throws {
        let message = thrownMessage { _ = try parse("defense: {aggregator: foolsgold, bucketing: {s: 2}}\n") }
        XCTAssertTrue(message.contains("p.yaml:2:"), message)
        XCTAssertTrue(message.contains("defense.bucketing: foolsgold keeps one history per client, but bucketing mixes"), message)
        XCTAssertNoThrow(try parse("defense: {aggregator: foolsgold, clip: {norm: 1}}\n"))
    }

    /// Median over the 5 bucket means of round 3: the buckets are those of the scenario seed
    /// and the round (`derive("preaggregate", 3).derive("bucketing")`), the decisions come
    /// back as one per client, and a second server gives the same bits.
    func testMedianOverSeededBucketsWithPerClientDecisions() throws {
        let yaml = "seed: 11\nfederation: {clients: 10}\ndefense: {aggregator: median, bucketing: {s: 2}}\n"
        let (server, data, s) = try setup(yaml)
        let d = data.initialParameters.count
        let m = gaussianMatrix(rows: 10, columns: d, seed: 4)
        let o = server.aggregate(m, clientIds: Array(0..<10), weights: Array(repeating: 1, count: 10), round: 3,
                                 global: data.initialParameters)
        XCTAssertTrue(o.applied)
        XCTAssertEqual(o.figures["buckets"], 5)
        XCTAssertEqual(o.decisions.count, 10)
        XCTAssertEqual(o.decisions.map(\.weight).reduce(0, +), 1, accuracy: 1e-9)

        let perm = Bucketing.permutation(n: 10, rng: SeededRNG(seed: s.seed).derive("preaggregate", 3).derive("bucketing"))
        let means = Bucketing.mixing(permutation: perm, bucketSize: 2).apply(m)
        var median = CoordinateMedian()
        let direct = try median.aggregate(means, context: AggregationContext(round: 3, clientIds: Array(0..<5),
                                                                            weights: Array(repeating: 2, count: 5), rng: SeededRNG(seed: 1)))
        XCTAssertEqual(o.aggregate, direct.aggregate)
        // Both members of a bucket get the same decision, half the bucket's weight.
        for b in 0..<5 {
            let (i, j) = (perm[2 * b], perm[2 * b + 1])
            XCTAssertEqual(o.decisions[i], o.decisions[j], "bucket \(b)")
            XCTAssertEqual(o.decisions[i].weight, direct.decisions[b].weight / 2, accuracy: 1e-12)
        }
        let (again, _, _) = try setup(yaml)
        XCTAssertEqual(again.aggregate(m, clientIds: Array(0..<10), weights: Array(repeating: 1, count: 10), round: 3,
                                       global: data.initialParameters).aggregate, o.aggregate)
    }

    /// `f: auto` is estimated on the bucket means and capped by the rule's bound on them:
    /// Krum on 5 means admits f ≤ ⌊(5 − 3)/2⌋ = 1, whatever the 10 clients would allow (3).
    func testAutoFIsBoundedByTheBucketCount() throws {
        let (server, data, s) = try setup("federation: {clients: 10}\ndefense: {aggregator: krum, bucketing: {s: 2}}\n")
        let d = data.initialParameters.count
        var m = gaussianMatrix(rows: 10, columns: d, seed: 8)
        for i in 0..<3 { for j in 0..<d { m.values[i * d + j] *= 50 } }   // three far outliers
        let o = server.aggregate(m, clientIds: Array(0..<10), weights: Array(repeating: 1, count: 10), round: 1,
                                 global: data.initialParameters)
        XCTAssertTrue(o.applied)
        XCTAssertEqual(o.figures["buckets"], 5)
        let perm = Bucketing.permutation(n: 10, rng: SeededRNG(seed: s.seed).derive("preaggregate", 1).derive("bucketing"))
        let means = Bucketing.mixing(permutation: perm, bucketSize: 2).apply(m)
        let estimate = try FEstimator.estimate(means, fMax: 1)
        XCTAssertEqual(o.figures["f_used"], Double(estimate.fUsed))
        XCTAssertEqual(o.figures["f_estimate"], Double(estimate.fHat))
        XCTAssertLessThanOrEqual(o.figures["f_used"] ?? 9, 1)
        XCTAssertEqual(o.decisions.filter(\.selected).count, 2)   // Krum's one bucket, two clients
    }

    /// NNM's `f: auto` takes the rule's fixed f; with a rule without f it estimates f.
    func testNNMTakesTheRulesFixedF() throws {
        let (krum, data, _) = try setup("federation: {clients: 9}\ndefense: {aggregator: {kind: krum, f: 2}, nnm: {}}\n")
        let d = data.initialParameters.count
        let m = gaussianMatrix(rows: 9, columns: d, seed: 2)
        let o = krum.aggregate(m, clientIds: Array(0..<9), weights: Array(repeating: 1, count: 9), round: 1, global: data.initialParameters)
        XCTAssertEqual(o.figures["nnm_f"], 2)
        XCTAssertEqual(o.figures["f_used"], 2)
        // Krum picks one mixed row of n - f = 7 clients: exactly those are selected, at 1/7 each.
        XCTAssertEqual(o.decisions.filter(\.selected).count, 7)
        for w in o.decisions.filter(\.selected).map(\.weight) { XCTAssertEqual(w, 1.0 / 7, accuracy: 1e-12) }

        let (median, _, s) = try setup("federation: {clients: 9}\ndefense: {aggregator: median, nnm: {}}\n")
        XCTAssertEqual(s.defense.preAggregation.first?.values["f"], .auto)
        let e = median.aggregate(m, clientIds: Array(0..<9), weights: Array(repeating: 1, count: 9), round: 1, global: data.initialParameters)
        XCTAssertEqual(e.figures["nnm_f"], Double(try FEstimator.estimate(m, fMax: 4).fUsed))
    }

    /// DP after bucketing: the mechanism divides by the 5 rows it gets, not the 10 clients,
    /// and no epsilon is claimed (one client's update is mixed before the DP clipping).
    func testDPAfterBucketing() throws {
        let (server, data, s) = try setup("""
            federation: {clients: 10}
            defense: {aggregator: fedavg, bucketing: {s: 2}, dp: {noise_multiplier: 1.0, clip: 1.0}}
            """)
        let dp = try XCTUnwrap(server.aggregator as? DPFedAvg)
        XCTAssertEqual(dp.expectedClients, 5)
        let wrapped = try XCTUnwrap(try DefenseFactory.aggregator(
            parse("federation: {clients: 10}\ndefense: {aggregator: median, bucketing: {s: 2}, dp: {clip: 1.0}}\n").defense,
            perRound: 10) as? DPWrapped)
        XCTAssertEqual(wrapped.expectedClients, 5)
        let d = data.initialParameters.count
        let o = server.aggregate(gaussianMatrix(rows: 10, columns: d, seed: 3), clientIds: Array(0..<10),
                                 weights: Array(repeating: 1, count: 10), round: 1, global: data.initialParameters)
        XCTAssertTrue(o.applied)
        XCTAssertNil(o.epsilon)
        let record = try XCTUnwrap(server.privacyRecord(s))
        XCTAssertFalse(record.epsilonApplies)
        XCTAssertTrue(record.note.contains("bucketing mixes clients' updates before the DP clipping"), record.note)
    }

    /// A round with too few updates for the rule after bucketing says how many rows it saw.
    func testTooFewRowsAfterBucketingSaySo() throws {
        let (server, data, _) = try setup("federation: {clients: 14}\ndefense: {aggregator: {kind: krum, f: 2}, bucketing: {s: 2}}\n")
        let d = data.initialParameters.count
        let o = server.aggregate(gaussianMatrix(rows: 10, columns: d, seed: 1), clientIds: Array(0..<10),
                                 weights: Array(repeating: 1, count: 10), round: 1, global: data.initialParameters)
        XCTAssertFalse(o.applied)
        XCTAssertEqual(o.note, "krum needs n > 2f + 2; got n = 5, f = 2 (the rule sees 5 rows for 10 updates after pre-aggregation)")
    }
}
