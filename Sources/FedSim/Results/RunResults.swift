#if canImport(Glibc)
import Glibc
#endif
import FedCore
import FedResults
import Foundation

/// The results folder of one run, `<output>/<name>/`:
/// scenario.yaml (resolved), rounds.csv, clients.csv, label_counts.csv, summary.json,
/// model.bin (final global parameters, raw little-endian Float32) and logs/.
public final class RunResults {
    public let directory: String
    private let rounds: CSVWriter
    private let roundsSchema: TableSchema
    private let clients: CSVWriter

    /// Files a run writes in its folder: removed when a marked run folder is reused.
    static let ownedFiles = ["scenario.yaml", "rounds.csv", "clients.csv", "label_counts.csv", "labels.csv",
                             "summary.json", "model.bin", "report.html", "metrics.jsonl", Checkpoint.fileName,
                             EvaluationImages.fileName]

    /// `classNames`: the original label of each class when the data's labels were mapped to
    /// classes (a CSV file with `labels: auto`), written to labels.csv; nil writes no such file.
    public init(directory: String, scenario: Scenario, labelCounts: [[Int]], classNames: [String]? = nil) throws {
        self.directory = directory
        let fm = FileManager.default
        try RunResults.prepare(directory)
        try fm.createDirectory(atPath: logsDirectory(directory), withIntermediateDirectories: true)
        try AtomicFile.write(Data(scenario.resolvedYAML().utf8), to: directory + "/scenario.yaml")

        let classes = labelCounts.first?.count ?? 0
        let counts = try CSVWriter(path: directory + "/label_counts.csv",
                                   header: ["client", "samples"] + (0..<classes).map { "label_\($0)" })
        for (client, row) in labelCounts.enumerated() {
            try counts.write([String(client), String(row.reduce(0, +))] + row.map(String.init))
        }
        counts.close()
        if let classNames {
            let names = try CSVWriter(path: directory + "/labels.csv", header: ["class", "label"])
            for (k, name) in classNames.enumerated() { try names.write([String(k), name]) }
            names.close()
        }

        roundsSchema = scenario.roundsSchema
        rounds = try CSVWriter(path: directory + "/rounds.csv", header: roundsSchema.header)
        clients = try CSVWriter(path: directory + "/clients.csv", header: ClientsColumns.schema.header)
    }

    /// Reopens the results of an interrupted run to continue after `round` (the checkpoint's):
    /// rows of later rounds are dropped; everything else stays.
    public init(continuing directory: String, scenario: Scenario, throughRound round: Int) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: logsDirectory(directory), withIntermediateDirectories: true)
        roundsSchema = scenario.roundsSchema
        rounds = try CSVWriter(continuing: directory + "/rounds.csv", header: roundsSchema.header, throughRound: round)
        clients = try CSVWriter(continuing: directory + "/clients.csv", header: ClientsColumns.schema.header, throughRound: round)
    }

    /// Writes the checkpoint of the round just recorded.
    public func checkpoint(_ c: Checkpoint) throws {
        try c.write(to: directory)
        TestHook.stopAfterRound(c.round)
    }

    /// Path of the scenario file the client processes load (the resolved scenario).
    public var scenarioPath: String { directory + "/scenario.yaml" }
    public var logsPath: String { logsDirectory(directory) }

    /// Appends one round to rounds.csv and its clients to clients.csv (flushed at once).
    public func record(_ round: RoundRecord) throws {
        try rounds.write(roundsSchema.fields(round.row))
        for c in round.clients { try clients.write(ClientsColumns.schema.fields(c.row)) }
        if !round.panels.isEmpty {
            try EvaluationImages(round: round.round, panels: round.panels).write(to: directory)
        }
    }

    /// Writes the final model and summary.json, and closes the CSV files.
    public func finish(summary: RunSummary, model: [Float]) throws {
        rounds.close()
        clients.close()
        let bytes = model.withUnsafeBufferPointer { Data(buffer: $0) }
        try AtomicFile.write(bytes, to: directory + "/model.bin")
        let encoder = RunSummary.encoder()
        var json = try encoder.encode(summary)
        json.append(0x0A)
        try AtomicFile.write(json, to: directory + "/summary.json")
    }

    /// The file that marks a folder as a fedsim run: written first into every run folder, and
    /// the only evidence `prepare` accepts that a non-empty folder is fedsim's to reuse.
    static let marker = ".fedsim-run"

    /// Creates `directory` (with its parents), or, when it holds an earlier fedsim run (its
    /// marker), removes the files that run wrote, and nothing else: in logs/, only the logs
    /// fedsim names. A non-empty folder without the marker is refused; nothing in it is touched.
    static func prepare(_ directory: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDir) {
            guard isDir.boolValue else { throw RunFolderError.notAFolder(directory) }
            let entries = try fm.contentsOfDirectory(atPath: directory)
            if !entries.isEmpty {
                guard entries.contains(marker) else { throw RunFolderError.notARun(directory) }
                for e in entries where ownedFiles.contains(e) || e == Checkpoint.fileName + ".tmp" {
                    try fm.removeItem(atPath: directory + "/" + e)
                }
                let logs = logsDirectory(directory)
                if let names = try? fm.contentsOfDirectory(atPath: logs) {
                    for name in names where isOwnLog(name) { try fm.removeItem(atPath: logs + "/" + name) }
                }
            }
        } else {
            try makeDirectories(directory)
        }
        try AtomicFile.write(Data("fedsim run folder: fedsim may replace the files it wrote here\n".utf8),
                             to: directory + "/" + marker)
    }

    /// The names of the logs a run writes (`process-<k>.log`, `adversary.log`).
    static func isOwnLog(_ name: String) -> Bool {
        if name == "adversary.log" { return true }
        guard name.hasPrefix("process-"), name.hasSuffix(".log") else { return false }
        let k = name.dropFirst("process-".count).dropLast(".log".count)
        return !k.isEmpty && k.allSatisfy(\.isNumber)
    }

    /// `mkdir -p`, with the system's reason when it fails ("Permission denied").
    static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw ResultsError.cannotWriteFile(path: current, reason: systemErrorText(errno))
            }
        }
    }
}

private func logsDirectory(_ dir: String) -> String { dir + "/logs" }

public enum RunFolderError: Error, CustomStringConvertible {
    /// A non-empty folder without fedsim's marker: someone else's files, never touched.
    case notARun(String)
    /// The path exists and is a file.
    case notAFolder(String)
    /// The folder holds a run of another scenario (its fingerprint, the new one's); `--force` replaces it.
    case otherScenario(String, existing: String, new: String)
    public var description: String {
        switch self {
        case let .notARun(d):
            return "\(d): folder is not empty and holds no fedsim run (no \(RunResults.marker)); nothing was changed; choose another output folder or name"
        case let .notAFolder(d): return "\(d): exists and is not a folder; choose another output folder or name"
        case let .otherScenario(d, existing, new):
            return "\(d): holds a run of another scenario (fingerprint \(existing), this one \(new)); "
                + "nothing was changed; pass --force to replace it, or --output \(d)-2 (or another name) to keep both"
        }
    }
}
