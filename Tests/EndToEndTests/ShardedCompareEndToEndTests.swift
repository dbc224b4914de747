import FedSim
import Foundation
import XCTest

/// `fedsim compare --shard K/N` in separate processes sharing one results folder, then
/// `--merge`, gives the same compare.csv as one `fedsim compare` (all but the cells' wall
/// times); a merge before every shard finished names the missing cells and fails; each
/// shard exports only its own cells for the trackers.
final class ShardedCompareEndToEndTests: EndToEndTestCase {
    private func spec() throws -> String {
        let path = harness.path("sweep.yaml")
        try """
            name: sweep
            base: \(FedsimHarness.repository)/scenarios/quickstart.yaml
            attacks: [none, sign-flip]
            defenses: [fedavg, median]
            malicious: 1
            overrides: {federation: {clients: 3, rounds: 2}}
            parallel: 1
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// compare.csv without wall_seconds (the one column that measures the machine).
    private func rowsWithoutTimes(_ relative: String) -> [[String: String]] {
        harness.csv(relative).map { $0.filter { $0.key != "wall_seconds" } }
    }

    func testShardsInSeparateProcessesMergeToTheSingleRunsTable() throws {
        let file = try spec()
        let shared = harness.path("shared")
        func shard(_ k: Int) throws -> ChildProcess {
            try harness.start(["compare", file, "--output", shared, "--progress", "plain", "--shard", "\(k)/3",
                               "--export", "tensorboard,mlflow,jsonl"], log: "shard-\(k).log")
        }
        // Shard 0 (cells 0 and 3) alone: a merge now lacks cells 1 and 2, and says so.
        let first = try shard(0)
        XCTAssertEqual(harness.wait(first, timeout: 300), 0, harness.text("shard-0.log"))
        let (early, earlyOut) = try harness.run(["compare", file, "--output", shared, "--merge", "--progress", "plain"],
                                                log: "early-merge.log")
        XCTAssertEqual(early, 1, earlyOut)
        XCTAssertTrue(earlyOut.contains("2 of 4 cells not run yet (none--median--seed1, sign-flip--fedavg--seed1)"), earlyOut)
        XCTAssertEqual(harness.csv("shared/compare.csv").filter { $0["status"] == "pending" }.count, 2)

        // Shards 1 and 2 at the same time, into the same folder.
        let others = try [shard(1), shard(2)]
        for (k, p) in zip([1, 2], others) { XCTAssertEqual(harness.wait(p, timeout: 300), 0, harness.text("shard-\(k).log")) }
        // A shard leaves compare.csv and the report to the merge.
        for k in 0..<3 { XCTAssertFalse(harness.text("shard-\(k).log").contains("report:"), harness.text("shard-\(k).log")) }
        let owned = (0..<3).map { k in Set(harness.csv("shared/shards/compare-\(k)-of-3.csv").map { "\($0["attack"] ?? "")--\($0["defense"] ?? "")" }) }
        XCTAssertEqual(owned, [["none--fedavg", "sign-flip--median"], ["none--median"], ["sign-flip--fedavg"]])

        let (merged, mergeOut) = try harness.run(["compare", file, "--output", shared, "--merge", "--progress", "plain"],
                                                 log: "merge.log")
        XCTAssertEqual(merged, 0, mergeOut)
        XCTAssertTrue(mergeOut.contains("4 of 4 cells completed"), mergeOut)

        let (single, singleOut) = try harness.run(["compare", file, "--output", harness.path("single"), "--progress", "plain"],
                                                  log: "single.log", timeout: 400)
        XCTAssertEqual(single, 0, singleOut)
        let one = rowsWithoutTimes("single/compare.csv")
        XCTAssertEqual(one.count, 4)
        XCTAssertTrue(one.allSatisfy { $0["status"] == "completed" }, "\(one)")
        XCTAssertEqual(rowsWithoutTimes("shared/compare.csv"), one)
        XCTAssertEqual(harness.text("shared/compare.csv").split(separator: "\n").first,
                       harness.text("single/compare.csv").split(separator: "\n").first)

        // Exports: one TensorBoard run and one MLflow run per cell, one experiment, every shard's cells.
        let fm = FileManager.default
        let cells = ["none--fedavg--seed1", "none--median--seed1", "sign-flip--fedavg--seed1", "sign-flip--median--seed1"]
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: shared + "/tensorboard").sorted(), cells)
        let experiments = try fm.contentsOfDirectory(atPath: shared + "/mlruns")
        XCTAssertEqual(experiments.count, 1)
        let runs = try fm.contentsOfDirectory(atPath: shared + "/mlruns/" + experiments[0]).filter { $0 != "meta.yaml" }
        XCTAssertEqual(runs.count, 4)
        for cell in cells {
            let lines = harness.text("shared/cells/\(cell)/metrics.jsonl").split(separator: "\n")
            XCTAssertEqual(lines.count, 2, cell)
        }
    }
}
