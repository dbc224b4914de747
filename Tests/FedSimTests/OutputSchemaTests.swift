import FedCore
import FedResults
@testable import FedSim
import Foundation
import XCTest

/// rounds.csv, clients.csv and compare.csv come from declared columns: every figure a
/// registered rule reports reaches rounds.csv under its own name, and rows are written and
/// read back by column, never by position.
final class OutputSchemaTests: XCTestCase {
    private func folder() throws -> String {
        let d = NSTemporaryDirectory() + "fedsim-schema-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    private func record(_ server: ServerAggregation, round r: Int, d: Int, global: [Float]) -> RoundRecord {
        var rng = SeededRNG(seed: UInt64(r)).derive("schema-test")
        let n = 20
        let m = UpdateMatrix(rows: n, columns: d, values: (0..<(n * d)).map { _ in Float(rng.nextGaussian()) })
        let outcome = server.aggregate(m, clientIds: Array(0..<n), weights: [Double](repeating: 1, count: n), round: r, global: global)
        var record = RoundRecord(round: r, testAccuracy: 0.5, testLoss: 1, trainLoss: 1, sampled: n, received: n, rejected: 0,
                                 rejectReasons: [:], applied: outcome.applied, aggregationMilliseconds: 1, roundMilliseconds: 2,
                                 attackSuccessRate: nil, maliciousSampled: 0, maliciousReceived: 0, clients: [])
        record.figures = outcome.figures
        record.epsilon = outcome.epsilon
        return record
    }

    /// For every registered rule, alone and under DP: the header holds each figure the defence
    /// declares, and each figure it reported in a round has its value in that column.
    func testEveryFigureOfEveryRegisteredRuleReachesRoundsCSV() throws {
        for descriptor in Registry.aggregators {
            for dp in ["", ", dp: {noise_multiplier: 0.5, clip: 1.0}"] {
                let s = try Scenario.parse(yaml: """
                    dataset: {kind: synthetic, synthetic: {samples: 400, features: 5, classes: 3}}
                    model: {kind: logistic}
                    federation: {clients: 20, rounds: 2}
                    defense: {aggregator: \(descriptor.name)\(dp)}
                    """, file: "s.yaml", baseDirectory: NSTemporaryDirectory())
                let data = try FederationData.prepare(s)
                let server = try ServerAggregation(scenario: s, data: data)
                let dir = try folder()
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let results = try RunResults(directory: dir, scenario: s, labelCounts: data.partition.labelCounts(of: data.train))
                let round = record(server, round: 1, d: data.initialParameters.count, global: data.initialParameters)
                try results.record(round)

                let table = try CSVTable.load(path: dir + "/rounds.csv")
                let label = descriptor.name + dp
                for figure in descriptor.figures { XCTAssertNotNil(table.index(of: figure.name), "\(label): no column \(figure.name)") }
                XCTAssertFalse(round.figures.isEmpty && !descriptor.figures.isEmpty && dp.isEmpty, "\(label) reported nothing")
                for (name, value) in round.figures where value.isFinite {
                    let column = try XCTUnwrap(table.index(of: name), "\(label): figure \(name) has no column")
                    XCTAssertEqual(CSVTable.double(table.rows[0][column]) ?? .nan, value, accuracy: abs(value) * 1e-5 + 1e-9, "\(label): \(name)")
                }
            }
        }
    }

    func testColumnsAreDeclaredOnceAndInTheDocumentedOrder() {
        let header = RoundsColumns.columns(figures: [.figure("tau", doc: ""), .figure("f_used", doc: "")]).header
        XCTAssertEqual(Set(header).count, header.count, "a figure declared twice is one column")
        XCTAssertEqual(header.prefix(3), ["round", "test_accuracy", "test_loss"])
        XCTAssertEqual(header.suffix(5), ["epsilon", "applied", "note", "aggregation_ms", "round_ms"])
        XCTAssertEqual(header.firstIndex(of: "tau").map { $0 > header.firstIndex(of: "clipped_fraction")! }, true)
    }

    /// compare.csv: the runner's row and the reader's row are one type; a row survives the trip.
    func testCompareRowsRoundTripThroughTheFile() throws {
        var a = CompareRow(attack: "alie", defense: "krum", seed: "3", status: .completed, finalAccuracy: 0.9375,
                           attackSuccessRate: nil)
        a.detectionTPR = 0.5
        a.wallSeconds = 12.25
        let b = CompareRow(attack: "none", defense: "fedavg", seed: "1", status: .pending)
        let c = CompareRow(attack: "ipm", defense: "bulyan", seed: "1", status: .failed, error: "bulyan needs n >= 4f + 3, \"x\"")
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = try CSVWriter(path: dir + "/compare.csv", header: CompareRow.schema.header)
        for r in [a, b, c] { try csv.write(CompareRow.schema.fields(r.row)) }
        csv.close()
        XCTAssertEqual(try CompareRow.rows(CSVTable.load(path: dir + "/compare.csv")), [a, b, c])
    }

    func testARoundRowHasAValueForEveryColumnItFills() {
        var r = RoundRecord(round: 4, testAccuracy: 0.25, testLoss: .nan, trainLoss: 2, sampled: 3, received: 2, rejected: 1,
                            rejectReasons: ["stale_round": 1], applied: false, aggregationMilliseconds: 1.23456,
                            roundMilliseconds: 10, attackSuccessRate: nil, maliciousSampled: 1, maliciousReceived: 0, clients: [])
        r.note = "no update"
        let fields = Dictionary(uniqueKeysWithValues: zip(RoundRecord.csvHeader, RoundsColumns.columns().fields(r.row)))
        XCTAssertEqual(fields["round"], "4")
        XCTAssertEqual(fields["test_accuracy"], "0.25")
        XCTAssertEqual(fields["test_loss"], "", "not finite: empty")
        XCTAssertEqual(fields["reject_reasons"], "stale_round:1")
        XCTAssertEqual(fields["applied"], "0")
        XCTAssertEqual(fields["aggregation_ms"], "1.235", "timings with 4 significant digits")
        XCTAssertEqual(fields["malicious_selected"], "", "no decisions: empty")
        XCTAssertEqual(fields["note"], "no update")
    }
}
