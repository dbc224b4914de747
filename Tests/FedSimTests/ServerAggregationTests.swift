import FedCore
import FedTestSupport
@testable import FedSim
import XCTest

/// The server's aggregation step without sockets: the documented policy when a round brings
/// fewer updates than the rule needs, and honest privacy figures.
final class ServerAggregationTests: XCTestCase {
    private func setup(_ yaml: String) throws -> (ServerAggregation, FederationData, Scenario) {
        let s = try Scenario.parse(yaml: yaml, file: "defense.yaml", baseDirectory: NSTemporaryDirectory())
        let data = try FederationData.prepare(s)
        return (try ServerAggregation(scenario: s, data: data), data, s)
    }

    /// Krum with f = 3 is legal for the 10 clients of a round, but a round that brings only 7
    /// updates skips the update and says why, instead of crashing or averaging anyway.
    func testTooFewUpdatesSkipTheRoundAndSaySo() throws {
        let (server, data, _) = try setup("""
            model: {kind: logistic}
            federation: {clients: 10}
            defense: {aggregator: {kind: krum, f: 3}}
            """)
        let d = data.initialParameters.count
        let ok = server.aggregate(gaussianMatrix(rows: 10, columns: d, seed: 1), clientIds: Array(0..<10), weights: Array(repeating: 1, count: 10),
                                  round: 1, global: data.initialParameters)
        XCTAssertTrue(ok.applied)
        XCTAssertEqual(ok.decisions.filter(\.selected).count, 1)
        let few = server.aggregate(gaussianMatrix(rows: 7, columns: d, seed: 1), clientIds: Array(0..<7), weights: Array(repeating: 1, count: 7),
                                   round: 2, global: data.initialParameters)
        XCTAssertFalse(few.applied)
        XCTAssertEqual(few.note, "krum needs n > 2f + 2; got n = 7, f = 3")
    }

    /// DP-FedAvg: the accountant's epsilon grows every round. A robust rule between clipping
    /// and noise: no epsilon is reported, and the results say why.
    func testEpsilonOnlyWhereItHolds() throws {
        let (dp, data, s) = try setup("""
            model: {kind: logistic}
            federation: {clients: 10, fraction: 0.5}
            defense: {aggregator: fedavg, dp: {noise_multiplier: 1.1, clip: 1.0, delta: 1.0e-5}}
            """)
        let d = data.initialParameters.count
        var eps: [Double] = []
        for r in 1...3 {
            let o = dp.aggregate(gaussianMatrix(rows: 5, columns: d, seed: UInt64(r)), clientIds: Array(0..<5),
                                 weights: Array(repeating: 1, count: 5), round: r, global: data.initialParameters)
            eps.append(try XCTUnwrap(o.epsilon))
        }
        XCTAssertTrue(eps[0] < eps[1] && eps[1] < eps[2], "\(eps)")
        let record = try XCTUnwrap(dp.privacyRecord(s))
        XCTAssertTrue(record.epsilonApplies)
        XCTAssertEqual(record.samplingRate, 0.5)
        XCTAssertEqual(record.epsilon ?? 0, eps[2], accuracy: 1e-12)
        XCTAssertTrue(record.note.contains("fixed cohort"), record.note)

        let (wrapped, _, s2) = try setup("""
            model: {kind: logistic}
            federation: {clients: 10}
            defense: {aggregator: median, dp: {noise_multiplier: 1.1, clip: 1.0}}
            """)
        let o = wrapped.aggregate(gaussianMatrix(rows: 10, columns: d, seed: 1), clientIds: Array(0..<10),
                                  weights: Array(repeating: 1, count: 10), round: 1, global: data.initialParameters)
        XCTAssertTrue(o.applied)
        XCTAssertNil(o.epsilon)
        let r2 = try XCTUnwrap(wrapped.privacyRecord(s2))
        XCTAssertFalse(r2.epsilonApplies)
        XCTAssertNil(r2.epsilon)
        XCTAssertTrue(r2.note.contains("NOT"), r2.note)
    }

    /// FLTrust gets the server's own update from its root dataset: an update that points the
    /// other way gets trust 0.
    func testFLTrustTrustsUpdatesAlignedWithTheServer() throws {
        let (server, data, _) = try setup("""
            model: {kind: logistic}
            federation: {clients: 4, local_epochs: 2}
            defense: {aggregator: {kind: fltrust, root_size: 50}}
            """)
        let d = data.initialParameters.count
        // Honest-looking updates: the server's own direction is what local training gives.
        var rng = SeededRNG(seed: 9)
        let honest = trainLocally(model: data.model, start: data.initialParameters, data: data.clientData(0),
                                  config: FederationData.localTraining(FederationConfig(clients: 4, localEpochs: 2)), rng: &rng)
        let delta = zip(honest.parameters, data.initialParameters).map { $0 - $1 }
        var m = UpdateMatrix(rows: 4, columns: d)
        m.setRow(0, delta)
        m.setRow(1, delta.map { $0 * 0.5 })
        m.setRow(2, delta.map { -$0 })
        m.setRow(3, delta.map { -4 * $0 })
        let o = server.aggregate(m, clientIds: [0, 1, 2, 3], weights: [1, 1, 1, 1], round: 1, global: data.initialParameters)
        XCTAssertTrue(o.applied)
        XCTAssertEqual(o.decisions.map(\.selected), [true, true, false, false])
    }
}
