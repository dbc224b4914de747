import Foundation
import XCTest

/// Many client processes connecting at once: 50 in the default run, 200 with
/// FEDSIM_LONG_TESTS=1. Every round receives every update and no process is left.
final class LoadEndToEndTests: EndToEndTestCase {
    private func run(processes: Int) throws {
        let (code, out) = try harness.run(["run", quickstart, "--progress", "plain",
                                           "--output", harness.path("load"), "--set", "federation.clients=\(processes)",
                                           "--set", "federation.rounds=3", "--set", "federation.startup_timeout=300",
                                           "--set", "federation.deadline=120"],
                                          log: "load.log", timeout: 900)
        XCTAssertEqual(code, 0, out)
        let rounds = harness.csv("load/rounds.csv")
        XCTAssertEqual(rounds.count, 3)
        XCTAssertTrue(rounds.allSatisfy { $0["received"] == String(processes) && $0["rejected"] == "0" }, "\(rounds)")
        XCTAssertEqual(harness.json("load/summary.json")["processes"] as? Int, processes)
        XCTAssertEqual(harness.waitForNoProcesses(timeout: 30), [])
    }

    func testFiftyClientProcesses() throws {
        try run(processes: 50)
    }

    func testTwoHundredClientProcesses() throws {
        guard ProcessInfo.processInfo.environment["FEDSIM_LONG_TESTS"] == "1" else {
            throw XCTSkip("set FEDSIM_LONG_TESTS=1 for the 200-process run")
        }
        try run(processes: 200)
    }
}
