import FedResults
@testable import FedSim
import XCTest

/// summary.json's attack_durability_rounds: rounds after the attacks stop whose success rate
/// stays at or above 0.5, until the first one below.
final class DurabilityTests: XCTestCase {
    private func digests(_ rates: [Double?]) -> [RoundDigest] {
        rates.enumerated().map { r, asr in
            RoundDigest(RoundRecord(round: r + 1, testAccuracy: 0.5, testLoss: 1, trainLoss: 1, sampled: 4, received: 4,
                                    rejected: 0, rejectReasons: [:], applied: true, aggregationMilliseconds: 1,
                                    roundMilliseconds: 1, attackSuccessRate: asr, maliciousSampled: 0,
                                    maliciousReceived: 0, clients: []))
        }
    }

    func testDurabilityCountsTheRoundsAboveHalfAfterTheLastAttackingRound() throws {
        let cases: [(attack: String, rates: [Double?], durability: Int?)] = [
            // Stops after round 2; rounds 3 and 4 hold, round 5 falls, round 6 is not counted.
            ("{kind: backdoor, end_round: 2}", [0.9, 0.9, 0.8, 0.5, 0.4, 0.9], 2),
            ("{kind: backdoor, end_round: 2}", [0.9, 0.9, 0.3, 0.9, 0.9, 0.9], 0),
            ("{kind: backdoor, end_round: 2}", [0.9, 0.9, 0.6, 0.7, 0.8, 0.9], 4),
            ("{kind: backdoor}", [0.9, 0.9, 0.8, 0.5, 0.4, 0.9], nil),              // attacks to the end
            ("{kind: sign-flip, end_round: 2}", [nil, nil, nil, nil, nil, nil], nil), // no success metric
            ("[{kind: neurotoxin, end_round: 2}, {kind: dba, end_round: 4}]", [1, 1, 1, 1, 0.7, 0.2], 1),
        ]
        for c in cases {
            let s = try Tiny.scenario("federation: {clients: 10, rounds: 6}\nattack: \(c.attack)", name: "durability")
            XCTAssertEqual(RunSummary.durability(s, digests(c.rates)), c.durability, c.attack)
        }
        // Stopped before any round after the attack: not measured.
        let s = try Tiny.scenario("federation: {clients: 10, rounds: 6}\nattack: {kind: backdoor, end_round: 2}", name: "durability")
        XCTAssertNil(RunSummary.durability(s, digests([0.9, 0.9])))
    }
}

/// summary.json's detection means: precision over the rounds where the rule kept something out,
/// and the false-positive rate of the rounds no malicious update arrived in.
final class DetectionSummaryTests: XCTestCase {
    func testCleanRoundFPRAveragesOnlyRoundsWithoutAttackers() {
        func record(_ r: Int, selected: [Bool], malicious: [Bool]) -> RoundDigest {
            var rec = RoundRecord(round: r, testAccuracy: 0.5, testLoss: 1, trainLoss: 1, sampled: 4, received: 4,
                                  rejected: 0, rejectReasons: [:], applied: true, aggregationMilliseconds: 1,
                                  roundMilliseconds: 1, attackSuccessRate: nil, maliciousSampled: malicious.filter { $0 }.count,
                                  maliciousReceived: malicious.filter { $0 }.count, clients: [])
            rec.detection = Detection(selected: selected, weights: selected.map { $0 ? 0.25 : 0 }, malicious: malicious)
            return RoundDigest(rec)
        }
        // Round 1: an attacker, kept out with one honest (precision 1/2). Rounds 2 and 3: no
        // attacker; one of four honest kept out in round 2 (FPR 1/4), none in round 3.
        let h = [record(1, selected: [false, false, true, true], malicious: [true, false, false, false]),
                 record(2, selected: [false, true, true, true], malicious: [false, false, false, false]),
                 record(3, selected: [true, true, true, true], malicious: [false, false, false, false])]
        XCTAssertEqual(h.compactMap(\.detectionPrecision), [0.5, 0])
        let means = RunSummary.detectionMeans(h)
        XCTAssertEqual(means.precision, 0.25)
        XCTAssertEqual(means.cleanRoundFPR, 0.125)
    }
}
