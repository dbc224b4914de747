import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Real runs: the fedsim executable, real client processes, real ZeroMQ sockets.
final class RunEndToEndTests: EndToEndTestCase {
    /// Four client processes over ipc://: accuracy rises above a threshold, the results
    /// folder holds every file with the right rows, and no process is left afterwards.
    func testIPCRunWithFourProcessesLearns() throws {
        let (code, out) = try harness.run(["run", quickstart, "--output", harness.path("ipc"), "--progress", "plain",
                                           "--set", "federation.clients=4", "--set", "federation.rounds=6",
                                           "--set", "transport.kind=ipc"], log: "ipc.log")
        XCTAssertEqual(code, 0, out)
        let rounds = harness.csv("ipc/rounds.csv")
        XCTAssertEqual(rounds.map { $0["round"] }, (1...6).map { String($0) })
        let accuracy = try XCTUnwrap(Double(rounds.last?["test_accuracy"] ?? ""))
        XCTAssertGreaterThan(accuracy, 0.85, out)
        XCTAssertGreaterThan(accuracy, try XCTUnwrap(Double(rounds[0]["test_accuracy"] ?? "")) - 0.001)
        XCTAssertTrue(rounds.allSatisfy { $0["received"] == "4" && $0["rejected"] == "0" })
        XCTAssertEqual(harness.csv("ipc/clients.csv").count, 6 * 4)
        XCTAssertEqual(harness.csv("ipc/label_counts.csv").count, 4)
        let summary = harness.json("ipc/summary.json")
        XCTAssertEqual(summary["status"] as? String, "completed")
        XCTAssertEqual(summary["processes"] as? Int, 4)
        XCTAssertTrue(out.contains("round 6/6"), out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.path("ipc/model.bin")))
        XCTAssertEqual(harness.waitForNoProcesses(timeout: 5), [])
    }

    /// The same federation over tcp://127.0.0.1 with an ephemeral port, two clients per process.
    func testTCPRunLearns() throws {
        let (code, out) = try harness.run(["run", quickstart, "--output", harness.path("tcp"), "--progress", "plain",
                                           "--set", "federation.clients=4", "--set", "federation.processes=2",
                                           "--set", "federation.rounds=5", "--set", "transport.kind=tcp"], log: "tcp.log")
        XCTAssertEqual(code, 0, out)
        let rounds = harness.csv("tcp/rounds.csv")
        XCTAssertEqual(rounds.count, 5)
        XCTAssertGreaterThan(Double(rounds.last?["test_accuracy"] ?? "") ?? 0, 0.85, out)
        XCTAssertEqual(harness.json("tcp/summary.json")["processes"] as? Int, 2)
        XCTAssertEqual(harness.waitForNoProcesses(timeout: 5), [])
    }

    /// Same scenario and seed twice: identical rounds (timings aside) and an identical model.
    func testSameSeedGivesIdenticalResults() throws {
        let args = ["--progress", "none", "--set", "federation.clients=5", "--set", "federation.rounds=3",
                    "--set", "federation.fraction=0.6", "--set", "partition.kind=dirichlet", "--set", "seed=7"]
        for name in ["a", "b"] {
            let (code, out) = try harness.run(["run", quickstart, "--output", harness.path(name)] + args, log: "\(name).log")
            XCTAssertEqual(code, 0, out)
        }
        let a = harness.roundsWithoutTimings("a/rounds.csv"), b = harness.roundsWithoutTimings("b/rounds.csv")
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a, b)
        XCTAssertEqual(harness.csv("a/clients.csv"), harness.csv("b/clients.csv"))
        XCTAssertTrue(a.allSatisfy { $0["sampled"] == "3" })
        let ma = FileManager.default.contents(atPath: harness.path("a/model.bin"))
        XCTAssertNotNil(ma)
        XCTAssertEqual(ma, FileManager.default.contents(atPath: harness.path("b/model.bin")))
    }

    /// The portable kernels and the best this CPU runs (AVX-512 or AVX2 here) give the same
    /// bits: a Multi-Krum run (Gram matrix and weighted mean every round) ends with the same
    /// model whichever `FEDSIM_KERNELS` the coordinator uses.
    func testKernelVersionsGiveTheSameRun() throws {
        let args = ["--progress", "none", "--set", "federation.clients=6", "--set", "federation.rounds=3",
                    "--set", "defense.aggregator.kind=multi-krum", "--set", "defense.aggregator.f=1"]
        for (name, kernels) in [("generic", "generic"), ("best", "auto")] {
            let (code, out) = try harness.run(["run", quickstart, "--output", harness.path(name)] + args,
                                              log: "\(name).log", environment: ["FEDSIM_KERNELS": kernels])
            XCTAssertEqual(code, 0, out)
        }
        let generic = harness.roundsWithoutTimings("generic/rounds.csv")
        XCTAssertEqual(generic.count, 3)
        XCTAssertEqual(generic, harness.roundsWithoutTimings("best/rounds.csv"))
        let model = FileManager.default.contents(atPath: harness.path("generic/model.bin"))
        XCTAssertNotNil(model)
        XCTAssertEqual(model, FileManager.default.contents(atPath: harness.path("best/model.bin")))

        let (code, out) = try harness.run(["run", quickstart, "--output", harness.path("bad")] + args,
                                          log: "bad.log", environment: ["FEDSIM_KERNELS": "sse9"])
        XCTAssertEqual(code, 64, out)   // a usage error (docs/RESULTS.md, exit statuses)
        XCTAssertTrue(out.contains("fedsim: error: FEDSIM_KERNELS: unknown kernel version 'sse9'"), out)
    }

    /// A scenario error stops before any process starts, with one line naming file, line and key.
    func testBadScenarioFailsWithOneLine() throws {
        let bad = harness.path("bad.yaml")
        try "federation:\n  clients: 4\n  rounds: many\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let (code, out) = try harness.run(["run", bad, "--output", harness.path("bad")], log: "bad.log", timeout: 60)
        XCTAssertEqual(code, 1)
        let lines = out.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, out)
        XCTAssertTrue(out.contains("bad.yaml:3:"), out)
        XCTAssertTrue(out.contains("federation.rounds"), out)
    }
}
