import FedSim
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Failures: a client process killed mid-run, Ctrl-C, and a launcher killed with SIGKILL.
final class FailureEndToEndTests: EndToEndTestCase {
    /// Waits until rounds.csv of `run` has at least `rows` rows.
    private func waitForRounds(_ run: String, _ rows: Int, timeout: Double) throws -> Bool {
        try harness.waitForRows(run + "/rounds.csv", timeout: timeout) { $0.count >= rows }
    }

    /// Kills client process `victim` with SIGKILL while the coordinator waits, stopped by the
    /// test hook FEDSIM_TEST_STOP_AFTER_ROUND, between two rounds; then lets it go on. The
    /// victim is gone before the next round starts, however fast the machine.
    private func killBetweenRounds(_ victim: ChildProcess, coordinator: ChildProcess, log: String) {
        guard harness.waitUntilStopped(coordinator, timeout: 120) else { return XCTFail(harness.text(log)) }
        kill(victim.pid, SIGKILL)
        XCTAssertEqual(harness.wait(victim, timeout: 10), 128 + SIGKILL)
        kill(coordinator.pid, SIGCONT)
    }

    /// Coordinator and clients started by hand over tcp; one client process is killed with
    /// SIGKILL mid-run. Its clients stop responding, the rounds close with the quorum, and the
    /// run finishes.
    func testClientKilledMidRunDoesNotStopTheRun() throws {
        let settings = ["--set", "federation.clients=3", "--set", "federation.rounds=12", "--set", "federation.local_epochs=8",
                        "--set", "federation.deadline=20", "--set", "federation.heartbeat_timeout=3",
                        "--set", "federation.quorum=0.5"]
        let federation = try harness.startFederation(scenario: quickstart, output: "kill", clientIds: [0, 1, 2], settings: settings,
                                                     environment: ["FEDSIM_TEST_STOP_AFTER_ROUND": "2"])
        let (coordinator, victims) = (federation.coordinator, federation.clients)
        killBetweenRounds(victims[2], coordinator: coordinator, log: "coordinator.log")
        XCTAssertEqual(harness.csv("kill/rounds.csv").count, 2, "killed right after round 2")

        let code = harness.wait(coordinator, timeout: 240)
        XCTAssertEqual(code, 0, harness.text("coordinator.log"))
        let rounds = harness.csv("kill/rounds.csv")
        XCTAssertEqual(rounds.count, 12, harness.text("coordinator.log"))
        XCTAssertEqual(rounds.last?["received"], "2")
        let last = harness.csv("kill/clients.csv").filter { $0["round"] == "12" }
        XCTAssertEqual(last.first { $0["client"] == "2" }?["responded"], "0")
        XCTAssertEqual(harness.json("kill/summary.json")["status"] as? String, "completed")
        for c in victims { XCTAssertNotNil(harness.wait(c, timeout: 30)) }
    }

    /// SIGINT to `fedsim run`: children stop, summary.json says interrupted, rows stay valid.
    func testInterruptStopsEveryChild() throws {
        let run = try harness.start(["run", quickstart, "--output", harness.path("int"), "--progress", "plain",
                                     "--set", "federation.clients=4", "--set", "federation.rounds=500",
                                     "--set", "federation.local_epochs=4"], log: "int.log")
        XCTAssertTrue(try waitForRounds("int", 2, timeout: 120), harness.text("int.log"))
        XCTAssertGreaterThan(harness.processesMentioningRoot().count, 1)
        kill(run.pid, SIGINT)
        XCTAssertEqual(harness.wait(run, timeout: 30), 130, harness.text("int.log"))
        XCTAssertEqual(harness.waitForNoProcesses(timeout: 10), [])
        XCTAssertEqual(harness.json("int/summary.json")["status"] as? String, "interrupted")
        let rounds = harness.csv("int/rounds.csv")
        XCTAssertTrue(rounds.allSatisfy { Double($0["test_accuracy"] ?? "") != nil })
    }

