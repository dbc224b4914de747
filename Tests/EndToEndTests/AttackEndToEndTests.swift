import Foundation
import XCTest

/// Attacks in real multi-process runs: model poisoning lowers FedAvg's accuracy, a backdoor
/// reports its success rate, and colluding attackers go through the adversary hub process,
/// which ends with the run.
final class AttackEndToEndTests: EndToEndTestCase {
    private var base: [String] {
        [quickstart, "--progress", "none",
         "--set", "federation.clients=10", "--set", "federation.processes=5", "--set", "federation.rounds=8",
         "--set", "federation.local_epochs=3", "--set", "federation.batch_size=16", "--set", "federation.learning_rate=0.1"]
    }

    private func finalAccuracy(_ run: String) -> Double {
        Double(harness.csv(run + "/rounds.csv").last?["test_accuracy"] ?? "") ?? .nan
    }

    func testSignFlippingLowersFedAvgAccuracy() throws {
        let (clean, out1) = try harness.run(["run"] + base + ["--output", harness.path("clean")], log: "clean.log")
        XCTAssertEqual(clean, 0, out1)
        let (attacked, out2) = try harness.run(["run"] + base + ["--output", harness.path("flip"),
                                                                 "--set", "attack={kind: sign-flip, malicious: 0.2, scale: 4}"],
                                               log: "flip.log")
        XCTAssertEqual(attacked, 0, out2)
        XCTAssertGreaterThan(finalAccuracy("clean"), 0.85)
        XCTAssertLessThan(finalAccuracy("flip"), finalAccuracy("clean") - 0.3)
        let rows = harness.csv("flip/clients.csv").filter { $0["round"] == "1" }
        XCTAssertEqual(rows.filter { $0["malicious"] == "1" }.count, 2)
        XCTAssertEqual(harness.csv("flip/rounds.csv").first?["malicious_received"], "2")
        let attacks = harness.json("flip/summary.json")["attacks"] as? [[String: Any]]
        XCTAssertEqual(attacks?.first?["kind"] as? String, "sign-flip")
        XCTAssertEqual((attacks?.first?["clients"] as? [Int])?.count, 2)
    }

    func testBackdoorReportsItsSuccessRate() throws {
        let (code, out) = try harness.run(["run"] + base + ["--output", harness.path("bd"),
                                                            "--set", "attack={kind: backdoor, malicious: 0.2}"], log: "bd.log")
        XCTAssertEqual(code, 0, out)
        let rates = harness.csv("bd/rounds.csv").compactMap { Double($0["attack_success_rate"] ?? "") }
        XCTAssertEqual(rates.count, 8)
        XCTAssertTrue(rates.allSatisfy { (0...1).contains($0) })
        XCTAssertGreaterThan(rates.last ?? 0, 0.5)
        let summary = harness.json("bd/summary.json")
        XCTAssertEqual(summary["attack_metric"] as? String, "backdoor")
        XCTAssertNotNil(summary["final_attack_success_rate"] as? Double)
    }

    /// ALIE needs statistics of several updates: the colluders use the hub process, which
    /// crafts every round and ends with the run (no process is left).
    func testColludingAttackGoesThroughTheHub() throws {
        let (code, out) = try harness.run(["run"] + base + ["--output", harness.path("alie"),
                                                            "--set", "attack={kind: alie, malicious: 3, z: 1.5}"],
                                          log: "alie.log")
        XCTAssertEqual(code, 0, out)
        let hubLog = harness.text("alie/logs/adversary.log")
        XCTAssertEqual(hubLog.components(separatedBy: "crafted alie").count - 1, 8, hubLog)
        XCTAssertTrue(harness.csv("alie/rounds.csv").allSatisfy { $0["received"] == "10" })
        XCTAssertEqual(harness.waitForNoProcesses(timeout: 5), [])
    }
}

/// Protocol-level attackers in one run: every hostile message is refused and counted by
/// reason, none is aggregated, and the honest clients' model still learns.
final class ProtocolAttackEndToEndTests: EndToEndTestCase {
    func testEveryProtocolAttackIsRefusedAndCounted() throws {
        let (code, out) = try harness.run(["run", FedsimHarness.repository + "/scenarios/attacks/protocol.yaml",
                                           "--output", harness.path("proto"), "--progress", "none",
                                           "--set", "federation.clients=10", "--set", "federation.rounds=4",
                                           "--set", "federation.deadline=2"],
                                          log: "proto.log")
        XCTAssertEqual(code, 0, out)
        let rounds = harness.csv("proto/rounds.csv")
        XCTAssertEqual(rounds.count, 4)
        let reasons = Set(rounds.flatMap { ($0["reject_reasons"] ?? "").split(separator: ";").map { String($0.split(separator: ":")[0]) } })
        for reason in ["duplicate", "stale_round", "not_owner", "id_taken", "unknown_client", "bad_magic", "body_size",
                       "too_large", "non_finite"] {
            XCTAssertTrue(reasons.contains(reason), "\(reason) missing from \(reasons)")
        }
        // Only the replayer's and the sybil's own updates are valid: 3 honest + 2 per round.
        XCTAssertTrue(rounds.allSatisfy { $0["received"] == "5" }, "\(rounds.map { $0["received"] ?? "" })")
        XCTAssertTrue(rounds.dropFirst().allSatisfy { $0["malicious_received"] == "2" })
        XCTAssertGreaterThan(Double(rounds.last?["test_accuracy"] ?? "") ?? 0, 0.5)
    }
}
