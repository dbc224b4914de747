import FedCore
@testable import FedSim
import Foundation
import XCTest

/// A damaged checkpoint is refused with one line naming the file and what is wrong, never
/// trusted and never a trap: damaged bytes fail the checksum or the bounds before anything is
/// converted, and contents that do not fit the scenario fail validation before the run starts.
final class CheckpointCorruptionTests: XCTestCase {
    private let path = "runs/x/checkpoint.bin"

    private func scenario() throws -> Scenario {
        try Scenario.parse(yaml: """
            dataset: {kind: synthetic, synthetic: {samples: 200, features: 4, classes: 3}}
            model: {kind: logistic}
            federation: {clients: 4, rounds: 10}
            defense: {aggregator: centered-clipping, dp: {noise_multiplier: 1.0, clip: 1.0}}
            """, file: "c.yaml", baseDirectory: NSTemporaryDirectory())
    }

    /// A genuine checkpoint after round 3 of `s`.
    private func checkpoint(_ s: Scenario) throws -> Checkpoint {
        let data = try FederationData.prepare(s)
        let server = try ServerAggregation(scenario: s, data: data)
        var digests: [RoundDigest] = []
        for r in 1...3 {
            var rng = SeededRNG(seed: UInt64(r))
            let d = data.initialParameters.count
            let m = UpdateMatrix(rows: 4, columns: d, values: (0..<(4 * d)).map { _ in Float(rng.nextGaussian()) })
            _ = server.aggregate(m, clientIds: [0, 1, 2, 3], weights: [1, 1, 1, 1], round: r, global: data.initialParameters)
            digests.append(RoundDigest(RoundRecord(round: r, testAccuracy: 0.5, testLoss: 1, trainLoss: 1, sampled: 4, received: 4,
                                                   rejected: 0, rejectReasons: [:], applied: true, aggregationMilliseconds: 1,
                                                   roundMilliseconds: 1, attackSuccessRate: nil, maliciousSampled: 0,
                                                   maliciousReceived: 0, clients: [])))
        }
        return Checkpoint(fingerprint: hex(s.fingerprint), round: 3, digests: digests, states: server.savedStates,
                          model: data.initialParameters.map { $0 + 0.5 })
    }

