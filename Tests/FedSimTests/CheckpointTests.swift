import FedCore
import FedTestSupport
@testable import FedSim
import XCTest

/// Checkpoints: the file round-trips, and the server's state (FoolsGold histories, the privacy
/// accountant) restored from one continues exactly as the uninterrupted state does.
final class CheckpointTests: XCTestCase {
    func testFileRoundTripAndCorruption() throws {
        let dir = try TemporaryDirectory(prefix: "fedsim-ckpt")
        defer { dir.remove() }
        let d = dir.path
        let c = Checkpoint(fingerprint: "abc", round: 3, digests: [], states: [
            "aggregator": SavedState(perClient: ["histories": [2: [1, 2], 5: [3, 4]]]),
            "privacy": SavedState(numbers: ["rdp": [0.5, 0.25], "history": [1.5]]),
        ], model: [1, -2.5, .pi])
        try c.write(to: d)
        let back = try Checkpoint.read(from: d)
        XCTAssertEqual(back.round, 3)
        XCTAssertEqual(back.model, [1, -2.5, .pi])
        XCTAssertEqual(back.states["aggregator"]?.perClient["histories"], [2: [1, 2], 5: [3, 4]])
        XCTAssertEqual(back.states["privacy"]?.numbers["rdp"], [0.5, 0.25])
        XCTAssertFalse(FileManager.default.fileExists(atPath: d + "/checkpoint.bin.tmp"))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: d + "/checkpoint.bin"))
        XCTAssertThrowsError(try Checkpoint.read(from: d)) { XCTAssertTrue("\($0)".contains("unreadable checkpoint"), "\($0)") }
    }

    private func rounds(_ server: ServerAggregation, _ range: ClosedRange<Int>, d: Int, global: [Float]) -> [[Float]] {
        range.map { r in
            var rng = SeededRNG(seed: UInt64(r))
            let m = UpdateMatrix(rows: 4, columns: d, values: (0..<(4 * d)).map { _ in Float(rng.nextGaussian()) })
            return server.aggregate(m, clientIds: [0, 1, 2, 3], weights: [1, 1, 1, 1], round: r, global: global).aggregate
        }
    }

    func testRestoredServerContinuesIdentically() throws {
        for defense in ["{aggregator: foolsgold}", "{aggregator: fedavg, dp: {noise_multiplier: 1.0, clip: 1.0}}",
                        "{aggregator: {kind: centered-clipping, tau: 0.5}}",
                        "{aggregator: {kind: centered-clipping, tau: 0.5}, clip: {norm: 1.0}, bucketing: {s: 2}}",
                        "{aggregator: median, nnm: {f: 1}, dp: {noise_multiplier: 1.0, clip: 1.0}}"] {
            let s = try Scenario.parse(yaml: "model: {kind: logistic}\nfederation: {clients: 4}\ndefense: \(defense)\n",
                                       file: "c.yaml", baseDirectory: NSTemporaryDirectory())
            let data = try FederationData.prepare(s)
            let d = data.initialParameters.count
            let whole = try ServerAggregation(scenario: s, data: data)
            let expected = rounds(whole, 1...5, d: d, global: data.initialParameters)

            let first = try ServerAggregation(scenario: s, data: data)
            _ = rounds(first, 1...2, d: d, global: data.initialParameters)
            let c = Checkpoint(fingerprint: "x", round: 2, digests: [], states: first.savedStates, model: [])
            let second = try ServerAggregation(scenario: s, data: data)
            try second.restore(c.states)
            XCTAssertEqual(rounds(second, 3...5, d: d, global: data.initialParameters), Array(expected[2...]), defense)
            XCTAssertEqual(second.budget?.history, whole.budget?.history, defense)
        }
    }
}
