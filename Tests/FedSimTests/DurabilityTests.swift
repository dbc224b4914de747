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