    private func assertRefused(_ bytes: Data, _ expected: String, line: UInt = #line) {
        XCTAssertThrowsError(try Checkpoint.decode(bytes, path: path), line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("\(path): unreadable checkpoint: "), text, line: line)
            XCTAssertTrue(text.contains(expected), "\(text) lacks \(expected)", line: line)
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", line: line)
        }
    }

    func testAGenuineCheckpointReadsBackAndValidates() throws {
        let s = try scenario()
        let c = try checkpoint(s)
        let back = try Checkpoint.decode(c.encoded(), path: path)
        XCTAssertEqual(back.model, c.model)
        XCTAssertEqual(back.states, c.states)
        XCTAssertNoThrow(try back.validate(scenario: s, parameters: c.model.count, path: path))
    }

    /// Damaged bytes: truncations, flips in every section, foreign bytes.
    func testDamagedBytesAreRefused() throws {
        let good = try checkpoint(try scenario()).encoded()
        let n = good.count
        let jsonLength = good.subdata(in: 8..<16).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        func flipped(_ i: Int, _ mask: UInt8 = 1) -> Data { var d = good; d[i] ^= mask; return d }
        var random = SeededRNG(seed: 11)
        let cases: [(Data, String, UInt)] = [
            (Data(), "shorter than", #line),
            (good.prefix(19), "shorter than", #line),
            (good.prefix(n - 1), "checksum mismatch", #line),
            (good.prefix(16 + jsonLength / 2), "checksum mismatch", #line),
            (good.prefix(n - 8), "checksum mismatch", #line),
            (good + Data([0]), "checksum mismatch", #line),
            (good + Data([0, 0, 0, 0]), "checksum mismatch", #line),
            (flipped(0), "no FSIMCKPT header", #line),
            (flipped(7, 0x80), "no FSIMCKPT header", #line),
            (Data(repeating: 0xff, count: 8) + good.dropFirst(8), "no FSIMCKPT header", #line),
            (flipped(8), "checksum mismatch", #line),            // length, low byte
            (flipped(15, 0x80), "checksum mismatch", #line),     // length, top bit
            (flipped(16), "checksum mismatch", #line),           // first JSON byte
            (flipped(16 + jsonLength / 2), "checksum mismatch", #line),
            (flipped(16 + jsonLength - 1), "checksum mismatch", #line),
            (flipped(16 + jsonLength), "checksum mismatch", #line),   // first model float
            (flipped(n - 5, 0x40), "checksum mismatch", #line),  // last model float, exponent bit
            (flipped(n - 1), "checksum mismatch", #line),        // the checksum itself
            (Data(Checkpoint.magic) + Data((0..<(n - 8)).map { _ in UInt8(truncatingIfNeeded: random.next()) }),
             "checksum mismatch", #line),
        ]
        for (bytes, expected, line) in cases { assertRefused(bytes, expected, line: line) }
        // Any single flipped bit, anywhere, is caught (CRC-32 detects every single-bit error).
        for i in stride(from: 0, to: n, by: 37) { XCTAssertThrowsError(try Checkpoint.decode(flipped(i, 1 << UInt8(i % 8)), path: path)) }
    }

    /// A length that would overflow or reach past the file, under a valid checksum.
    func testLengthsAreBoundedBeforeUse() throws {
        let good = try checkpoint(try scenario()).encoded()
        let json = good.subdata(in: 8..<16).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        let cases: [(UInt64, String)] = [(.max, "does not fit"), (UInt64(Int.max), "does not fit"),
                                         (UInt64(good.count), "does not fit"), (1, "does not fit"),
                                         (json + 4, "metadata is not a checkpoint's")]   // swallows a float
        for (length, expected) in cases {
            var d = good.prefix(good.count - 4)
            var le = length.littleEndian
            d.replaceSubrange(8..<16, with: withUnsafeBytes(of: &le) { Data($0) })
            var crc = d.withUnsafeBytes { CRC32.checksum($0) }.littleEndian
            d.append(withUnsafeBytes(of: &crc) { Data($0) })
            assertRefused(Data(d), expected)
        }
    }

    /// Well-formed files whose contents do not fit the scenario.
    func testContentsThatDoNotFitTheScenarioAreRefused() throws {
        let s = try scenario()
        let good = try checkpoint(s)
        let d = good.model.count
        func with(_ change: (inout Checkpoint) -> Void) -> Checkpoint { var c = good; change(&c); return c }
        let cases: [(Checkpoint, String, UInt)] = [
            (with { $0.round = 0 }, "round 0 is outside 1...10", #line),
            (with { $0.round = -1 }, "round -1 is outside 1...10", #line),
            (with { $0.round = 11 }, "round 11 is outside 1...10", #line),
            (with { $0.round = 100_000 }, "round 100000 is outside 1...10", #line),
            (with { $0.round = 2 }, "round 2 but 3 round digests", #line),
            (with { $0.digests.swapAt(0, 1) }, "digest 1 is of round 2", #line),
            (with { $0.model[0] = .nan }, "model parameter 0 is nan", #line),
            (with { $0.model[d - 1] = .infinity }, "model parameter \(d - 1) is inf", #line),
            (with { $0.model.removeLast() }, "the checkpoint's model has \(d - 1) parameters; this scenario's has \(d)", #line),
            (with { $0.fingerprint = "abc" }, "the checkpoint is of scenario abc", #line),
        ]
        for (c, expected, line) in cases {
            // Through the file, as a resume reads it.
            let back = try Checkpoint.decode(c.encoded(), path: path)
            XCTAssertThrowsError(try back.validate(scenario: s, parameters: d, path: path), line: line) { error in
                XCTAssertTrue("\(error)".hasPrefix(path), "\(error)", line: line)
                XCTAssertTrue("\(error)".contains(expected), "\(error) lacks \(expected)", line: line)
            }
        }
        var old = good
        old.version = 1
        assertRefused(try old.encoded(), "version 1; this fedsim reads \(Checkpoint.version)")
    }

    /// Saved state that a component cannot take is refused when restored, before any round.
    func testBadSavedStateIsRefused() throws {
        let s = try scenario()
        let data = try FederationData.prepare(s)
        let cases: [(String, SavedState, UInt)] = [
            ("privacy", SavedState(numbers: ["rdp": [.nan], "history": []]), #line),
            ("privacy", SavedState(numbers: ["rdp": [1], "history": [-1]]), #line),
            ("privacy", SavedState(numbers: ["history": [1]]), #line),
            ("aggregator", SavedState(vectors: ["center": [.nan]]), #line),
            ("aggregator", SavedState(vectors: ["wrong": [1]]), #line),
        ]
        for (component, state, line) in cases {
            let server = try ServerAggregation(scenario: s, data: data)
            XCTAssertThrowsError(try server.restore([component: state]), line: line) {
                XCTAssertFalse("\($0)".contains("\n"), "\($0)", line: line)
            }
        }
    }
}
