import FedResults
import Foundation

/// MLflow's file store, the layout `mlflow ui --backend-store-uri <folder>/mlruns` and
/// `MlflowClient(tracking_uri="file:<folder>/mlruns")` read:
///
///     mlruns/<experiment id>/meta.yaml                    the experiment (its name)
///     mlruns/<experiment id>/<run id>/meta.yaml           the run (name, status, times)
///     mlruns/<experiment id>/<run id>/metrics/<column>    one line per round: "<ms> <value> <round>"
///     mlruns/<experiment id>/<run id>/params/<key.path>   the resolved scenario, one key per file
///     mlruns/<experiment id>/<run id>/tags/<tag>          mlflow.runName, fedsim.fingerprint, fedsim.status
///
/// Both ids derive from names (FNV-1a), so the same run exports to the same folder and a
/// second export replaces the first; cells of a comparison share one experiment.
enum MLflowExport {
    /// Writes the run; returns its folder.
    static func write(_ m: RunMetrics, root: String, experiment: String, runName: String) throws -> String {
        let experimentId = String(Scenario.fnv1a64(Array("fedsim-experiment:\(experiment)".utf8)) % 1_000_000_000_000_000_000)
        let runId = hex(Scenario.fnv1a64(Array("fedsim-run:\(experiment):\(runName)".utf8)))
            + hex(Scenario.fnv1a64(Array("fedsim-run:\(runName):\(m.fingerprint)".utf8)))
        let experimentDir = root + "/" + experimentId
        let runDir = experimentDir + "/" + runId
        for sub in ["metrics", "params", "tags", "artifacts"] { try RunResults.makeDirectories(runDir + "/" + sub) }
        let absolute = URL(fileURLWithPath: experimentDir).standardizedFileURL

        // Every shard of a comparison writes the experiment's meta.yaml (the same bytes but
        // for the times): each through its own temporary file.
        let experimentMeta = """
            artifact_location: \(quoted(absolute.absoluteString))
            creation_time: \(m.startMs)
            experiment_id: \(quoted(experimentId))
            last_update_time: \(m.endMs)
            lifecycle_stage: active
            name: \(quoted(experiment))

            """
        if !FileManager.default.fileExists(atPath: experimentDir + "/meta.yaml") {
            try AtomicFile.write(Data(experimentMeta.utf8), to: experimentDir + "/meta.yaml", shared: true)
        }

        let runMeta = """
            artifact_uri: \(quoted(absolute.appendingPathComponent(runId + "/artifacts").absoluteString))
            end_time: \(m.endMs)
            entry_point_name: ''
            experiment_id: \(quoted(experimentId))
            lifecycle_stage: active
            run_id: \(runId)
            run_name: \(quoted(runName))
            run_uuid: \(runId)
            source_name: ''
            source_type: 4
            source_version: ''
            start_time: \(m.startMs)
            status: \(status(m.status))
            tags: []
            user_id: fedsim

            """
        try AtomicFile.write(Data(runMeta.utf8), to: runDir + "/meta.yaml")

        // Metrics: one file per column, one line per round.
        var lines: [String: String] = [:]
        var order: [String] = []
        for r in m.rounds {
            for (name, value) in r.values {
                guard case .number(let v) = value, v.isFinite else { continue }
                if lines[name] == nil { order.append(name); lines[name] = "" }
                lines[name, default: ""] += "\(r.timestampMs) \(v) \(r.step)\n"
            }
        }
        try replaceFiles(in: runDir + "/metrics", with: order.map { ($0, lines[$0] ?? "") })
        try replaceFiles(in: runDir + "/params", with: m.parameters.filter { !$0.key.isEmpty }.map { ($0.key, $0.value) })
        try replaceFiles(in: runDir + "/tags", with: [("mlflow.runName", runName), ("mlflow.user", "fedsim"),
                                                      ("fedsim.fingerprint", m.fingerprint), ("fedsim.status", m.status)])
        return runDir
    }

    /// Writes each (name, text) file and removes the files an earlier export of this run left
    /// that this one does not write (this folder is the run's own: fedsim made it).
    private static func replaceFiles(in dir: String, with files: [(String, String)]) throws {
        let names = Set(files.map(\.0))
        for old in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !names.contains(old) && !old.hasSuffix(".tmp") {
            try FileManager.default.removeItem(atPath: dir + "/" + old)
        }
        for (name, text) in files { try AtomicFile.write(Data(text.utf8), to: dir + "/" + name) }
    }

    /// MLflow's RunStatus: FINISHED 3, FAILED 4, KILLED 5.
    static func status(_ fedsim: String) -> Int {
        switch fedsim {
        case "completed", "diverged": return 3
        case "interrupted": return 5
        default: return 4
        }
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// A YAML single-quoted scalar.
    private static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
}
