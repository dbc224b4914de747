import FedCore
import FedEval
import FedResults
@testable import FedSim
import FedTestSupport
import FedWire
import Foundation
import XCTest

/// The `evaluate:` seam through the coordinator on a `MemoryNetwork`: evaluations run after
/// the rounds `every` picks and the last, see the global model before and after the round and
/// the round's updates, and their figures land in rounds.csv, summary.json and evaluation.json.
final class ThreatEvaluatorTests: XCTestCase {
    /// Reports what it was given: the round, the mean change of the global model over the
    /// round, the updates it saw, the held-out samples it may use, and a seeded draw.
    static let probe = EvaluationDescriptor(
        name: "probe", summary: "reports its input (tests only)",
        parameters: [Parameter("scale", .number(.atLeast(0)), default: .number(1), doc: "multiplies probe_step")],
        figures: { _ in [("probe_round", "the round"), ("probe_step", "mean change"), ("probe_updates", "updates seen"),
                         ("probe_samples", "samples"), ("probe_draw", "a seeded draw")] }
    ) { values, input in
        var rng = input.rng
        let step = zip(input.parameters, input.previous).reduce(0.0) { $0 + Double($1.0 - $1.1) } / Double(input.parameters.count)
        let panel = ImagePanel(title: "probe", shape: [1, 1, 2], images: [[0, 1]], captions: ["r\(input.round)"])
        return EvaluationOutcome(
            figures: ["probe_round": Double(input.round), "probe_step": step * values.double("scale"),
                      "probe_updates": Double(input.updates.count), "probe_samples": Double(min(input.samples, input.heldOut.count)),
                      "probe_draw": rng.nextDouble()],
            images: [panel])
    }

    private func coordinator(every: Int, rounds: Int) throws -> (Coordinator, FakeClientProcesses) {
        var s = try Tiny.scenario("federation: {clients: 2, rounds: \(rounds), deadline: 30, quorum: 1.0}", name: "threats")
        var values = Self.probe.defaults
        values.set("scale", .number(2))
        s.evaluate = EvaluateConfig(every: every, samples: 7, evaluations: [EvaluationConfig(Self.probe, values: values)])
        let data = try FederationData.prepare(s)
        let net = MemoryNetwork(timeLimit: 600)
        let c = try Coordinator(scenario: s, data: data, network: net, endpoint: "memory://coordinator", logger: Tiny.logger)
        c.checksShardSizes = false   // the fake processes claim chosen weights
        let server = try XCTUnwrap(net.server("coordinator"))
        let peers = FakeClientProcesses(server: server, clock: net.manualClock, scenario: s, parameters: c.global.count)
        net.onIdle = { peers.step() }
        let d = c.global.count
        peers.add([1], ids: [0])
        peers.add([2], ids: [1]).respond = { task in
            task.ids.map { FakeClientProcesses.update(round: task.round, client: $0, samples: 30, value: 3, parameters: d) }
        }
        return (c, peers)
    }

    func testEvaluationsRunOnTheRoundsEveryPicksAndTheLast() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (c, peers) = try coordinator(every: 2, rounds: 5)
        let results = try RunResults(directory: dir.path, scenario: c.scenario, labelCounts: [[1, 1], [1, 1]])
        var records: [RoundRecord] = []
        try c.run(results: results) { records.append($0) }
        peers.step()
        try results.finish(summary: RunSummary(c, status: "completed", error: nil, processes: 2, wallSeconds: 1), model: c.global)

        // Rounds 2, 4 and the last (5); weights 10 and 30 with deltas 1 and 3: a step of 2.5, scaled by 2.
        XCTAssertEqual(records.map { $0.evaluations["probe_round"] }, [nil, 2, nil, 4, 5])
        for r in records where !r.evaluations.isEmpty {
            XCTAssertEqual(r.evaluations["probe_step"] ?? 0, 5, accuracy: 1e-5)
            XCTAssertEqual(r.evaluations["probe_updates"], 2)
            XCTAssertEqual(r.evaluations["probe_samples"], 7)
            XCTAssertNotNil(r.evaluations[ThreatEvaluator.costFigure])
        }
        // Each round's draw comes from its own stream: different rounds, different draws.
        XCTAssertNotEqual(records[1].evaluations["probe_draw"], records[3].evaluations["probe_draw"])

