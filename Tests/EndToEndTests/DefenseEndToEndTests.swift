import Foundation
import XCTest

/// Defenses in real multi-process runs: a robust rule keeps its accuracy under the attack that
/// breaks FedAvg, Krum reports what it kept out, and DP-FedAvg reports its epsilon every round.
final class DefenseEndToEndTests: EndToEndTestCase {
    private var base: [String] {
        [quickstart, "--progress", "none",
         "--set", "federation.clients=10", "--set", "federation.processes=5", "--set", "federation.rounds=8",
         "--set", "federation.local_epochs=3", "--set", "federation.batch_size=16", "--set", "federation.learning_rate=0.1",
         "--set", "attack={kind: sign-flip, malicious: 0.2, scale: 4}"]
    }

    func testRobustRulesHoldWhereTheMeanBreaks() throws {
        for rule in ["median", "{kind: krum, f: auto}"] {
            let name = rule == "median" ? "median" : "krum"
            let (code, out) = try harness.run(["run"] + base + ["--output", harness.path(name),
                                                                "--set", "defense={aggregator: \(rule)}"], log: "\(name).log")
            XCTAssertEqual(code, 0, out)
            let rounds = harness.csv(name + "/rounds.csv")
            XCTAssertGreaterThan(Double(rounds.last?["test_accuracy"] ?? "") ?? 0, 0.85, name)
        }
        // Krum selects one update per round and never a sign flipper here; it records f.
        let krum = harness.csv("krum/rounds.csv")
        XCTAssertTrue(krum.allSatisfy { $0["malicious_selected"] == "0" && $0["detection_tpr"] == "1" }, "\(krum)")
        XCTAssertTrue(krum.allSatisfy { Int($0["f_used"] ?? "") != nil })
        let selected = harness.csv("krum/clients.csv").filter { $0["selected"] == "1" }
        XCTAssertEqual(selected.count, 8)
        let summary = harness.json("krum/summary.json")
        XCTAssertEqual(summary["aggregator"] as? String, "krum")
        XCTAssertEqual(summary["malicious_selected"] as? Int, 0)
    }

    func testDPFedAvgReportsEpsilonEveryRound() throws {
        let (code, out) = try harness.run(["run"] + base + ["--output", harness.path("dp"), "--set", "attack=[]",
                                                            "--set", "defense={aggregator: fedavg, dp: {noise_multiplier: 1.0, clip: 1.0}}"],
                                          log: "dp.log")
        XCTAssertEqual(code, 0, out)
        let eps = harness.csv("dp/rounds.csv").compactMap { Double($0["epsilon"] ?? "") }
        XCTAssertEqual(eps.count, 8)
        XCTAssertEqual(eps, eps.sorted())
        let privacy = harness.json("dp/summary.json")["privacy"] as? [String: Any]
        XCTAssertEqual(privacy?["epsilon_applies"] as? Bool, true)
        XCTAssertEqual(privacy?["epsilon"] as? Double ?? 0, eps.last ?? -1, accuracy: 1e-4)
    }
}
