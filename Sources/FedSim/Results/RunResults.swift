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

    /// Files this type writes; a folder holding any of them is a previous run and is replaced.
    static let ownedFiles = ["scenario.yaml", "rounds.csv", "clients.csv", "label_counts.csv",
                             "summary.json", "model.bin", "report.html", Checkpoint.fileName]

    public init(directory: String, scenario: Scenario, labelCounts: [[Int]]) throws {
        self.directory = directory
        let fm = FileManager.default
        try RunResults.prepare(directory)
        try fm.createDirectory(atPath: logsDirectory(directory), withIntermediateDirectories: true)
        try Data(scenario.resolvedYAML().utf8).write(to: URL(fileURLWithPath: directory + "/scenario.yaml"))

        let classes = labelCounts.first?.count ?? 0
        let counts = try CSVWriter(path: directory + "/label_counts.csv",
                                   header: ["client", "samples"] + (0..<classes).map { "label_\($0)" })
        for (client, row) in labelCounts.enumerated() {
            try counts.write([String(client), String(row.reduce(0, +))] + row.map(String.init))
        }
        counts.close()

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
    }

    /// Writes the final model and summary.json, and closes the CSV files.
    public func finish(summary: RunSummary, model: [Float]) throws {
        rounds.close()
        clients.close()
        let bytes = model.withUnsafeBufferPointer { Data(buffer: $0) }
        try bytes.write(to: URL(fileURLWithPath: directory + "/model.bin"), options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var json = try encoder.encode(summary)
        json.append(0x0A)
        try json.write(to: URL(fileURLWithPath: directory + "/summary.json"), options: .atomic)
    }

    /// Creates `directory`, or clears the files of a previous run in it. Refuses a non-empty
    /// folder that is not a fedsim run, so that no one's files are deleted by mistake.
    static func prepare(_ directory: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ResultsError.cannotWrite(path: directory) }
            let entries = try fm.contentsOfDirectory(atPath: directory)
            let ours = Set(ownedFiles + ["logs"])
            if !entries.isEmpty && !entries.contains(where: { ours.contains($0) }) {
                throw RunFolderError.notARun(directory)
            }
            for e in entries where ours.contains(e) {
                try fm.removeItem(atPath: directory + "/" + e)
            }
        } else {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }
}

private func logsDirectory(_ dir: String) -> String { dir + "/logs" }

public enum RunFolderError: Error, CustomStringConvertible {
    case notARun(String)
    public var description: String {
        switch self {
        case let .notARun(d): return "\(d): folder exists and is not a fedsim run; choose another output folder or name"
        }
    }
}
