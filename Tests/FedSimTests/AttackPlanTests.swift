@testable import FedSim
import XCTest

final class AttackPlanTests: XCTestCase {
    private func scenario(_ yaml: String) throws -> Scenario {
        try Scenario.parse(yaml: yaml, file: "attack.yaml", baseDirectory: NSTemporaryDirectory())
    }

    /// Groups take disjoint, seeded sets of the requested sizes; the same seed gives the same
    /// sets, another seed others.
    func testGroupsAreDisjointSeededAndSized() throws {
        let yaml = """
            seed: 3
            federation: {clients: 20}
            attack:
              - {kind: label-flip, malicious: 0.2}
              - {kind: alie, malicious: 3, start_round: 4, end_round: 6}
            """
        let plan = AttackPlan(try scenario(yaml))
        XCTAssertEqual(plan.members.map(\.count), [4, 3])
        XCTAssertTrue(Set(plan.members[0]).isDisjoint(with: plan.members[1]))
        XCTAssertEqual(plan.allMalicious.count, 7)
        XCTAssertEqual(AttackPlan(try scenario(yaml)).members, plan.members)
        XCTAssertNotEqual(AttackPlan(try scenario(yaml.replacingOccurrences(of: "seed: 3", with: "seed: 4"))).members,
                          plan.members)
        let late = plan.members[1][0]
        XCTAssertEqual((1...8).map { plan.activeGroup(of: late, round: $0) != nil },
                       [false, false, false, true, true, true, false, false])
        XCTAssertEqual(plan.activeGroup(of: plan.members[0][0], round: 1), 0)
        XCTAssertTrue(plan.needsHub)
        XCTAssertFalse(plan.needsTap)
        let honest = try XCTUnwrap((0..<20).first { plan.group(of: $0) == nil })
        XCTAssertNil(plan.activeGroup(of: honest, round: 5))
    }

    /// Table of bad attack sections and the one-line error each gives.
    func testBadAttackSectionsGiveOneLineErrors() {
        let cases: [(String, String)] = [
            ("attack: {kind: alie, sigma: 2}", "attack.yaml:1:22: attack.sigma: unknown key; allowed: kind, malicious, start_round, end_round, knowledge, z, z_variant, ddof, direction"),
            ("attack: {kind: nope}", "attack.yaml:1:16: attack.kind: unknown value \"nope\"; allowed: label-flip, backdoor, dba, neurotoxin, constrain-and-scale, edge-case, sign-flip, scaling, gaussian, free-rider, alie, ipm, min-max, min-sum, mimic, fang, fang-krum, adaptive, agr-tailored, replay, stale, id-claim, sybil, malformed, oversized, nan"),
            ("attack: {malicious: 0.2}", "attack.yaml:1:9: attack.kind: missing; allowed: label-flip, backdoor, dba, neurotoxin, constrain-and-scale, edge-case, sign-flip, scaling, gaussian, free-rider, alie, ipm, min-max, min-sum, mimic, fang, fang-krum, adaptive, agr-tailored, replay, stale, id-claim, sybil, malformed, oversized, nan"),
            ("attack: {kind: ipm, malicious: 1.5}", "attack.yaml:1:32: attack.malicious: 1.5 is out of range; allowed: a fraction in (0, 1) or a count >= 1"),
            ("attack: {kind: ipm, malicious: 10}", "attack.yaml:1:32: attack.malicious: the attack groups take 10 of 10 clients; allowed: at least one honest client"),
            ("attack: {kind: ipm, start_round: 5, end_round: 2}", "attack.yaml:1:48: attack.end_round: 2 is before start_round 5"),
            ("attack: [{kind: ipm}, {kind: alie, z: high}]", "attack.yaml:1:39: attack[1].z: expected auto or a number, got \"high\""),
            ("attack: 3", "attack.yaml:1:9: attack: expected a mapping or a list of mappings, got \"3\""),
        ]
        for (yaml, expected) in cases {
            XCTAssertThrowsError(try scenario(yaml), yaml) { error in
                XCTAssertEqual("\(error)", expected)
            }
        }
    }

    /// The resolved form writes every attack parameter and reads back to the same scenario.
    func testResolvedAttacksRoundTrip() throws {
        let s = try scenario("""
            federation: {clients: 10}
            attack:
              - {kind: backdoor, malicious: 2, boost: auto}
              - {kind: min-sum, deviation: unit, knowledge: omniscient}
            """)
        let again = try Scenario.parse(yaml: s.resolvedYAML(), file: "r.yaml", baseDirectory: NSTemporaryDirectory())
        XCTAssertEqual(again, s)
        XCTAssertEqual(s.attacks[0].parameters.entries.map { "\($0.key)=\($0.value)" },
                       ["target=7", "fraction=0.5", "poisoning=append", "trigger_size=2", "trigger_value=none", "boost=auto"])
        XCTAssertTrue(AttackPlan(s).needsTap)
    }

    /// Model-replacement boost: n / (f·η) with the group's expected attackers per round.
    func testAutoBoost() throws {
        let s = try scenario("""
            federation: {clients: 20, fraction: 0.5, server_learning_rate: 2}
            attack: {kind: backdoor, malicious: 4, boost: auto}
            """)
        // n = 10 sampled, f = round(0.5 * 4) = 2, eta = 2 -> 10 / 4.
        XCTAssertEqual(AttackFactory.boost(s.attacks[0], scenario: s, groupSize: 4), 2.5, accuracy: 1e-12)
    }
}