        let rounds = try CSVTable.load(path: dir.path("rounds.csv"))
        let col = try XCTUnwrap(rounds.index(of: "probe_round"))
        XCTAssertNotNil(rounds.index(of: "evaluation_ms"))
        XCTAssertEqual(rounds.rows.map { $0[col] }, ["", "2", "", "4", "5"])

        let summary = try RunSummary.decoder().decode(RunSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir.path("summary.json"))))
        XCTAssertEqual(summary.evaluationRound, 5)
        XCTAssertEqual(summary.evaluations?["probe_step"] ?? 0, 5, accuracy: 1e-5)

        let images = try XCTUnwrap(EvaluationImages.read(from: dir.path))
        XCTAssertEqual(images.round, 5)
        XCTAssertEqual(images.panels.map(\.captions), [["r5"]])
    }

    /// The same scenario twice: the same figures, bit for bit (the cost column aside).
    func testFiguresDependOnlyOnTheScenario() throws {
        func figures() throws -> [[String: Double]] {
            let (c, peers) = try coordinator(every: 1, rounds: 3)
            var records: [RoundRecord] = []
            try c.run(results: nil) { records.append($0) }
            peers.step()
            return records.map { $0.evaluations.filter { $0.key != ThreatEvaluator.costFigure } }
        }
        XCTAssertEqual(try figures(), try figures())
    }

    /// A damaged evaluation.json is refused with one line naming it.
    func testDamagedImagesFileIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Data(#"{"round": 1, "panels": [{"title": "x", "shape": [1, 2, 2], "images": [[0, 1]], "captions": ["a"]}]}"#.utf8)
            .write(to: URL(fileURLWithPath: dir.path("evaluation.json")))
        XCTAssertThrowsError(try EvaluationImages.read(from: dir.path)) { error in
            XCTAssertTrue("\(error)".contains("evaluation.json: damaged or not fedsim's: panel \"x\" does not match its shape [1, 2, 2]"), "\(error)")
        }
    }

    func testSectionErrorsNameTheKey() {
        let cases: [(yaml: String, message: String)] = [
            ("evaluate: {every: 0}", "threats.yaml:2:19: evaluate.every: 0 is out of range; allowed: every >= 1"),
            ("evaluate: {nothing: {}}", "evaluate.nothing: unknown key; allowed: every, samples"),
            ("evaluate: {samples: -3}", "evaluate.samples"),
        ]
        for c in cases {
            XCTAssertThrowsError(try Tiny.scenario(c.yaml, name: "threats"), c.yaml) { error in
                XCTAssertTrue("\(error)".contains(c.message), "\(c.yaml): \(error)")
            }
        }
    }

    /// No `evaluate:` section: no `evaluate` key in the resolved scenario (fingerprints of
    /// existing scenarios stay as they were) and no evaluation columns.
    func testAbsentSectionLeavesTheScenarioAsItWas() throws {
        let s = try Tiny.scenario("federation: {clients: 2, rounds: 1}", name: "threats")
        XCTAssertFalse(s.resolvedYAML().contains("evaluate"))
        XCTAssertFalse(s.roundsSchema.header.contains("evaluation_ms"))
        XCTAssertTrue(try Tiny.scenario("evaluate: {every: 3}", name: "threats").evaluate.isEmpty)
    }

    /// DP-FedAvg's observer sees clip C and noise σC; a clipping step's bound; else the update.
    func testObservationFollowsTheDefence() throws {
        let dp = try Tiny.scenario("defense: {dp: {noise_multiplier: 0.5, clip: 2}}", name: "threats")
        XCTAssertEqual(ThreatEvaluator.observation(dp.defense), UpdateObservation(clip: 2, noiseStd: 1))
        let clip = try Tiny.scenario("defense: {clip: {norm: 3}}", name: "threats")
        XCTAssertEqual(ThreatEvaluator.observation(clip.defense), UpdateObservation(clip: 3))
        XCTAssertEqual(ThreatEvaluator.observation(DefenseConfig()), UpdateObservation())
    }
}
