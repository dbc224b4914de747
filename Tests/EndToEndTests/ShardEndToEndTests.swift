import Foundation
import XCTest

/// `fedsim run` hands each client process a shard file of its clients' data; client processes
/// started by hand (`fedsim client` without `--shard`) prepare the whole dataset themselves.
/// Both give the same federation, bit for bit.
final class ShardEndToEndTests: EndToEndTestCase {
    func testShardFilesGiveTheSameModelAsClientsThatPrepareEverything() throws {
        // A label-sorted partition and a backdoor (its trigger's value is the training set's
        // largest feature, which the shard file carries) on 3 clients.
        let settings = ["--set", "federation.clients=3", "--set", "federation.rounds=2", "--set", "seed=4",
                        "--set", "partition.kind=shards", "--set", "attack={kind: backdoor, malicious: 0.34}"]
        let (code, out) = try harness.run(["run", quickstart, "--output", harness.path("shards"), "--progress", "none",
                                           "--set", "federation.processes=2"] + settings, log: "shards.log")
        XCTAssertEqual(code, 0, out)

        let federation = try harness.startFederation(scenario: quickstart, output: "whole", clientIds: [0, 1, 2], settings: settings)
        XCTAssertEqual(harness.wait(federation.coordinator, timeout: 240), 0, harness.text("coordinator.log"))
        for c in federation.clients { _ = harness.wait(c, timeout: 30) }
        XCTAssertTrue(harness.text("client-0.log").contains("prepared"), harness.text("client-0.log"))

        let a = harness.roundsWithoutTimings("shards/rounds.csv"), b = harness.roundsWithoutTimings("whole/rounds.csv")
        XCTAssertEqual(a.count, 2)
        XCTAssertEqual(a, b)
        let model = FileManager.default.contents(atPath: harness.path("shards/model.bin"))
        XCTAssertNotNil(model)
        XCTAssertEqual(model, FileManager.default.contents(atPath: harness.path("whole/model.bin")))
        XCTAssertEqual(harness.waitForNoProcesses(timeout: 10), [])
    }
}
