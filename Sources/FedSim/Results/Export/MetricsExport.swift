import FedResults
import Foundation

/// `--export`: where experiment trackers look for a run's per-round figures.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// MLflow's file store (`mlruns/`): `mlflow ui --backend-store-uri <folder>/mlruns`.
    case mlflow
    /// TensorBoard event files (`tensorboard/`): `tensorboard --logdir <folder>/tensorboard`.
    case tensorboard
    /// One JSON object per round (`metrics.jsonl`), for pandas (`read_json(lines=True)`) or jq.
    case jsonl

    /// Parses `mlflow`, `tensorboard,jsonl` (repeatable options arrive one value each).
    public static func parse(_ values: [String]) throws -> [ExportFormat] {
        var out: [ExportFormat] = []
        for value in values {
            for part in value.split(separator: ",") {
                let name = part.trimmingCharacters(in: .whitespaces)
                guard let f = ExportFormat(rawValue: name) else {
                    throw ExportError("--export \(name): unknown format; allowed: "
                                      + allCases.map(\.rawValue).joined(separator: ", "))
                }
                if !out.contains(f) { out.append(f) }
            }
        }
        return out
    }
}

/// Writes a run's rounds (read back from its folder as `RunMetrics`) in the chosen formats.
/// Each export writes only its own files, named after the run, and replaces what an earlier
/// export of the same run wrote; so shards of a comparison exporting their cells into one
/// folder never write the same file (docs/RESULTS.md, "Exporting to experiment trackers").
public struct MetricsExport: Sendable {
    /// The folder that holds tensorboard/ and mlruns/ (the run folder, or a comparison's).
    public var root: String
    /// The MLflow experiment (the run's name, or the comparison's).
    public var experiment: String
    /// The run within the experiment, and its TensorBoard sub-folder (a comparison's cell id;
    /// nil for a lone run, whose events go straight into tensorboard/).
    public var runLabel: String?
    /// Where metrics.jsonl goes (the run folder).
    public var runFolder: String

    public init(root: String, experiment: String, runLabel: String? = nil, runFolder: String) {
        self.root = root
        self.experiment = experiment
        self.runLabel = runLabel
        self.runFolder = runFolder
    }

    /// A lone run: everything inside its own folder.
    public static func run(folder: String, name: String) -> MetricsExport {
        MetricsExport(root: folder, experiment: name, runFolder: folder)
    }

    /// Writes the formats; returns the paths written (a folder for mlflow and tensorboard).
    @discardableResult
    public func write(_ metrics: RunMetrics, formats: [ExportFormat]) throws -> [String] {
        var written: [String] = []
        for format in formats {
            switch format {
            case .jsonl:
                let path = runFolder + "/metrics.jsonl"
                try AtomicFile.write(Data(JSONLinesExport.text(metrics).utf8), to: path)
                written.append(path)
            case .tensorboard:
                let dir = root + "/tensorboard" + (runLabel.map { "/" + $0 } ?? "")
                written.append(try TensorBoardExport.write(metrics, directory: dir))
            case .mlflow:
                written.append(try MLflowExport.write(metrics, root: root + "/mlruns", experiment: experiment,
                                                      runName: runLabel ?? metrics.name))
            }
        }
        return written
    }

    /// Reads `runFolder` and writes the formats.
    @discardableResult
    public func write(formats: [ExportFormat]) throws -> [String] {
        guard !formats.isEmpty else { return [] }
        return try write(RunMetrics.read(folder: runFolder), formats: formats)
    }
}
