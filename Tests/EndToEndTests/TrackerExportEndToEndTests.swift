import Foundation
import XCTest

/// `fedsim run --export mlflow,tensorboard,jsonl`, read back by the trackers' own readers
/// (TensorBoard's EventAccumulator, MLflow's MlflowClient on the file store) in the virtual
/// environment scripts/tracker-env makes; every round's test accuracy equals rounds.csv's.
final class TrackerExportEndToEndTests: EndToEndTestCase {
    private static let reader = """
        import json, os, sys
        folder = sys.argv[1]
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
        acc = EventAccumulator(os.path.join(folder, "tensorboard")); acc.Reload()
        out = {"tb_tags": sorted(acc.Tags()["scalars"]),
               "tb_accuracy": [[e.step, e.value] for e in acc.Scalars("test_accuracy")]}
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"   # MLflow 3.x keeps the file store behind this switch
        from mlflow.tracking import MlflowClient
        client = MlflowClient(tracking_uri="file:" + os.path.join(folder, "mlruns"))
        experiments = client.search_experiments()
        runs = client.search_runs([e.experiment_id for e in experiments])
        out["mlflow_experiments"] = [e.name for e in experiments]
        out["mlflow_runs"] = [[r.info.run_name, r.info.status, r.data.params.get("federation.clients"),
                               r.data.tags.get("fedsim.status")] for r in runs]
        out["mlflow_accuracy"] = [[m.step, m.value] for m in client.get_metric_history(runs[0].info.run_id, "test_accuracy")]
        print("READBACK " + json.dumps(out))
        """

    func testTrackersReadTheExportedRounds() throws {
        let settings = ["--set", "federation.clients=3", "--set", "federation.rounds=3"]
        let (code, out) = try harness.run(["run", quickstart, "--output", harness.path("run"), "--progress", "none",
                                           "--export", "mlflow,tensorboard", "--export", "jsonl"] + settings, log: "run.log")
        XCTAssertEqual(code, 0, out)
        let accuracy = harness.csv("run/rounds.csv").compactMap { Double($0["test_accuracy"] ?? "") }
        XCTAssertEqual(accuracy.count, 3)

        // metrics.jsonl, with Foundation's JSON reader.
        let lines = harness.text("run/metrics.jsonl").split(separator: "\n")
        let objects = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(objects.map { $0["round"] as? Int }, [1, 2, 3])
        XCTAssertEqual(objects.compactMap { $0["test_accuracy"] as? Double }, accuracy)
        XCTAssertTrue(objects.allSatisfy { $0["received"] as? Int == 3 }, "\(objects)")

        guard let python = ProcessInfo.processInfo.environment["FEDSIM_TRACKER_PYTHON"] else {
            throw XCTSkip("FEDSIM_TRACKER_PYTHON is not set (scripts/test sets it to scripts/tracker-env's venv with tensorboard and mlflow)")
        }
        let script = harness.path("read.py")
        try Self.reader.write(toFile: script, atomically: true, encoding: .utf8)
        let p = try harness.start(executable: python, [script, harness.path("run")], log: "read.log")
        XCTAssertEqual(harness.wait(p, timeout: 120), 0, harness.text("read.log"))
        let text = harness.text("read.log")
        let json = try XCTUnwrap(text.components(separatedBy: "READBACK ").last, text)
        let back = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], text)

        let tb = try XCTUnwrap(back["tb_accuracy"] as? [[Double]], text)
        XCTAssertEqual(tb.map { $0[0] }, [1, 2, 3])
        for (got, want) in zip(tb.map { $0[1] }, accuracy) { XCTAssertEqual(got, want, accuracy: 1e-6) }   // float32 scalars
        let tags = try XCTUnwrap(back["tb_tags"] as? [String])
        for tag in ["test_loss", "train_loss", "received", "round_ms"] { XCTAssertTrue(tags.contains(tag), "\(tags)") }
        XCTAssertFalse(tags.contains("note"))

        XCTAssertEqual(back["mlflow_experiments"] as? [String], ["quickstart"])
        let runs = try XCTUnwrap(back["mlflow_runs"] as? [[String]], text)
        XCTAssertEqual(runs, [["quickstart", "FINISHED", "3", "completed"]])
        let ml = try XCTUnwrap(back["mlflow_accuracy"] as? [[Double]], text)
        XCTAssertEqual(ml.map { $0[0] }, [1, 2, 3])
        XCTAssertEqual(ml.map { $0[1] }, accuracy)
    }
}