    /// SIGKILL to the launcher: the client processes notice (parent-death signal) and end.
    func testKilledLauncherLeavesNoOrphans() throws {
        let run = try harness.start(["run", quickstart, "--output", harness.path("k9"), "--progress", "plain",
                                     "--set", "federation.clients=3", "--set", "federation.rounds=500",
                                     "--set", "federation.local_epochs=4"], log: "k9.log")
        XCTAssertTrue(try waitForRounds("k9", 1, timeout: 120), harness.text("k9.log"))
        kill(run.pid, SIGKILL)
        _ = harness.wait(run, timeout: 10)
        XCTAssertEqual(harness.waitForNoProcesses(timeout: 15), [])
    }

    /// Injected faults: dropouts never answer, stragglers answer late; the deadline and the
    /// quorum decide what gets in, and clients.csv records who dropped out or was late.
    func testDropoutsAndStragglersAreRecorded() throws {
        let (code, out) = try harness.run(["run", quickstart, "--output", harness.path("faults"), "--progress", "plain",
                                           "--set", "federation.clients=6", "--set", "federation.rounds=5",
                                           "--set", "federation.deadline=3", "--set", "federation.quorum=0.3",
                                           "--set", "faults={dropout: 0.25, straggler: 0.25, delay: 6, distribution: fixed}"],
                                          log: "faults.log")
        XCTAssertEqual(code, 0, out)
        let rows = harness.csv("faults/clients.csv")
        let dropouts = rows.filter { $0["fault"] == "dropout" }
        let stragglers = rows.filter { $0["fault"] == "straggler" }
        XCTAssertFalse(dropouts.isEmpty)
        XCTAssertFalse(stragglers.isEmpty)
        XCTAssertTrue(dropouts.allSatisfy { $0["responded"] == "0" })
        // A 6 s delay misses the 3 s deadline: stragglers are not in the round they were late for.
        XCTAssertTrue(stragglers.allSatisfy { $0["responded"] == "0" })
        XCTAssertTrue(rows.filter { $0["fault"] == "" && $0["sampled"] == "1" }.allSatisfy { $0["responded"] == "1" })
        XCTAssertEqual(harness.csv("faults/rounds.csv").count, 5)
    }

    /// A client process killed mid-run and started again takes its ids back and joins the
    /// next round.
    func testCrashedClientRejoins() throws {
        let settings = ["--set", "federation.clients=3", "--set", "federation.rounds=30", "--set", "federation.local_epochs=8",
                        "--set", "federation.deadline=20", "--set", "federation.heartbeat_timeout=2",
                        "--set", "federation.quorum=0.5"]
        let federation = try harness.startFederation(scenario: quickstart, output: "rejoin", clientIds: [0, 1, 2],
                                                     settings: settings, environment: ["FEDSIM_TEST_STOP_AFTER_ROUND": "2"])
        let (coordinator, endpoint, clients) = (federation.coordinator, federation.endpoint, federation.clients)
        killBetweenRounds(clients[2], coordinator: coordinator, log: "coordinator.log")
        // Wait until a round closed without client 2. It closes once the killed process has
        // been silent for the heartbeat timeout, or at the deadline (which is longer): from then
        // on the coordinator counts that process as gone, so its ids may move to a new one.
        XCTAssertTrue(try harness.waitForRows("rejoin/rounds.csv", timeout: 120) { $0.contains { $0["received"] == "2" } },
                      harness.text("coordinator.log"))
        let again = try harness.start(["client", "--scenario", quickstart, "--connect", endpoint, "--clients", "2"] + settings,
                                      log: "client-2-again.log")
        XCTAssertEqual(harness.wait(coordinator, timeout: 300), 0, harness.text("coordinator.log"))
        let rounds = harness.csv("rejoin/rounds.csv")
        XCTAssertEqual(rounds.count, 30)
        let missed = rounds.firstIndex { $0["received"] == "2" }
        let back = rounds.lastIndex { $0["received"] == "2" }
        XCTAssertNotNil(missed)
        XCTAssertLessThan(back ?? 29, 29, "client 2 never came back: \(rounds.map { $0["received"] ?? "" })")
        XCTAssertEqual(rounds.last?["received"], "3")
        XCTAssertNotNil(harness.wait(again, timeout: 30))
    }
}
