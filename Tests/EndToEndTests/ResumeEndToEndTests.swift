import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Checkpoints: a run killed with SIGKILL mid-run and continued with `fedsim run --resume`
/// ends with the same rounds.csv (timings aside) and the same final model, bit for bit, as the
/// same run never interrupted. Centered clipping carries state across rounds, so the
/// checkpoint must hold it too.
final class ResumeEndToEndTests: EndToEndTestCase {
    private var args: [String] {
        [quickstart, "--progress", "plain",
         "--set", "federation.clients=4", "--set", "federation.rounds=10", "--set", "federation.local_epochs=6",
         "--set", "federation.fraction=0.75", "--set", "defense={aggregator: {kind: centered-clipping, iterations: 2}}",
         "--set", "attack={kind: sign-flip, malicious: 1, scale: 4}"]
    }

    func testKilledRunResumesToTheSameResult() throws {
        let (code, out) = try harness.run(["run"] + args + ["--output", harness.path("whole")], log: "whole.log")
        XCTAssertEqual(code, 0, out)

        // The test hook stops the run right after the checkpoint of round 4: the kill lands
        // exactly there, however fast the machine.
        let run = try harness.start(["run"] + args + ["--output", harness.path("cut")], log: "cut.log",
                                    environment: ["FEDSIM_TEST_STOP_AFTER_ROUND": "4"])
        XCTAssertTrue(harness.waitUntilStopped(run, timeout: 120), harness.text("cut.log"))
        kill(run.pid, SIGKILL)
        XCTAssertEqual(harness.wait(run, timeout: 10), 128 + SIGKILL)
        XCTAssertEqual(harness.waitForNoProcesses(timeout: 15), [])
        XCTAssertEqual(harness.csv("cut/rounds.csv").count, 4)

        let (rcode, rout) = try harness.run(["run", "--resume", harness.path("cut"), "--progress", "plain"], log: "resume.log")
        XCTAssertEqual(rcode, 0, rout)
        XCTAssertTrue(rout.contains("resuming"), rout)
        XCTAssertEqual(harness.roundsWithoutTimings("cut/rounds.csv"), harness.roundsWithoutTimings("whole/rounds.csv"))
        XCTAssertEqual(harness.csv("cut/clients.csv"), harness.csv("whole/clients.csv"))
        let a = FileManager.default.contents(atPath: harness.path("whole/model.bin"))
        XCTAssertNotNil(a)
        XCTAssertEqual(a, FileManager.default.contents(atPath: harness.path("cut/model.bin")))
        let summary = harness.json("cut/summary.json")
        XCTAssertEqual(summary["rounds_completed"] as? Int, 10)
        XCTAssertEqual(summary["status"] as? String, "completed")
    }

    /// FedSGD with worker momentum: the buffers live with the coordinator and in its
    /// checkpoint, so a run killed after round 4 and resumed (every process new) ends with the
    /// same rounds and model, bit for bit. Three of four workers per round (buffers wait
    /// across skipped rounds) and a sign-flipper that keeps its honest buffer.
    func testKilledFedSGDRunWithWorkerMomentumResumesToTheSameResult() throws {
        let args = [quickstart, "--progress", "plain",
                    "--set", "federation={clients: 4, rounds: 10, fraction: 0.75, mode: fedsgd, batch_size: 16, "
                        + "learning_rate: 0.05, momentum: 0.9}",
                    "--set", "defense={aggregator: {kind: centered-clipping, iterations: 2}}",
                    "--set", "attack={kind: sign-flip, malicious: 1}"]
        let (code, out) = try harness.run(["run"] + args + ["--output", harness.path("whole")], log: "whole.log")
        XCTAssertEqual(code, 0, out)

        let run = try harness.start(["run"] + args + ["--output", harness.path("cut")], log: "cut.log",
                                    environment: ["FEDSIM_TEST_STOP_AFTER_ROUND": "4"])
        XCTAssertTrue(harness.waitUntilStopped(run, timeout: 120), harness.text("cut.log"))
        kill(run.pid, SIGKILL)
        XCTAssertEqual(harness.wait(run, timeout: 10), 128 + SIGKILL)
        XCTAssertEqual(harness.waitForNoProcesses(timeout: 15), [])
        XCTAssertEqual(harness.csv("cut/rounds.csv").count, 4)

        let (rcode, rout) = try harness.run(["run", "--resume", harness.path("cut"), "--progress", "plain"], log: "resume.log")
        XCTAssertEqual(rcode, 0, rout)
        XCTAssertEqual(harness.roundsWithoutTimings("cut/rounds.csv"), harness.roundsWithoutTimings("whole/rounds.csv"))
        XCTAssertEqual(harness.csv("cut/clients.csv"), harness.csv("whole/clients.csv"))
        let a = FileManager.default.contents(atPath: harness.path("whole/model.bin"))
        XCTAssertNotNil(a)
        XCTAssertEqual(a, FileManager.default.contents(atPath: harness.path("cut/model.bin")))
        XCTAssertEqual(harness.json("cut/summary.json")["status"] as? String, "completed")
    }

    func testResumeWithoutCheckpointSaysSo() throws {
        try FileManager.default.createDirectory(atPath: harness.path("empty"), withIntermediateDirectories: true)
        try "name: x\n".write(toFile: harness.path("empty/scenario.yaml"), atomically: true, encoding: .utf8)
        let (code, out) = try harness.run(["run", "--resume", harness.path("empty")], log: "empty.log", timeout: 60)
        XCTAssertEqual(code, 1)
        XCTAssertTrue(out.contains("no checkpoint to resume from"), out)
    }
}
